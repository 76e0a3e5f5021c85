// The call screen: the header with the room's state, the stage, the side
// panels (people, chat), the control bar and the dialogs. The waiting
// screen is part of it, so chat and settings survive being let in.

import { useEffect, useState } from "preact/hooks";
import type { CallSession, ConnectionStatus } from "../rtc/session";
import type { Participant, SignalRoom } from "../protocol";
import { roomLink, setRoomLocked } from "../api";
import { plural, t } from "../i18n";
import { announce } from "./announcer";
import { Dialog, copyText, messageOf } from "./common";
import { BackgroundPicker } from "./Backgrounds";
import { CallControls, type DialogName, type Panel } from "./CallControls";
import { useActiveSpeaker, useCallMessages, useLockAnnouncement, useOthers, usePanelEscape, useRaisedHands, useShortcuts, useToasts } from "./callHooks";
import { ChatPanel } from "./ChatPanel";
import { DevicesDialog } from "./DevicesDialog";
import { effects } from "./effects";
import { CloseIcon, LeaveIcon, LockIcon, MicIcon } from "./icons";
import { PeoplePanel } from "./PeoplePanel";
import { EndRoomDialog, ReportDialog, RoomSettingsDialog } from "./RoomDialogs";
import { Stage, type StageItem, type ViewMode } from "./Stage";
import { personAudio, personMedia } from "./streams";
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

interface CallProps {
  session: CallSession;
  title: string;
  /** Our name before the server has told us who we are. */
  selfName: string;
  /** The link token this page was opened with (empty for drop-in). */
  pageToken: string;
}

