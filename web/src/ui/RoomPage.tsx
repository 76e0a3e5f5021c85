// /r/<token> and /d/<room id>: the join page, then the call (or its waiting
// screen), then a screen that says how it ended.

import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, getDropInRoom, getMe, getRoom, roomTitle, type JoinVerdict, type Me, type Room } from "../api";
import { CallSession, type AnnounceVars, type SessionEnd } from "../rtc/session";
import { acquireLocalMedia, stopStream, type LocalMedia } from "../rtc/media";
import { t } from "../i18n";
import { announce } from "./announcer";
import { Call } from "./Call";
import { messageOf } from "./common";
import { Lobby } from "./Lobby";
import { effects } from "./effects";

type Phase =
  | { kind: "loading" }
  | { kind: "unavailable"; end: EndScreen }
  | { kind: "lobby" }
  | { kind: "call"; session: CallSession }
  | { kind: "over"; end: EndScreen; rejoining: boolean };

/** What an end screen says and offers. */
interface EndScreen {
  title: string;
  detail: string;
  /** Rejoin / Try again. */
  retry: boolean;
  /** The retry button says Rejoin (we were in the call) rather than Try again. */
  rejoin?: boolean;
  signIn: boolean;
}

interface Props {
  /** The link token (for /r/<token>), or "" for a drop-in. */
  token: string;
  /** The room id of a drop-in (/d/<id>). */
  dropInId?: string;
}

