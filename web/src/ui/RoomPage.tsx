import { useEffect, useRef, useState } from "preact/hooks";
import type { JSX } from "preact";
import { ApiError, getMe, getRoom, joinAsGuest, roomTitle, type Me, type Room } from "../api";
import { CallSession, type SessionEnd } from "../rtc/session";
import { acquireLocalMedia, stopStream, type LocalMedia } from "../rtc/media";
import { announce } from "./announcer";
import { Call, CameraIcon, MicIcon } from "./Call";
import { MicOffIcon, StreamVideo } from "./Tile";
import { messageOf } from "./HomePage";

type Phase =
  | { kind: "loading" }
  | { kind: "unavailable"; title: string; detail: string; retry: boolean }
  | { kind: "lobby" }
  | { kind: "call"; session: CallSession }
  | { kind: "over"; end: SessionEnd; rejoining: boolean };

/** /r/<token>: the join page, then the call, then the goodbye screen. */
export function RoomPage({ token }: { token: string }) {
  const [phase, setPhase] = useState<Phase>({ kind: "loading" });
  const [room, setRoom] = useState<Room | null>(null);
  const [me, setMe] = useState<Me>({ user: null, guest: null });
  const [media, setMedia] = useState<LocalMedia | null>(null);
  const [audioOn, setAudioOn] = useState(true);
  const [videoOn, setVideoOn] = useState(true);
  // The preview stream until a session takes it over; stopped if we go away.
  const previewRef = useRef<MediaStream | null>(null);
  const mediaPromise = useRef<Promise<LocalMedia> | null>(null);

  const load = async () => {
    setPhase({ kind: "loading" });
    try {
      const [r, m] = await Promise.all([getRoom(token), getMe()]);
      setRoom(r);
      setMe(m);
      document.title = `${roomTitle(r)} · Rooms`;
      if (r.ended) setPhase(unavailable(410, ""));
      else {
        setPhase({ kind: "lobby" });
        startPreview();
      }
    } catch (err) {
      setPhase(unavailable(err instanceof ApiError ? err.status : 0, messageOf(err)));
    }
  };

  const startPreview = () => {
    if (mediaPromise.current) return mediaPromise.current;
    const p = acquireLocalMedia().then((m) => {
      previewRef.current = m.stream;
      setMedia(m);
      if (m.problem) announce(m.problem);
      return m;
    });
    mediaPromise.current = p;
    return p;
  };

  useEffect(() => {
    void load();
    return () => stopStream(previewRef.current);
  }, [token]);

  // The lobby's toggles act on the preview right away.
  useEffect(() => {
    media?.stream.getAudioTracks().forEach((t) => (t.enabled = audioOn));
    media?.stream.getVideoTracks().forEach((t) => (t.enabled = videoOn));
  }, [media, audioOn, videoOn]);

  // Follow the session until it ends, then show the goodbye screen.
  const session = phase.kind === "call" ? phase.session : null;
  useEffect(() => {
    if (!session) return;
    const unsubscribe = session.subscribe(() => {
      if (!session.ended) return;
      setAudioOn(!session.audioMuted);
      setVideoOn(!session.videoMuted);
      setPhase({ kind: "over", end: session.ended, rejoining: false });
    });
    return () => {
      unsubscribe();
      session.leave();
    };
  }, [session]);

  const startCall = (m: LocalMedia) => {
    previewRef.current = null;
    mediaPromise.current = null;
    setMedia(null);
    const s = new CallSession({ token, stream: m.stream, audioMuted: !audioOn, videoMuted: !videoOn, announce });
    s.start();
    setPhase({ kind: "call", session: s });
  };

  const rejoin = async (end: SessionEnd) => {
    setPhase({ kind: "over", end, rejoining: true });
    const m = await startPreview();
    startCall(m);
  };

  const title = room ? roomTitle(room) : "Room";
  const selfName = me.user?.displayName ?? me.guest?.displayName ?? "You";

  switch (phase.kind) {
    case "loading":
      return (
        <main class="page centered">
          <p class="muted">Loading the room…</p>
        </main>
      );
    case "unavailable":
      return (
        <main class="page centered">
          <div class="card message">
            <h1>{phase.title}</h1>
            <p>{phase.detail}</p>
            <div class="row">
              {phase.retry && (
                <button type="button" class="primary" onClick={() => void load()}>
                  Try again
                </button>
              )}
              <a class="button" href="/">
                Go to the home page
              </a>
            </div>
          </div>
        </main>
      );
    case "lobby":
      return (
        <Lobby
          title={title}
          room={room}
          me={me}
          media={media}
          audioOn={audioOn}
          videoOn={videoOn}
          onAudio={setAudioOn}
          onVideo={setVideoOn}
          onGuest={(guest) => setMe({ ...me, guest })}
          onJoin={async () => startCall(await startPreview())}
          token={token}
        />
      );
    case "call":
      return <Call session={phase.session} title={title} selfName={selfName} />;
    case "over": {
      const gone = /doesn't exist|has ended/.test(phase.end.message);
      return (
        <main class="page centered">
          <div class="card message">
            <h1>{phase.end.message}</h1>
            {phase.end.reason === "lost" && <p>Check your connection, then try again.</p>}
            <div class="row">
              {!gone && (
                <button type="button" class="primary" disabled={phase.rejoining} onClick={() => void rejoin(phase.end)}>
                  {phase.rejoining ? "Joining…" : "Rejoin"}
                </button>
              )}
              <a class="button" href="/">
                Go to the home page
              </a>
            </div>
          </div>
        </main>
      );
    }
  }
}

