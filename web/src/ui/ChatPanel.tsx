// The call's text chat: the messages so far and a box to write one.

import { useEffect, useRef, useState } from "preact/hooks";
import type { JSX } from "preact";
import { MAX_CHAT_LENGTH } from "../protocol";
import { formatTime, t } from "../i18n";

/** One chat message as the UI keeps it. */
export interface ChatEntry {
  key: number;
  from: string;
  name: string;
  text: string;
  at: string;
  self: boolean;
}

interface Props {
  entries: ChatEntry[];
  /** Sends a message; false when it could not be sent. */
  onSend: (text: string) => boolean;
}

export function ChatPanel({ entries, onSend }: Props) {
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const listRef = useRef<HTMLOListElement>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    inputRef.current?.focus();
  }, []);
  useEffect(() => {
    const el = listRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [entries.length]);

  const send = (e?: JSX.TargetedEvent<HTMLFormElement>) => {
    e?.preventDefault();
    const body = text.trim();
    if (!body) return;
    if (onSend(body)) {
      setText("");
      setError(null);
    } else setError(t("Not connected. Your message wasn't sent."));
  };

  return (
    <div class="chat-panel">
      <ol class="chat-list" ref={listRef} aria-label={t("Messages")} data-testid="chat-list">
        {entries.length === 0 && <li class="muted chat-empty">{t("No messages yet. Messages are only seen by people in the call and are not saved.")}</li>}
        {entries.map((m) => (
          <li key={m.key} class={m.self ? "chat-msg self" : "chat-msg"}>
            <div class="chat-meta">
              <strong>{m.self ? t("You") : m.name}</strong> <time dateTime={m.at}>{formatTime(m.at)}</time>
            </div>
            <div class="chat-text">{m.text}</div>
          </li>
        ))}
      </ol>
      <form class="chat-form" onSubmit={send}>
        <label class="sr-only" for="chat-input">
          {t("Message")}
        </label>
        <textarea
          id="chat-input"
          ref={inputRef}
          rows={1}
          maxLength={MAX_CHAT_LENGTH}
          placeholder={t("Message everyone")}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey) {
              e.preventDefault();
              send();
            }
          }}
        />
        <button type="submit" class="primary" disabled={!text.trim()}>
          {t("Send")}
        </button>
      </form>
      {error && (
        <p class="notice error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
