// Audio levels, for highlighting who is talking.

/** The level (0..1, linear, as WebRTC reports it) that counts as talking. */
export const SPEAKING_LEVEL = 0.04;

/** How often levels are sampled. */
export const LEVEL_POLL_MS = 300;

/**
 * How long someone stays "speaking" after the last loud sample, so that the
 * highlight does not flicker between words.
 */
const SPEAKING_HOLD_MS = 900;

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

/** Who counts as speaking: anyone heard loud within the last SPEAKING_HOLD_MS. */
export class SpeakingHold {
  /** Who is talking right now (participant ids). */
  speaking: ReadonlySet<string> = new Set();
  /** When each participant was last heard above SPEAKING_LEVEL. */
  private lastHeard = new Map<string, number>();

  /** Takes who was loud at `now` (performance.now()); answers whether `speaking` changed. */
  hear(loud: Iterable<string>, now: number): boolean {
    for (const id of loud) this.lastHeard.set(id, now);
    const speaking = new Set<string>();
    for (const [id, at] of this.lastHeard) {
      if (now - at < SPEAKING_HOLD_MS) speaking.add(id);
      else this.lastHeard.delete(id);
    }
    const changed = speaking.size !== this.speaking.size || [...speaking].some((id) => !this.speaking.has(id));
    if (changed) this.speaking = speaking;
    return changed;
  }
}