/** /r/<token>: the join page, then the call, then the goodbye screen. */
export function RoomPage({ token, dropInId }: Props) {
  const [phase, setPhase] = useState<Phase>({ kind: "loading" });
  const [room, setRoom] = useState<Room | null>(null);
  const [me, setMe] = useState<Me>({ user: null, guest: null });
  const [media, setMedia] = useState<LocalMedia | null>(null);
  const [audioOn, setAudioOn] = useState(true);
  const [videoOn, setVideoOn] = useState(true);
  // The preview stream until a session takes it over; stopped if we go away.
  const previewRef = useRef<MediaStream | null>(null);
  const mediaPromise = useRef<Promise<LocalMedia> | null>(null);
  const autoJoin = new URLSearchParams(window.location.search).get("join") === "1";

  const load = async () => {
    setPhase({ kind: "loading" });
    try {
      const [r, m] = await Promise.all([dropInId ? getDropInRoom(dropInId) : getRoom(token), getMe()]);
      setRoom(r);
      setMe(m);
      document.title = `${roomTitle(r)} · Rooms`;
      if (r.ended) {
        setPhase({ kind: "unavailable", end: endScreen({ reason: "ended", message: "" }) });
        return;
      }
      setPhase({ kind: "lobby" });
      // Someone who can't join is told so at once, and their camera is
      // left alone.
      if (joinBlocked(r)) return;
      const p = startPreview();
      // One click from the drop-in tray: signed-in people go straight in.
      if (autoJoin && m.user) startCall(await p);
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 0;
      setPhase({ kind: "unavailable", end: loadFailure(status, messageOf(err)) });
    }
  };

  const startPreview = () => {
    if (mediaPromise.current) return mediaPromise.current;
    const p: Promise<LocalMedia> = acquireLocalMedia().then((m) => {
      // Given up meanwhile (we may not join after all): stopPreview stops it.
      if (mediaPromise.current !== p) return m;
      previewRef.current = m.stream;
      setMedia(m);
      if (m.problem) announce(t(m.problem));
      return m;
    });
    mediaPromise.current = p;
    return p;
  };

  // On the join page, whether we may join (a lock, a full room, a lifted
  // removal) can change at any moment: look again now and then, and when
  // the page comes back into view.
  const inLobby = phase.kind === "lobby";
  const inLobbyRef = useRef(inLobby);
  inLobbyRef.current = inLobby;
  useEffect(() => {
    if (!inLobby) return;
    const refresh = async () => {
      let r: Room;
      try {
        r = await (dropInId ? getDropInRoom(dropInId) : getRoom(token));
      } catch (err) {
        const status = err instanceof ApiError ? err.status : 0;
        if (inLobbyRef.current && (status === 404 || status === 410)) setPhase({ kind: "unavailable", end: loadFailure(status, messageOf(err)) });
        return;
      }
      if (!inLobbyRef.current) return;
      setRoom(r);
      if (r.ended) {
        setPhase({ kind: "unavailable", end: endScreen({ reason: "ended", message: "" }) });
      } else if (joinBlocked(r)) {
        stopPreview();
      } else {
        void startPreview();
      }
    };
    const timer = setInterval(() => void refresh(), LOBBY_REFRESH_MS);
    const onVisible = () => document.visibilityState === "visible" && void refresh();
    window.addEventListener("focus", onVisible);
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      clearInterval(timer);
      window.removeEventListener("focus", onVisible);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [inLobby, token, dropInId]);

  const stopPreview = () => {
    if (!mediaPromise.current) return;
    const p = mediaPromise.current;
    mediaPromise.current = null;
    previewRef.current = null;
    setMedia(null);
    effects.stop()?.stop();
    void p.then((m) => stopStream(m.stream));
  };

  useEffect(() => {
    void load();
    return () => {
      stopStream(previewRef.current);
      effects.stop()?.stop();
    };
  }, [token, dropInId]);

  // The lobby's toggles act on the preview right away.
  useEffect(() => {
    media?.stream.getAudioTracks().forEach((tr) => (tr.enabled = audioOn));
    media?.stream.getVideoTracks().forEach((tr) => (tr.enabled = videoOn));
  }, [media, audioOn, videoOn]);

  // Follow the session until it ends, then show the goodbye screen.
  const session = phase.kind === "call" ? phase.session : null;
  useEffect(() => {
    if (!session) return;
    const unsubscribe = session.subscribe(() => {
      if (!session.ended) return;
      // The camera behind an effect is ours to stop.
      effects.stop()?.stop();
      setAudioOn(!session.audioMuted);
      setVideoOn(!session.videoMuted);
      setPhase({ kind: "over", end: endScreen(session.ended), rejoining: false });
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
    const opts = { token, stream: m.stream, audioMuted: !audioOn, videoMuted: !videoOn, announce: (text: string, vars?: AnnounceVars) => announce(t(text, vars)) };
    const s = new CallSession(dropInId ? { ...opts, dropInId } : opts);
    s.start();
    setPhase({ kind: "call", session: s });
  };

  const rejoin = async () => {
    if (phase.kind === "over") setPhase({ ...phase, rejoining: true });
    const m = await startPreview();
    startCall(m);
  };

  const title = room ? roomTitle(room) : t("Room");
  const selfName = me.user?.displayName ?? me.guest?.displayName ?? t("You");

  switch (phase.kind) {
    case "loading":
      return (
        <main class="page centered">
          <p class="muted" role="status">
            {t("Loading the room…")}
          </p>
        </main>
      );
    case "unavailable":
      return <EndCard end={phase.end} onRetry={() => void load()} busy={false} />;
    case "lobby": {
      const blocked = room && joinBlocked(room);
      if (blocked) return <EndCard end={blockedScreen(blocked, room, !!me.user)} onRetry={() => void load()} busy={false} />;
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
    }
    case "call":
      return <Call session={phase.session} title={title} selfName={selfName} pageToken={token} />;
    case "over":
      return <EndCard end={phase.end} onRetry={() => void rejoin()} busy={phase.rejoining} />;
  }
}

function EndCard({ end, onRetry, busy }: { end: EndScreen; onRetry: () => void; busy: boolean }) {
  const here = window.location.pathname;
  return (
    <main class="page centered">
      <div class="card message" data-testid="end-screen">
        <h1>{end.title}</h1>
        {end.detail && <p>{end.detail}</p>}
        <div class="row">
          {end.signIn && (
            <a class="button primary" href={`/?next=${encodeURIComponent(here)}`}>
              {t("Sign in")}
            </a>
          )}
          {end.retry && (
            <button type="button" class={end.signIn ? "" : "primary"} disabled={busy} onClick={onRetry}>
              {busy ? t("Joining…") : end.rejoin ? t("Rejoin") : t("Try again")}
            </button>
          )}
          <a class="button" href="/">
            {t("Go to the home page")}
          </a>
        </div>
      </div>
    </main>
  );
}

/** How often the join page asks again whether we may join. */
const LOBBY_REFRESH_MS = 4000;

/**
 * Why we can't join the room now, or null. Rooms for signed-in people are
 * the join page's own to explain (it offers to sign in).
 */
function joinBlocked(room: Room): JoinVerdict | null {
  const v = room.join;
  return v && !v.allowed && v.code !== "unauthorized" ? v : null;
}

/** The join page of someone who can't join, by why: no Join, no camera. */
function blockedScreen(v: JoinVerdict, room: Room, signedIn: boolean): EndScreen {
  switch (v.code) {
    case "removed":
      return endScreen({ reason: "removed", message: "" });
    case "room_full":
    case "room_locked":
      return endScreen({ reason: "refused", message: v.message ?? "", code: v.code });
  }
  // Neutral: a block is never named. Only a room for its audience says so,
  // and someone not signed in may be in that audience.
  const audience = room.joinPolicy === "audience" && /only open to/.test(v.message ?? "");
  return {
    title: t("You can't join this room"),
    detail: audience ? audienceOnly(room.kind) : "",
    retry: false,
    signIn: !signedIn && audience,
  };
}

function audienceOnly(kind: Room["kind"]): string {
  if (kind === "group") return t("Only the group's members can join this room.");
  if (kind === "event") return t("Only the event's guests can join this room.");
  return t("Only the host's friends can join this room.");
}

/** The screen for a room that could not even be loaded. */
function loadFailure(status: number, message: string): EndScreen {
  if (status === 404) return { title: t("This room doesn't exist"), detail: t("Check the link, or ask the host for a new one."), retry: false, signIn: false };
  if (status === 410) return endScreen({ reason: "ended", message: "" });
  if (status === 401) return { title: t("Sign in to join this room"), detail: t("Rooms you drop into are for signed-in people."), retry: false, signIn: true };
  return { title: t("We couldn't open this room"), detail: message, retry: true, signIn: false };
}

/** The screen for a call that is over, by why it ended. */
export function endScreen(end: SessionEnd): EndScreen {
  const screen = (title: string, detail: string, retry = false, signIn = false): EndScreen => ({ title, detail, retry, signIn });
  switch (end.reason) {
    case "left":
      return { ...screen(t("You left the room"), "", true), rejoin: true };
    case "removed":
      return screen(t("The host removed you from this room"), t("You can't come back into this room."));
    case "ended":
      return screen(t("This room has ended"), t("The host ended this room. Its link doesn't open any more."));
    case "lost":
      return { ...screen(t(end.message), t("Check your connection, then try again."), true), rejoin: true };
    case "refused":
      break;
  }
  switch (end.code) {
    case "room_full":
      return screen(t("This room is full"), t("Try again when someone has left."), true);
    case "room_locked":
      return screen(t("This room is locked"), t("Nobody new can join right now. Ask the host to unlock it."), true);
    case "room_ended":
      return screen(t("This room has ended"), t("The host ended this room. Its link doesn't open any more."));
    case "forbidden":
      // Retrying makes sense: the host may lift a removal.
      return screen(t("You can't join this room"), end.message && !/can't join this room/i.test(end.message) ? t(end.message) : "", true);
    case "unauthorized":
      return screen(t("Sign in to join this room"), t(end.message), false, true);
    case "not_found":
      return screen(t("This room doesn't exist"), t("Check the link, or ask the host for a new one."));
  }
  if (/has ended/.test(end.message)) return screen(t("This room has ended"), "");
  if (/doesn't exist/.test(end.message)) return screen(t("This room doesn't exist"), "");
  return screen(t(end.message), "", true);
}
