// The call screen: the stage, the header with the room's state, the side
// panels (people, chat) and the control bar. The waiting screen is part of
// it, so the chat and settings survive being let in.

import { useEffect, useRef, useState } from "preact/hooks";
import type { CallSession, ConnectionStatus } from "../rtc/session";
import { REACTIONS, type Participant, type ServerMessage } from "../protocol";
import { roomLink } from "../api";
import { plural, t } from "../i18n";
import { announce } from "./announcer";
import { Dialog, Popover, copyText } from "./common";
import { BackgroundPicker } from "./Backgrounds";
import { effects } from "./effects";
import { ChatPanel, type ChatEntry } from "./ChatPanel";
import { CameraIcon, ChatIcon, CloseIcon, HandIcon, LeaveIcon, LockIcon, MicIcon, MoreIcon, PeopleIcon, ScreenIcon, SmileIcon } from "./icons";
import { personAudio, personMedia } from "./streams";
import { DevicesDialog } from "./DevicesDialog";
import { PeoplePanel } from "./PeoplePanel";
import { EndRoomDialog, ReportDialog, RoomSettingsDialog } from "./RoomDialogs";
import { Stage, type StageItem, type ViewMode } from "./Stage";
import { StreamAudio, StreamVideo } from "./Tile";
import { themeOf } from "./themes";
import { useQuality } from "./quality";

const STATUS_TEXT: Record<ConnectionStatus, string> = {
  connecting: "Connecting…",
  waiting: "Waiting for the host",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  disconnected: "Disconnected",
};

// How long a reaction floats over a tile, and a toast stays.
const REACTION_MS = 4000;
const TOAST_MS = 5000;

interface CallProps {
  session: CallSession;
  title: string;
  /** Our name before the server has told us who we are. */
  selfName: string;
  /** The link token this page was opened with (empty for drop-in). */
  pageToken: string;
}

type Panel = "people" | "chat" | null;
type DialogName = "report" | "settings" | "end" | "devices" | "effects" | null;

