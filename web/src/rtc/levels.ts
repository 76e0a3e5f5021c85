// Audio levels, for highlighting who is talking.

/** The level (0..1, linear, as WebRTC reports it) that counts as talking. */
export const SPEAKING_LEVEL = 0.04;

/**
 * Answers the ids of the participants heard above SPEAKING_LEVEL right now:
 * everyone else from the subscriber's RTP receivers (no stats round trip
 * needed), and ourselves from the publisher's microphone source when a
 * publisher and our id are given.
 */
export async function loudParticipants(
  sub: RTCPeerConnection | null,
  streams: ReadonlyMap<string, MediaStream>,
  pub: RTCPeerConnection | null,
  selfId: string | null,
): Promise<Set<string>> {
  const loud = new Set<string>();
  for (const r of sub?.getReceivers() ?? []) {
    if (r.track.kind !== "audio") continue;
    const level = r.getSynchronizationSources()[0]?.audioLevel ?? 0;
    if (level < SPEAKING_LEVEL) continue;
    for (const [id, stream] of streams) {
      if (stream.getTrackById(r.track.id)) loud.add(id);
    }
  }
  if (pub && selfId) {
    const stats = await pub.getStats();
    stats.forEach((s: { type: string; kind?: string; audioLevel?: number }) => {
      if (s.type === "media-source" && s.kind === "audio" && (s.audioLevel ?? 0) >= SPEAKING_LEVEL) loud.add(selfId);
    });
  }
  return loud;
}
