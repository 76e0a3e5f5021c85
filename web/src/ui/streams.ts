// Splitting each person's remote MediaStream (one per participant, as the
// server sends them) into their camera with audio and their screen share,
// so each shows in its own tile.

import type { CallSession } from "../rtc/session";

const cache = new Map<string, MediaStream>();

/** A MediaStream of exactly these tracks, the same object while they stay the same. */
function streamOf(tracks: MediaStreamTrack[]): MediaStream {
  const key = tracks.map((tr) => tr.id).join(",");
  let s = cache.get(key);
  if (!s) {
    if (cache.size > 500) cache.clear();
    s = new MediaStream(tracks);
    cache.set(key, s);
  }
  return s;
}

/** A participant's sound alone (microphone and screen audio). */
export function personAudio(session: CallSession, participantId: string): MediaStream | null {
  const tracks = session.streams.get(participantId)?.getAudioTracks() ?? [];
  return tracks.length ? streamOf(tracks) : null;
}

export interface PersonMedia {
  camera: MediaStream | null;
  screen: MediaStream | null;
}

/**
 * A participant's camera (and audio) and screen. The server tells which
 * track is a screen (trackPublished.source); for tracks published before we
 * joined it does not, so a second video track counts as the screen.
 */
export function personMedia(session: CallSession, participantId: string): PersonMedia {
  const stream = session.streams.get(participantId);
  if (!stream) return { camera: null, screen: null };
  const video = stream.getVideoTracks();
  let screen = video.filter((tr) => session.trackSources.get(tr.id) === "screen");
  if (screen.length === 0 && video.length > 1) {
    const unknown = video.filter((tr) => !session.trackSources.has(tr.id));
    const last = unknown[unknown.length - 1];
    if (last) screen = [last];
  }
  if (screen.length === 0) return { camera: stream, screen: null };
  const camera = stream.getTracks().filter((tr) => !screen.includes(tr));
  return { camera: streamOf(camera), screen: streamOf(screen) };
}
