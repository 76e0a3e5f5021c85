// The call's control bar: microphone, camera, screen, reactions, hand,
// chat, people, more options, leave. Icon buttons whose label is their
// accessible name and tooltip.

import { useState } from "preact/hooks";
import type { CallSession } from "../rtc/session";
import { REACTIONS, type Participant } from "../protocol";
import { t } from "../i18n";
import { announce } from "./announcer";
import { MenuItem, Popover } from "./common";
import { CameraIcon, ChatIcon, HandIcon, LeaveIcon, MicIcon, MoreIcon, PeopleIcon, ScreenIcon, SmileIcon } from "./icons";
import type { ViewMode } from "./Stage";

export type Panel = "people" | "chat" | null;
export type DialogName = "report" | "settings" | "end" | "devices" | "effects" | null;

interface Props {
  session: CallSession;
  self: Participant;
  count: number;
  panel: Panel;
  onPanel: (p: Panel) => void;
  unread: number;
  view: ViewMode;
  onView: (v: ViewMode) => void;
  onDialog: (d: DialogName) => void;
  /** Whether the link may be copied (we were given it). */
  canCopyLink: boolean;
  onCopyLink: () => void;
  isHost: boolean;
  toast: (text: string) => void;
}

export function CallControls(p: Props) {
  const { session, self, panel } = p;
  const [moreOpen, setMoreOpen] = useState(false);
  const [reactOpen, setReactOpen] = useState(false);
  const canShare = typeof navigator.mediaDevices?.getDisplayMedia === "function";

  const toggleShare = async () => {
    if (session.screenStream) {
      session.stopScreenShare();
      return;
    }
    const problem = await session.startScreenShare();
    if (problem) p.toast(t(problem));
  };
  const toggleHand = () => {
    const raised = !self.handRaised;
    if (session.sendSocial({ type: "hand", raised })) announce(raised ? t("You raised your hand") : t("You lowered your hand"));
  };
  /** A menu entry: closes the menu, then does its thing. */
  const item = (label: string, run: () => void, cls?: string) => (
    <MenuItem
      class={cls}
      onClick={() => {
        setMoreOpen(false);
        run();
      }}
    >
      {label}
    </MenuItem>
  );

  return (
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
        <button type="button" class="toggle" aria-expanded={reactOpen} aria-haspopup="menu" title={t("React")} onClick={() => setReactOpen(!reactOpen)}>
          <SmileIcon />
          <span class="label">{t("React")}</span>
        </button>
        {reactOpen && (
          <Popover class="reactions-picker" label={t("Reactions")} onClose={() => setReactOpen(false)}>
            {REACTIONS.map((emoji) => (
              <MenuItem
                key={emoji}
                class="emoji"
                label={t("React with {emoji}", { emoji })}
                onClick={() => {
                  session.sendSocial({ type: "reaction", emoji });
                  setReactOpen(false);
                }}
              >
                {emoji}
              </MenuItem>
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
        aria-label={p.unread > 0 ? t("Chat, {n} unread", { n: p.unread }) : t("Chat")}
        title={t("Chat")}
        data-panel="chat"
        onClick={() => p.onPanel("chat")}
      >
        <ChatIcon />
        <span class="label" aria-hidden="true">
          {t("Chat")}
        </span>
        {p.unread > 0 && (
          <span class="count-badge" aria-hidden="true" data-testid="unread">
            {p.unread}
          </span>
        )}
      </button>
      <button type="button" class={panel === "people" ? "toggle on" : "toggle"} aria-pressed={panel === "people"} title={t("People")} data-panel="people" onClick={() => p.onPanel("people")}>
        <PeopleIcon />
        <span class="label">{t("People")}</span>
        <span class="count-badge subtle" aria-hidden="true">
          {p.count}
        </span>
      </button>
      <div class="popover-anchor">
        <button type="button" class="toggle" aria-expanded={moreOpen} aria-haspopup="menu" title={t("More options")} onClick={() => setMoreOpen(!moreOpen)}>
          <MoreIcon />
          <span class="label">{t("More options")}</span>
        </button>
        {moreOpen && (
          <Popover class="menu" label={t("More options")} onClose={() => setMoreOpen(false)}>
            {item(p.view === "grid" ? t("Speaker view") : t("Grid view"), () => p.onView(p.view === "grid" ? "speaker" : "grid"))}
            {item(t("Devices"), () => p.onDialog("devices"))}
            {item(t("Backgrounds and effects"), () => p.onDialog("effects"))}
            {p.canCopyLink && item(t("Copy link"), p.onCopyLink)}
            {p.isHost && item(t("Room settings"), () => p.onDialog("settings"))}
            {p.isHost && item(t("End room for everyone"), () => p.onDialog("end"), "danger-text")}
            {item(t("Report room"), () => p.onDialog("report"))}
          </Popover>
        )}
      </div>
      <button type="button" class="danger leave" title={t("Leave")} onClick={() => session.leave()}>
        <LeaveIcon />
        <span class="label">{t("Leave")}</span>
      </button>
    </nav>
  );
}
