import { useEffect, useRef } from "preact/hooks";
import type { Participant } from "../protocol";
import { t } from "../i18n";
import { initials } from "./common";
import { MicIcon, PinIcon } from "./icons";
import { canPickSpeaker, useSpeaker } from "./devices";

export { initials };

/** Whether a stream has a video track that is actually delivering frames. */
export function hasLiveVideo(stream: MediaStream | null): boolean {
  return !!stream?.getVideoTracks().some((tr) => tr.readyState === "live" && !tr.muted);
}

interface VideoProps {
  stream: MediaStream | null;
  muted: boolean;
  mirrored?: boolean;
  label?: string;
  /** Show the whole picture (screen shares) rather than filling the tile. */
  contain?: boolean;
}

/**
 * A <video> bound to a MediaStream. It re-binds when the stream's tracks
 * change, so a track added later (a camera turned on mid-call) shows.
 */
export function StreamVideo({ stream, muted, mirrored, label, contain }: VideoProps) {
  const ref = useRef<HTMLVideoElement>(null);
  const trackKey = stream ? stream.getTracks().map((tr) => tr.id).join(",") : "";
  useEffect(() => {
    const v = ref.current;
    if (!v) return;
    // Re-assign even the same stream: an element that was moved in the page
    // (the layout changed) is paused by the browser and must be restarted.
    v.srcObject = null;
    v.srcObject = stream;
    // Autoplay may be refused without a gesture; Join was one, so retry quietly.
    if (stream) v.play().catch(() => {});
  }, [stream, trackKey]);
  // Layout changes move tiles around: restart playback whenever the element
  // is back in the page but stalled.
  useEffect(() => {
    const v = ref.current;
    if (!v || !stream) return;
    const timer = setInterval(() => {
      if (v.isConnected && v.srcObject === stream && v.readyState === 0 && stream.getVideoTracks().some((tr) => tr.readyState === "live" && !tr.muted)) {
        v.srcObject = null;
        v.srcObject = stream;
        v.play().catch(() => {});
      }
    }, 1000);
    return () => clearInterval(timer);
  }, [stream]);
  const cls = [mirrored ? "mirrored" : "", contain ? "contain" : ""].filter(Boolean).join(" ");
  return <video ref={ref} class={cls || undefined} autoplay playsInline muted={muted} aria-label={label} />;
}

interface TileProps {
  participant: Participant;
  stream: MediaStream | null;
  self?: boolean;
  speaking?: boolean;
  /** A reaction to float over the tile for a moment. */
  reaction?: { emoji: string; key: number } | undefined;
  /** The big tile of speaker view. */
  large?: boolean;
  /** A screen share rather than a camera. */
  screen?: boolean;
  /** The size the grid gives the tile. */
  style?: Record<string, string> | undefined;
  /** Whether we pinned this person (they are shown large). */
  pinned?: boolean;
  /** Pins or unpins the person; no Pin button without it (ourselves, screens). */
  onPin?: (() => void) | undefined;
}

/** One person in the grid: their video, or their initials when there is none. */
export function Tile({ participant: p, stream, self = false, speaking = false, reaction, large = false, screen = false, style, pinned = false, onPin }: TileProps) {
  const showVideo = screen ? hasLiveVideo(stream) : !p.videoMuted && hasLiveVideo(stream);
  const name = screen ? t("{name}'s screen", { name: p.name }) : self ? t("{name} (you)", { name: p.name }) : p.name;
  const state = screen
    ? ""
    : [
        pinned ? t("pinned") : "",
        p.reconnecting ? t("reconnecting") : "",
        p.host ? t("host") : "",
        p.audioMuted ? t("microphone muted") : "",
        showVideo ? "" : t("camera off"),
        p.handRaised ? t("hand raised") : "",
        speaking && !p.audioMuted ? t("speaking") : "",
      ]
        .filter(Boolean)
        .join(", ");
  const cls = ["tile", showVideo ? "" : "no-video", speaking && !p.audioMuted && !screen ? "speaking" : "", large ? "large" : "", screen ? "screen" : "", pinned ? "pinned" : ""]
    .filter(Boolean)
    .join(" ");
  return (
    <figure
      class={cls}
      style={style}
      data-testid={screen ? "screen-tile" : "tile"}
      data-participant-id={p.id}
      data-self={self ? "true" : undefined}
      data-pinned={pinned ? "true" : undefined}
      data-large={large ? "true" : undefined}
      aria-label={state ? `${name}, ${state}` : name}
    >
      {/* Muted: everyone's sound plays from the call's audio elements, on every page. */}
      <StreamVideo stream={stream} muted mirrored={self && !screen} contain={screen} />
      {!showVideo && (
        <div class="placeholder" aria-hidden="true">
          <span class="avatar">{initials(p.name)}</span>
        </div>
      )}
      {p.handRaised && !screen && (
        <span class="hand-badge" title={t("Hand raised")}>
          ✋<span class="sr-only">{t("Hand raised")}</span>
        </span>
      )}
      {reaction && (
        <span key={reaction.key} class="reaction-float" data-testid="reaction" aria-hidden="true">
          {reaction.emoji}
        </span>
      )}
      {onPin && (
        <button
          type="button"
          class={pinned ? "pin-button on" : "pin-button"}
          data-pin
          aria-label={pinned ? t("Unpin {name}", { name: p.name }) : t("Pin {name}", { name: p.name })}
          title={pinned ? t("Unpin {name}", { name: p.name }) : t("Pin {name}", { name: p.name })}
          onClick={onPin}
        >
          <PinIcon />
        </button>
      )}
      <figcaption>
        {p.audioMuted && !screen && (
          <span class="badge muted-mic" title={t("Microphone muted")}>
            <MicOffIcon />
            <span class="sr-only">{t("Microphone muted")}</span>
          </span>
        )}
        <span class="name">{name}</span>
        {p.host && !screen && <span class="badge">{t("Host")}</span>}
        {p.reconnecting && !screen && (
          <span class="badge" data-testid="tile-reconnecting">
            {t("Reconnecting…")}
          </span>
        )}
      </figcaption>
    </figure>
  );
}

/** Plays a stream's sound, with nothing to see, on the chosen speaker. */
export function StreamAudio({ stream }: { stream: MediaStream }) {
  const ref = useRef<HTMLAudioElement>(null);
  const trackKey = stream.getTracks().map((tr) => tr.id).join(",");
  const speaker = useSpeaker();
  useEffect(() => {
    const a = ref.current;
    if (!a) return;
    a.srcObject = stream;
    a.play().catch(() => {});
  }, [stream, trackKey]);
  useEffect(() => {
    const a = ref.current;
    // A speaker that is gone (unplugged headphones) leaves the sound where it was.
    if (a && canPickSpeaker && a.sinkId !== speaker) a.setSinkId(speaker).catch(() => {});
  }, [speaker]);
  return <audio ref={ref} autoplay />;
}

/** A crossed-out microphone. */
export function MicOffIcon() {
  return <MicIcon off />;
}