function unavailable(status: number, message: string): Phase {
  if (status === 404) {
    return { kind: "unavailable", title: "This room doesn't exist", detail: "Check the link, or ask the host for a new one.", retry: false };
  }
  if (status === 410) {
    return { kind: "unavailable", title: "This room has ended", detail: "The host ended this room. Its link doesn't open any more.", retry: false };
  }
  return { kind: "unavailable", title: "We couldn't open this room", detail: message, retry: true };
}

interface LobbyProps {
  token: string;
  title: string;
  room: Room | null;
  me: Me;
  media: LocalMedia | null;
  audioOn: boolean;
  videoOn: boolean;
  onAudio: (on: boolean) => void;
  onVideo: (on: boolean) => void;
  onGuest: (g: NonNullable<Me["guest"]>) => void;
  onJoin: () => Promise<void>;
}

/** The join page: the preview, the name of a guest, the toggles and Join. */
function Lobby(props: LobbyProps) {
  const { token, title, room, me, media, audioOn, videoOn } = props;
  const [name, setName] = useState(me.guest?.roomToken === token ? me.guest.displayName : "");
  const [joining, setJoining] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const nameRef = useRef<HTMLInputElement>(null);
  const hasAudio = !!media?.stream.getAudioTracks().length;
  const hasVideo = !!media?.stream.getVideoTracks().length;

  const submit = async (e: JSX.TargetedEvent<HTMLFormElement>) => {
    e.preventDefault();
    setError(null);
    const displayName = name.trim();
    if (!me.user && !displayName) {
      setError("Please enter your name so others know who you are.");
      nameRef.current?.focus();
      return;
    }
    setJoining(true);
    announce("Joining…");
    try {
      const sameGuest = me.guest?.roomToken === token && me.guest.displayName === displayName;
      if (!me.user && !sameGuest) props.onGuest(await joinAsGuest(token, displayName));
      await props.onJoin();
    } catch (err) {
      setError(messageOf(err));
      setJoining(false);
    }
  };

  return (
    <main class="page lobby">
      <div class="preview">
        <StreamVideo stream={media?.stream ?? null} muted mirrored label="Your camera preview" />
        {(!hasVideo || !videoOn) && (
          <div class="placeholder" aria-hidden="true">
            <span>{media === null ? "Starting camera…" : hasVideo ? "Camera is off" : "No camera"}</span>
          </div>
        )}
        <div class="preview-controls">
          <button type="button" class={audioOn ? "toggle" : "toggle off"} aria-pressed={!audioOn} disabled={!hasAudio} onClick={() => props.onAudio(!audioOn)}>
            {audioOn && hasAudio ? <MicIcon /> : <MicOffIcon />}
            <span>{audioOn && hasAudio ? "Mute" : "Unmute"}</span>
          </button>
          <button type="button" class={videoOn ? "toggle" : "toggle off"} aria-pressed={!videoOn} disabled={!hasVideo} onClick={() => props.onVideo(!videoOn)}>
            <CameraIcon off={!videoOn || !hasVideo} />
            <span>{videoOn && hasVideo ? "Turn camera off" : "Turn camera on"}</span>
          </button>
        </div>
      </div>
      <form class="card join" onSubmit={submit} aria-labelledby="room-title">
        <p class="muted">You're about to join</p>
        <h1 id="room-title">{title}</h1>
        {room?.name.trim() && <p class="muted">Hosted by {room.host.displayName}</p>}
        {media?.problem && (
          <p class="notice warning" role="alert">
            {media.problem}
          </p>
        )}
        {me.user ? (
          <p>
            You'll join as <strong>{me.user.displayName}</strong>.
          </p>
        ) : (
          <label class="field">
            <span>Your name</span>
            <input ref={nameRef} name="displayName" autocomplete="name" maxLength={64} value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </label>
        )}
        {error && (
          <p class="notice error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary large" disabled={joining}>
          {joining ? "Joining…" : "Join"}
        </button>
      </form>
    </main>
  );
}
