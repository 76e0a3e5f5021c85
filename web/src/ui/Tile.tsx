import { useEffect, useRef } from "preact/hooks";
import type { Participant } from "../protocol";

/** Up to two initials of a name, for the placeholder when there is no video. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : [words[0] ?? "?"];
  return letters
    .map((w) => Array.from(w ?? "")[0] ?? "")
    .join("")
    .toUpperCase();
}

/** Whether a stream has a video track that is actually delivering frames. */
export function hasLiveVideo(stream: MediaStream | null): boolean {
  return !!stream?.getVideoTracks().some((t) => t.readyState === "live" && !t.muted);
}

interface VideoProps {
  stream: MediaStream | null;
  muted: boolean;
  mirrored?: boolean;
  label?: string;
}

/**
 * A <video> bound to a MediaStream. It re-binds when the stream's tracks
 * change, so a track added later (a camera turned on mid-call) shows.
 */
export function StreamVideo({ stream, muted, mirrored, label }: VideoProps) {
  const ref = useRef<HTMLVideoElement>(null);
  const trackKey = stream ? stream.getTracks().map((t) => t.id).join(",") : "";
  useEffect(() => {
    const v = ref.current;
    if (!v) return;
    v.srcObject = stream;
    // Autoplay may be refused without a gesture; Join was one, so retry quietly.
    if (stream) v.play().catch(() => {});
  }, [stream, trackKey]);
  return <video ref={ref} class={mirrored ? "mirrored" : undefined} autoplay playsInline muted={muted} aria-label={label} />;
}

interface TileProps {
  participant: Participant;
  stream: MediaStream | null;
  self?: boolean;
  speaking?: boolean;
}

/** One person in the grid: their video, or their initials when there is none. */
export function Tile({ participant: p, stream, self = false, speaking = false }: TileProps) {
  const showVideo = !p.videoMuted && hasLiveVideo(stream);
  const name = self ? `${p.name} (you)` : p.name;
  const state = [p.host ? "host" : "", p.audioMuted ? "microphone muted" : "", showVideo ? "" : "camera off"].filter(Boolean).join(", ");
  return (
    <figure
      class={`tile${showVideo ? "" : " no-video"}${speaking && !p.audioMuted ? " speaking" : ""}`}
      data-testid="tile"
      data-participant-id={p.id}
      data-self={self ? "true" : undefined}
      aria-label={state ? `${name}, ${state}` : name}
    >
      {/* Always rendered: it also plays the person's audio when the camera is off. */}
      <StreamVideo stream={stream} muted={self} mirrored={self} />
      {!showVideo && (
        <div class="placeholder" aria-hidden="true">
          <span class="avatar">{initials(p.name)}</span>
        </div>
      )}
      <figcaption>
        {p.audioMuted && (
          <span class="badge muted-mic" title="Microphone muted">
            <MicOffIcon />
            <span class="sr-only">Microphone muted</span>
          </span>
        )}
        <span class="name">{name}</span>
        {p.host && <span class="badge">Host</span>}
      </figcaption>
    </figure>
  );
}

/** A crossed-out microphone. */
export function MicOffIcon() {
  return (
    <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">
      <path fill="currentColor" d="M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.92V21h2v-3.08A7 7 0 0 0 19 11z" />
      <path stroke="currentColor" stroke-width="2" d="M4 4l16 16" />
    </svg>
  );
}