/** The call screen: the grid of people, the status line and the controls. */
export function Call({ session, title, selfName, pageToken }: CallProps) {
  const [, setTick] = useState(0);
  useEffect(() => session.subscribe(() => setTick((n) => n + 1)), [session]);

  const [panel, setPanel] = useState<Panel>(null);
  const [dialog, setDialog] = useState<DialogName>(null);
  const [moreOpen, setMoreOpen] = useState(false);
  const [reactOpen, setReactOpen] = useState(false);
  const [view, setView] = useState<ViewMode>("grid");
  const [chat, setChat] = useState<ChatEntry[]>([]);
  const [unread, setUnread] = useState(0);
  const [toasts, setToasts] = useState<{ key: number; text: string }[]>([]);
  const [reactions, setReactions] = useState<Map<string, { emoji: string; key: number }>>(new Map());
  const [activeSpeaker, setActiveSpeaker] = useState<string | null>(null);
  const keyRef = useRef(0);
  const panelRef = useRef<Panel>(null);
  panelRef.current = panel;
  const quality = useQuality(session);

  const toast = (text: string) => {
    const key = ++keyRef.current;
    setToasts((list) => [...list.slice(-2), { key, text }]);
    setTimeout(() => setToasts((list) => list.filter((x) => x.key !== key)), TOAST_MS);
  };

  // Chat, reactions and the host's notices arrive as messages.
  useEffect(
    () =>
      session.onMessage((m: ServerMessage) => {
        const selfId = session.self?.id;
        switch (m.type) {
          case "chat": {
            const self = m.from === selfId;
            setChat((list) => [...list, { key: ++keyRef.current, from: m.from, name: m.name, text: m.text, at: m.at, self }]);
            if (!self && panelRef.current !== "chat") {
              setUnread((n) => n + 1);
              toast(`${m.name}: ${m.text.length > 80 ? `${m.text.slice(0, 80)}…` : m.text}`);
            }
            if (!self) announce(t("{name} says: {text}", { name: m.name, text: m.text }));
            break;
          }
          case "reaction": {
            const key = ++keyRef.current;
            setReactions((prev) => new Map(prev).set(m.from, { emoji: m.emoji, key }));
            setTimeout(
              () =>
                setReactions((prev) => {
                  if (prev.get(m.from)?.key !== key) return prev;
                  const next = new Map(prev);
                  next.delete(m.from);
                  return next;
                }),
              REACTION_MS,
            );
            break;
          }
          case "mutedByHost":
            toast(t("The host muted you"));
            announce(t("The host muted you"));
            break;
        }
      }),
    [session],
  );

  // While reconnecting the session knows nobody; keep showing who was
  // there (without their video) rather than an empty room.
  const lastOthers = useRef<Participant[]>([]);
  const live = [...session.participants.values()];
  const stale = session.status === "reconnecting" && live.length === 0;
  // Remember who is there while connected (a closed connection forgets them first).
  if (live.length > 0 || (session.status === "connected" && session.pubPC)) lastOthers.current = live;
  const others = stale ? lastOthers.current : live;

  // Raised hands are announced when they go up.
  const raisedRef = useRef(new Set<string>());
  useEffect(() => {
    const now = new Set(others.filter((p) => p.handRaised).map((p) => p.id));
    for (const p of others) {
      if (now.has(p.id) && !raisedRef.current.has(p.id)) {
        toast(t("{name} raised their hand", { name: p.name }));
        announce(t("{name} raised their hand", { name: p.name }));
      }
    }
    raisedRef.current = now;
  });

  // The lock is visible to all, and announced when it changes.
  const room = session.room;
  const locked = !!room?.locked;
  const lockedBefore = useRef<boolean | null>(null);
  useEffect(() => {
    if (lockedBefore.current !== null && lockedBefore.current !== locked) {
      announce(locked ? t("The room is now locked") : t("The room is now unlocked"));
    }
    lockedBefore.current = locked;
  }, [locked]);

  // The active speaker: the server's, or whoever we heard last, ourselves excepted.
  const selfId = session.self?.id ?? "self";
  useEffect(() => {
    const next = session.activeSpeaker && session.activeSpeaker !== selfId ? session.activeSpeaker : [...session.speaking].find((id) => id !== selfId);
    if (next && next !== activeSpeaker) setActiveSpeaker(next);
  }, [session.speaking, session.activeSpeaker]);

  // Keyboard shortcuts as in other meeting apps: Ctrl+D microphone, Ctrl+E camera.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
      if (e.key === "d") {
        e.preventDefault();
        void session.setAudioMuted(!session.audioMuted);
      } else if (e.key === "e") {
        e.preventDefault();
        void session.setVideoMuted(!session.videoMuted);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [session]);

  const self: Participant = session.selfView() ?? {
    id: "self",
    name: selfName,
    guest: false,
    host: false,
    audioMuted: session.audioMuted,
    videoMuted: session.videoMuted,
  };
  const isHost = !!session.self?.host;
  const linkToken = room?.token ?? null;
  const hostToken = isHost ? (linkToken ?? (pageToken || null)) : null;
  const reportToken = linkToken ?? (pageToken || null);
  const count = others.length + 1;
  const theme = themeOf(room?.theme);
  const shownTitle = room ? (room.name.trim() ? room.name : title) : title;

  const openPanel = (p: Panel) => {
    const next = panel === p ? null : p;
    setPanel(next);
    if (next === "chat") setUnread(0);
  };

  const sendChat = (text: string) => session.sendSocial({ type: "chat", text });
  const react = (emoji: string) => {
    session.sendSocial({ type: "reaction", emoji });
    setReactOpen(false);
  };
  const toggleHand = () => {
    const raised = !self.handRaised;
    if (session.sendSocial({ type: "hand", raised })) announce(raised ? t("You raised your hand") : t("You lowered your hand"));
  };
  const copyLink = async () => {
    if (!linkToken) return;
    const ok = await copyText(roomLink(linkToken));
    const msg = ok ? t("Link copied") : t("Couldn't copy the link.");
    toast(msg);
    announce(msg);
    setMoreOpen(false);
  };

  if (session.status === "waiting") {
    return (
      <main class="page centered waiting-screen">
        <div class="card message">
          <div class="waiting-preview">
            <StreamVideo stream={session.localStream} muted mirrored label={t("Your camera preview")} />
          </div>
          <h1>{t("Waiting for the host to let you in…")}</h1>
          <p class="muted">{t("You'll join {room} as soon as the host arrives.", { room: shownTitle })}</p>
          <div class="row center">
            <button type="button" onClick={() => void session.setAudioMuted(!session.audioMuted)} aria-pressed={session.audioMuted}>
              <MicIcon off={session.audioMuted} />
              <span>{session.audioMuted ? t("Unmute") : t("Mute")}</span>
            </button>
            <button type="button" class="danger" onClick={() => session.leave()}>
              <LeaveIcon />
              <span>{t("Leave")}</span>
            </button>
          </div>
        </div>
      </main>
    );
  }

  const items: StageItem[] = [{ key: self.id, participant: self, stream: session.localStream, self: true, screen: false }];
  if (session.screenStream) items.push({ key: `${self.id}:screen`, participant: self, stream: session.screenStream, self: true, screen: true });
  for (const p of others) {
    const media = personMedia(session, p.id);
    items.push({ key: p.id, participant: p, stream: media.camera, self: false, screen: false });
    if (media.screen) items.push({ key: `${p.id}:screen`, participant: p, stream: media.screen, self: false, screen: true });
  }
  const canShare = typeof navigator.mediaDevices?.getDisplayMedia === "function";
  const toggleShare = async () => {
    if (session.screenStream) {
      session.stopScreenShare();
      return;
    }
    const problem = await session.startScreenShare();
    if (problem) toast(t(problem));
  };

  return (
    <div class={`call${panel ? " with-panel" : ""}`}>
      <header class="call-header">
        <h1>
          {theme && <span aria-hidden="true">{theme.emoji} </span>}
          {shownTitle}
        </h1>
        <div class="status-line">
          <span class={`dot ${session.status}`} aria-hidden="true" />
          <p class="status" role="status" data-testid="connection-status" data-status={session.status}>
            {t(STATUS_TEXT[session.status])}
          </p>
          <span class={`quality ${quality}`} role="img" aria-label={t("Connection quality: {q}", { q: t(quality) })} title={t("Connection quality: {q}", { q: t(quality) })}>
            <i />
            <i />
            <i />
          </span>
          <span class="muted">· {count === 1 ? t("Only you") : plural(count, "1 person", "{n} people")}</span>
          <span aria-live="polite" class="lock-live">
            {locked && (
              <span class="badge lock" data-testid="lock-badge" title={lockReasonText(room?.lockReason)}>
                <LockIcon />
                {t("Locked")}
                <span class="sr-only"> · {lockReasonText(room?.lockReason)}</span>
              </span>
            )}
          </span>
        </div>
        {session.error && (
          <p class="notice error" role="alert">
            {t(session.error)}
          </p>
        )}
      </header>
      {session.status === "reconnecting" && (
        <div class="banner" role="status" data-testid="reconnecting">
          {t("Reconnecting…")}
        </div>
      )}
      {session.screenStream && (
        <div class="banner sharing" role="status">
          {t("You are sharing your screen")}
          <button type="button" class="small" onClick={() => session.stopScreenShare()}>
            {t("Stop sharing")}
          </button>
        </div>
      )}
      <div class="call-body">
        <Stage
          items={items}
          view={view}
          featured={activeSpeaker}
          speaking={session.speaking}
          reactions={reactions}
          onLayout={(tracks) => session.setTileLayout(tracks)}
        />
        {panel && (
          <aside class="panel" aria-labelledby="panel-title">
            <div class="panel-head">
              <h2 id="panel-title">{panel === "chat" ? t("Chat") : t("People")}</h2>
              <button type="button" class="icon" aria-label={t("Close panel")} onClick={() => setPanel(null)}>
                <CloseIcon />
              </button>
            </div>
            {panel === "chat" ? (
              <ChatPanel entries={chat} onSend={sendChat} />
            ) : (
              <PeoplePanel self={self} others={others} room={room} hostToken={hostToken} />
            )}
          </aside>
        )}
      </div>
      {/* Everyone's sound, whichever page or view shows them. */}
      <div hidden>
        {others.map((p) => {
          const audio = personAudio(session, p.id);
          return audio ? <StreamAudio key={p.id} stream={audio} /> : null;
        })}
      </div>
      <div class="toasts" aria-hidden="true">
        {toasts.map((x) => (
          <div key={x.key} class="toast">
            {x.text}
          </div>
        ))}
      </div>
      <nav class="controls" aria-label={t("Call controls")}>
        <button
          type="button"
          class={session.audioMuted ? "toggle off" : "toggle"}
          aria-pressed={session.audioMuted}
          title={`${session.audioMuted ? t("Unmute") : t("Mute")} (Ctrl+D)`}
          onClick={() => void session.setAudioMuted(!session.audioMuted)}
        >
          <MicIcon off={session.audioMuted} />
          <span class="label">{session.audioMuted ? t("Unmute") : t("Mute")}</span>
        </button>
        <button
          type="button"
          class={session.videoMuted ? "toggle off" : "toggle"}
          aria-pressed={session.videoMuted}
          title={`${session.videoMuted ? t("Turn camera on") : t("Turn camera off")} (Ctrl+E)`}
          onClick={() => void session.setVideoMuted(!session.videoMuted)}
        >
          <CameraIcon off={session.videoMuted} />
          <span class="label">{session.videoMuted ? t("Turn camera on") : t("Turn camera off")}</span>
        </button>
        {canShare && (
          <button
            type="button"
            class={session.screenStream ? "toggle on" : "toggle"}
            aria-pressed={!!session.screenStream}
            title={session.screenStream ? t("Stop sharing") : t("Share screen")}
            onClick={() => void toggleShare()}
          >
            <ScreenIcon />
            <span class="label">{session.screenStream ? t("Stop sharing") : t("Share screen")}</span>
          </button>
        )}
        <div class="popover-anchor">
          <button type="button" class="toggle" aria-expanded={reactOpen} aria-haspopup="true" title={t("React")} onClick={() => setReactOpen(!reactOpen)}>
            <SmileIcon />
            <span class="label">{t("React")}</span>
          </button>
          {reactOpen && (
            <Popover class="reactions-picker" label={t("Reactions")} onClose={() => setReactOpen(false)}>
              {REACTIONS.map((emoji) => (
                <button key={emoji} type="button" class="emoji" aria-label={t("React with {emoji}", { emoji })} onClick={() => react(emoji)}>
                  {emoji}
                </button>
              ))}
            </Popover>
          )}
        </div>
        <button
          type="button"
          class={self.handRaised ? "toggle on" : "toggle"}
          aria-pressed={!!self.handRaised}
          title={self.handRaised ? t("Lower hand") : t("Raise hand")}
          onClick={toggleHand}
        >
          <HandIcon />
          <span class="label">{self.handRaised ? t("Lower hand") : t("Raise hand")}</span>
        </button>
        <button
          type="button"
          class={panel === "chat" ? "toggle on" : "toggle"}
          aria-pressed={panel === "chat"}
          aria-label={unread > 0 ? t("Chat, {n} unread", { n: unread }) : t("Chat")}
          title={t("Chat")}
          onClick={() => openPanel("chat")}
        >
          <ChatIcon />
          <span class="label" aria-hidden="true">
            {t("Chat")}
          </span>
          {unread > 0 && (
            <span class="count-badge" aria-hidden="true" data-testid="unread">
              {unread}
            </span>
          )}
        </button>
        <button
          type="button"
          class={panel === "people" ? "toggle on" : "toggle"}
          aria-pressed={panel === "people"}
          title={t("People")}
          onClick={() => openPanel("people")}
        >
          <PeopleIcon />
          <span class="label">{t("People")}</span>
          <span class="count-badge subtle" aria-hidden="true">
            {count}
          </span>
        </button>
        <div class="popover-anchor">
          <button type="button" class="toggle" aria-expanded={moreOpen} aria-haspopup="true" title={t("More options")} onClick={() => setMoreOpen(!moreOpen)}>
            <MoreIcon />
            <span class="label">{t("More options")}</span>
          </button>
          {moreOpen && (
            <Popover class="menu" label={t("More options")} onClose={() => setMoreOpen(false)}>
              <button
                type="button"
                onClick={() => {
                  setView(view === "grid" ? "speaker" : "grid");
                  setMoreOpen(false);
                }}
              >
                {view === "grid" ? t("Speaker view") : t("Grid view")}
              </button>
              <button
                type="button"
                onClick={() => {
                  setDialog("devices");
                  setMoreOpen(false);
                }}
              >
                {t("Devices")}
              </button>
              <button
                type="button"
                onClick={() => {
                  setDialog("effects");
                  setMoreOpen(false);
                }}
              >
                {t("Backgrounds and effects")}
              </button>
              {linkToken && (
                <button type="button" onClick={() => void copyLink()}>
                  {t("Copy link")}
                </button>
              )}
              {hostToken && (
                <>
                  <button
                    type="button"
                    onClick={() => {
                      setDialog("settings");
                      setMoreOpen(false);
                    }}
                  >
                    {t("Room settings")}
                  </button>
                  <button
                    type="button"
                    class="danger-text"
                    onClick={() => {
                      setDialog("end");
                      setMoreOpen(false);
                    }}
                  >
                    {t("End room for everyone")}
                  </button>
                </>
              )}
              <button
                type="button"
                onClick={() => {
                  setDialog("report");
                  setMoreOpen(false);
                }}
              >
                {t("Report room")}
              </button>
            </Popover>
          )}
        </div>
        <button type="button" class="danger leave" title={t("Leave")} onClick={() => session.leave()}>
          <LeaveIcon />
          <span class="label">{t("Leave")}</span>
        </button>
      </nav>
      {dialog === "effects" && (
        <Dialog title={t("Backgrounds and effects")} onClose={() => setDialog(null)} wide>
          <BackgroundPicker
            hideLegend
            onPick={async (id) => {
              const camera = effects.source ?? session.localStream.getVideoTracks()[0];
              if (!camera) throw new Error(t("Turn your camera on first."));
              await session.replaceVideoTrack(await effects.apply(camera, id));
            }}
          />
          <div class="row end">
            <button type="button" class="primary" onClick={() => setDialog(null)}>
              {t("Close")}
            </button>
          </div>
        </Dialog>
      )}
      {dialog === "devices" && <DevicesDialog session={session} onClose={() => setDialog(null)} />}
      {dialog === "report" && <ReportDialog token={reportToken} onClose={() => setDialog(null)} />}
      {dialog === "settings" && hostToken && room && <RoomSettingsDialog token={hostToken} room={room} onClose={() => setDialog(null)} />}
      {dialog === "end" && hostToken && <EndRoomDialog token={hostToken} onClose={() => setDialog(null)} />}
    </div>
  );
}

function lockReasonText(reason: string | undefined): string {
  if (reason === "removal") return t("Locked after someone was removed. Only the host can unlock it.");
  if (reason === "host_away") return t("Locked while the host is away. Nobody new can join.");
  return t("Nobody new can join. Only the host can unlock it.");
}

export { CameraIcon, MicIcon };
