// The call screen's state that is not the session's: toasts, the chat log
// and unread count, floating reactions, announcements of raised hands and
// of the lock and of reactions, the active speaker, and the keyboard
// shortcuts (Escape for the side panel among them).

import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { CallSession } from "../rtc/session";
import type { Participant, ServerMessage } from "../protocol";
import { t } from "../i18n";
import { announce } from "./announcer";
import type { ChatEntry } from "./ChatPanel";

// How long a reaction floats over a tile, and a toast stays.
const REACTION_MS = 4000;
const TOAST_MS = 5000;

let keys = 0;

export interface Toast {
  key: number;
  text: string;
}

/** Short notes at the bottom of the call, three at most, each for a few seconds. */
export function useToasts(): [Toast[], (text: string) => void] {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const toast = (text: string) => {
    const key = ++keys;
    setToasts((list) => [...list.slice(-2), { key, text }]);
    setTimeout(() => setToasts((list) => list.filter((x) => x.key !== key)), TOAST_MS);
  };
  return [toasts, toast];
}

export interface CallMessages {
  chat: ChatEntry[];
  unread: number;
  clearUnread: () => void;
  reactions: ReadonlyMap<string, { emoji: string; key: number }>;
}

/** Chat, reactions and the host's notices, as they arrive. */
export function useCallMessages(session: CallSession, chatOpen: boolean, toast: (text: string) => void): CallMessages {
  const [chat, setChat] = useState<ChatEntry[]>([]);
  const [unread, setUnread] = useState(0);
  const [reactions, setReactions] = useState<Map<string, { emoji: string; key: number }>>(new Map());
  const chatOpenRef = useRef(chatOpen);
  chatOpenRef.current = chatOpen;

  useEffect(
    () =>
      session.onMessage((m: ServerMessage) => {
        const selfId = session.self?.id;
        switch (m.type) {
          case "chat": {
            const self = m.from === selfId;
            setChat((list) => [...list, { key: ++keys, from: m.from, name: m.name, text: m.text, at: m.at, self }]);
            if (self) break;
            if (!chatOpenRef.current) {
              setUnread((n) => n + 1);
              toast(`${m.name}: ${m.text.length > 80 ? `${m.text.slice(0, 80)}…` : m.text}`);
            }
            announce(t("{name} says: {text}", { name: m.name, text: m.text }));
            break;
          }
          case "reaction": {
            // Others' reactions are said, as raised hands and chat are; our own we know.
            const from = m.from === selfId ? null : session.participants.get(m.from);
            if (from) announce(t("{name} reacted {emoji}", { name: from.name, emoji: m.emoji }));
            const key = ++keys;
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
  return { chat, unread, clearUnread: () => setUnread(0), reactions };
}

/**
 * The others in the call. While reconnecting the session knows nobody, so
 * this keeps showing who was there (without their video).
 */
export function useOthers(session: CallSession): Participant[] {
  const last = useRef<Participant[]>([]);
  const live = [...session.participants.values()];
  if (session.status === "reconnecting" && live.length === 0) return last.current;
  // Remember who is there while connected (a closed connection forgets them first).
  if (live.length > 0 || (session.status === "connected" && session.pubPC)) last.current = live;
  return live;
}

/** Says and shows it when someone raises their hand. */
export function useRaisedHands(others: Participant[], toast: (text: string) => void): void {
  const raised = useRef(new Set<string>());
  useEffect(() => {
    const now = new Set(others.filter((p) => p.handRaised).map((p) => p.id));
    for (const p of others) {
      if (now.has(p.id) && !raised.current.has(p.id)) {
        toast(t("{name} raised their hand", { name: p.name }));
        announce(t("{name} raised their hand", { name: p.name }));
      }
    }
    raised.current = now;
  });
}

/** Says it when the room is locked or unlocked. */
export function useLockAnnouncement(locked: boolean): void {
  const before = useRef<boolean | null>(null);
  useEffect(() => {
    if (before.current !== null && before.current !== locked) {
      announce(locked ? t("The room is now locked") : t("The room is now unlocked"));
    }
    before.current = locked;
  }, [locked]);
}

/** The active speaker: the server's, or whoever we heard last, ourselves excepted. */
export function useActiveSpeaker(session: CallSession): string | null {
  const [speaker, setSpeaker] = useState<string | null>(null);
  const selfId = session.self?.id ?? "self";
  useEffect(() => {
    const next = session.activeSpeaker && session.activeSpeaker !== selfId ? session.activeSpeaker : [...session.speaking].find((id) => id !== selfId);
    if (next && next !== speaker) setSpeaker(next);
  }, [session.speaking, session.activeSpeaker]);
  return speaker;
}

/**
 * Escape closes the open side panel, as its ✕ does, unless a dialog or a
 * menu is open: those take Escape first.
 */
export function usePanelEscape(open: boolean, close: () => void): void {
  const closeRef = useRef(close);
  closeRef.current = close;
  // A layout effect: listening from the moment the panel appears, not from
  // the next paint, so that an Escape pressed at once closes it.
  useLayoutEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape" || e.defaultPrevented) return;
      if (document.querySelector("dialog[open], [role=menu]")) return;
      e.preventDefault();
      closeRef.current();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [open]);
}

/** Keyboard shortcuts as in other meeting apps: Ctrl+D microphone, Ctrl+E camera. */
export function useShortcuts(session: CallSession): void {
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
}
