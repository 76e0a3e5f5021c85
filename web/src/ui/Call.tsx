import { useEffect, useState } from "preact/hooks";
import type { CallSession, ConnectionStatus } from "../rtc/session";
import type { Participant } from "../protocol";
import { MicOffIcon, Tile } from "./Tile";

const STATUS_TEXT: Record<ConnectionStatus, string> = {
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  disconnected: "Disconnected",
};

interface CallProps {
  session: CallSession;
  title: string;
  /** Our name before the server has told us who we are. */
  selfName: string;
}

/** The call screen: the grid of people, the status line and the controls. */
export function Call({ session, title, selfName }: CallProps) {
  const [, setTick] = useState(0);
  useEffect(() => session.subscribe(() => setTick((n) => n + 1)), [session]);

  const others = [...session.participants.values()];
  // Until `joined` we show ourselves from the local camera alone.
  const self: Participant = session.selfView() ?? {
    id: "self",
    name: selfName,
    guest: false,
    host: false,
    audioMuted: session.audioMuted,
    videoMuted: session.videoMuted,
  };
  const count = others.length + 1;

  return (
    <div class="call">
      <header class="call-header">
        <h1>{title}</h1>
        <div class="status-line">
          <span class={`dot ${session.status}`} aria-hidden="true" />
          <p class="status" role="status" data-testid="connection-status" data-status={session.status}>
            {STATUS_TEXT[session.status]}
          </p>
          <span class="muted">· {count === 1 ? "Only you" : `${count} people`}</span>
        </div>
        {session.error && (
          <p class="notice error" role="alert">
            {session.error}
          </p>
        )}
      </header>
      <main class="grid" data-count={count} aria-label="People in the call">
        <Tile participant={self} stream={session.localStream} self speaking={session.speaking.has(self.id)} />
        {others.map((p) => (
          <Tile key={p.id} participant={p} stream={session.streams.get(p.id) ?? null} speaking={session.speaking.has(p.id)} />
        ))}
      </main>
      <nav class="controls" aria-label="Call controls">
        <button
          type="button"
          class={session.audioMuted ? "toggle off" : "toggle"}
          aria-pressed={session.audioMuted}
          onClick={() => void session.setAudioMuted(!session.audioMuted)}
        >
          {session.audioMuted ? <MicOffIcon /> : <MicIcon />}
          <span>{session.audioMuted ? "Unmute" : "Mute"}</span>
        </button>
        <button
          type="button"
          class={session.videoMuted ? "toggle off" : "toggle"}
          aria-pressed={session.videoMuted}
          onClick={() => void session.setVideoMuted(!session.videoMuted)}
        >
          <CameraIcon off={session.videoMuted} />
          <span>{session.videoMuted ? "Turn camera on" : "Turn camera off"}</span>
        </button>
        <button type="button" class="danger" onClick={() => session.leave()}>
          <LeaveIcon />
          <span>Leave</span>
        </button>
      </nav>
    </div>
  );
}

/** A microphone. */
export function MicIcon() {
  return (
    <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
      <path fill="currentColor" d="M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.92V21h2v-3.08A7 7 0 0 0 19 11z" />
    </svg>
  );
}

/** A camera, crossed out when off. */
export function CameraIcon({ off }: { off: boolean }) {
  return (
    <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
      <path fill="currentColor" d="M4 6h11a2 2 0 0 1 2 2v2.5l4-3v9l-4-3V16a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2z" />
      {off && <path stroke="currentColor" stroke-width="2" d="M3 3l18 18" />}
    </svg>
  );
}

function LeaveIcon() {
  return (
    <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
      <path fill="currentColor" d="M12 9c-1.6 0-3.15.25-4.6.72v3.1c0 .39-.23.74-.56.9-.98.49-1.87 1.12-2.66 1.85a1 1 0 0 1-1.41-.02L.29 13.08a1 1 0 0 1 0-1.41C3.34 8.78 7.46 7 12 7s8.66 1.78 11.71 4.67a1 1 0 0 1 0 1.41l-2.48 2.48a1 1 0 0 1-1.41.02 11.3 11.3 0 0 0-2.67-1.85 1 1 0 0 1-.56-.9v-3.1C15.15 9.25 13.6 9 12 9z" />
    </svg>
  );
}