/** The call screen: the grid of people, the status line and the controls. */
export function Call({ session, title, selfName, pageToken }: CallProps) {
  const [, setTick] = useState(0);
  useEffect(() => session.subscribe(() => setTick((n) => n + 1)), [session]);

  const [panel, setPanel] = useState<Panel>(null);
  const [dialog, setDialog] = useState<DialogName>(null);
  const [view, setView] = useState<ViewMode>("grid");
  const [pinned, setPinned] = useState<string | null>(null);
  const [toasts, toast] = useToasts();
  const { chat, unread, clearUnread, reactions } = useCallMessages(session, panel === "chat", toast);
  const others = useOthers(session);
  const room = session.room;
  useRaisedHands(others, toast);
  useLockAnnouncement(!!room?.locked);
  useShortcuts(session);
  const activeSpeaker = useActiveSpeaker(session);
  const closePanel = () => {
    if (!panel) return;
    setPanel(null);
    // The panel is going away: focus goes back to the button that opened it.
    document.querySelector<HTMLElement>(`.controls [data-panel="${panel}"]`)?.focus();
  };
  usePanelEscape(panel !== null, closePanel);

  const self: Participant = session.selfView() ?? {
    id: "self",
    name: selfName,
    guest: false,
    host: false,
    audioMuted: session.audioMuted,
    videoMuted: session.videoMuted,
  };
  const linkToken = room?.token ?? null;
  const hostToken = session.self?.host ? (linkToken ?? (pageToken || null)) : null;
  const shownTitle = room?.name.trim() ? room.name : title;

  if (session.status === "waiting") return <WaitingScreen session={session} title={shownTitle} />;

  const openPanel = (p: Panel) => {
    const next = panel === p ? null : p;
    setPanel(next);
    if (next === "chat") clearUnread();
  };
  const copyLink = async () => {
    if (!linkToken) return;
    const ok = await copyText(roomLink(linkToken));
    const msg = ok ? t("Link copied") : t("Couldn't copy the link.");
    toast(msg);
    announce(msg);
  };

  const items: StageItem[] = [{ key: self.id, participant: self, stream: session.localStream, self: true, screen: false }];
  if (session.screenStream) items.push({ key: `${self.id}:screen`, participant: self, stream: session.screenStream, self: true, screen: true });
  for (const p of others) {
    const media = personMedia(session, p.id);
    items.push({ key: p.id, participant: p, stream: media.camera, self: false, screen: false });
    if (media.screen) items.push({ key: `${p.id}:screen`, participant: p, stream: media.screen, self: false, screen: true });
  }

  return (
    <div class={`call${panel ? " with-panel" : ""}`}>
      <CallHeader session={session} room={room} title={shownTitle} count={others.length + 1} />
      {session.status === "reconnecting" && (
        <div class="banner" role="status" data-testid="reconnecting">
          {t("Reconnecting…")}
        </div>
      )}
      {room?.locked && room.lockReason === "host_was_away" && hostToken && <HostBackBanner token={hostToken} />}
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
          pinned={pinned}
          onPin={setPinned}
        />
        {panel && (
          <aside class="panel" aria-labelledby="panel-title">
            <div class="panel-head">
              <h2 id="panel-title" tabIndex={-1}>
                {panel === "chat" ? t("Chat") : t("People")}
              </h2>
              <button type="button" class="icon" aria-label={t("Close panel")} onClick={closePanel}>
                <CloseIcon />
              </button>
            </div>
            {panel === "chat" ? (
              <ChatPanel entries={chat} onSend={(text) => session.sendSocial({ type: "chat", text })} />
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
      <CallControls
        session={session}
        self={self}
        count={others.length + 1}
        panel={panel}
        onPanel={openPanel}
        unread={unread}
        view={view}
        onView={setView}
        onDialog={setDialog}
        canCopyLink={!!linkToken}
        onCopyLink={() => void copyLink()}
        isHost={!!hostToken}
        toast={toast}
      />
      {dialog === "effects" && <EffectsDialog session={session} onClose={() => setDialog(null)} />}
      {dialog === "devices" && <DevicesDialog session={session} onClose={() => setDialog(null)} />}
      {dialog === "report" && <ReportDialog token={linkToken ?? (pageToken || null)} dropInId={session.dropInId} onClose={() => setDialog(null)} />}
      {dialog === "settings" && hostToken && room && <RoomSettingsDialog token={hostToken} room={room} onClose={() => setDialog(null)} />}
      {dialog === "end" && hostToken && <EndRoomDialog token={hostToken} onClose={() => setDialog(null)} />}
    </div>
  );
}

/** The room's name, the connection, how many are here, and the lock, visible to all. */
function CallHeader({ session, room, title, count }: { session: CallSession; room: SignalRoom | null; title: string; count: number }) {
  const quality = useQuality(session);
  const theme = themeOf(room?.theme);
  const qualityText = t("Connection quality: {q}", { q: t(quality) });
  return (
    <header class="call-header">
      <h1>
        {theme && <span aria-hidden="true">{theme.emoji} </span>}
        {title}
      </h1>
      <div class="status-line">
        <span class={`dot ${session.status}`} aria-hidden="true" />
        <p class="status" role="status" data-testid="connection-status" data-status={session.status}>
          {t(STATUS_TEXT[session.status])}
        </p>
        <span class={`quality ${quality}`} role="img" aria-label={qualityText} title={qualityText}>
          <i />
          <i />
          <i />
        </span>
        <span class="muted">· {count === 1 ? t("Only you") : plural(count, "1 person", "{n} people")}</span>
        <span aria-live="polite" class="lock-live">
          {room?.locked && (
            <span class="badge lock" data-testid="lock-badge" title={lockReasonText(room.lockReason)}>
              <LockIcon />
              {t("Locked")}
              <span class="sr-only"> · {lockReasonText(room.lockReason)}</span>
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
  );
}

/**
 * The host is back in a room that locked itself while the host was away:
 * it stays locked until the host says otherwise, so the host is asked.
 */
function HostBackBanner({ token }: { token: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const unlock = async () => {
    setBusy(true);
    setError(null);
    try {
      await setRoomLocked(token, false);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="banner" role="region" aria-label={t("Room locked while you were away")} data-testid="host-back">
      {t("The room locked itself while you were away. Unlock it so new people can join.")}
      <button type="button" class="small" disabled={busy} onClick={() => void unlock()}>
        {t("Unlock")}
      </button>
      {error && <span role="alert">{error}</span>}
    </div>
  );
}

/** Before the host arrives: our preview, the microphone, and Leave. */
function WaitingScreen({ session, title }: { session: CallSession; title: string }) {
  return (
    <main class="page centered waiting-screen">
      <div class="card message">
        <div class="waiting-preview">
          <StreamVideo stream={session.localStream} muted mirrored label={t("Your camera preview")} />
        </div>
        <h1>{t("Waiting for the host to let you in…")}</h1>
        <p class="muted">{t("You'll join {room} as soon as the host arrives.", { room: title })}</p>
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

/** Backgrounds and effects in the middle of the call. */
function EffectsDialog({ session, onClose }: { session: CallSession; onClose: () => void }) {
  return (
    <Dialog title={t("Backgrounds and effects")} onClose={onClose} wide>
      <BackgroundPicker
        hideLegend
        onPick={async (id) => {
          const camera = effects.source ?? session.localStream.getVideoTracks()[0];
          if (!camera) throw new Error(t("Turn your camera on first."));
          await session.replaceVideoTrack(await effects.apply(camera, id));
        }}
      />
      <div class="row end">
        <button type="button" class="primary" onClick={onClose}>
          {t("Close")}
        </button>
      </div>
    </Dialog>
  );
}

function lockReasonText(reason: string | undefined): string {
  if (reason === "removal") return t("Locked after someone was removed. Only the host can unlock it.");
  if (reason === "host_away") return t("Locked while the host is away. Nobody new can join.");
  if (reason === "host_was_away") return t("Locked while the host was away. The host can unlock it.");
  return t("Nobody new can join. Only the host can unlock it.");
}
