// Small pieces shared by the pages: dialogs, avatars, errors, copying.

import { useEffect, useRef, useState } from "preact/hooks";
import type { ComponentChildren } from "preact";
import { ApiError } from "../api";
import { t } from "../i18n";

/**
 * Loads something from the API when deps change, and again on refresh():
 * the value (null until it first arrives), the last error in plain words,
 * and a version that grows with every refresh (for parts that reload with
 * it).
 */
export function useLoaded<T>(load: () => Promise<T>, deps: unknown[]): { value: T | null; error: string | null; refresh: () => void; version: number } {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const refresh = () => {
    load()
      .then((v) => setValue(() => v))
      .catch((err: unknown) => setError(messageOf(err)));
    setVersion((n) => n + 1);
  };
  useEffect(refresh, deps);
  return { value, error, refresh, version };
}

/** Plain words for any error a call to the API may throw. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) return t(err.message);
  return t("Something went wrong. Please try again.");
}

/** Copies text to the clipboard, with the old way as a fallback on plain http. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
}

interface DialogProps {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  /** A wider dialog for forms. */
  wide?: boolean;
}

/**
 * A modal dialog (the native <dialog>): focus moves into it and stays
 * there, Escape closes it, and its title is its accessible name.
 */
export function Dialog({ title, onClose, children, wide }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useRef(`dlg-${Math.random().toString(36).slice(2)}`).current;
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      class={wide ? "dialog wide" : "dialog"}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        // A click on the backdrop (the dialog element itself) closes it.
        if (e.target === ref.current) onClose();
      }}
    >
      <div class="dialog-body">
        <h2 id={titleId}>{title}</h2>
        {children}
      </div>
    </dialog>
  );
}

interface ConfirmProps {
  title: string;
  body: string;
  confirm: string;
  danger?: boolean;
  /** Does the thing; the dialog stays busy meanwhile and shows what it throws. */
  onConfirm: () => Promise<void>;
  onClose: () => void;
}

/** A yes/no dialog; the safe choice (Cancel) is focused first. */
export function ConfirmDialog(p: ConfirmProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await p.onConfirm();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={p.title} onClose={p.onClose}>
      <p>{p.body}</p>
      {error && (
        <p class="notice error" role="alert">
          {error}
        </p>
      )}
      <div class="row end">
        <button type="button" autofocus onClick={p.onClose}>
          {t("Cancel")}
        </button>
        <button type="button" class={p.danger ? "danger" : "primary"} disabled={busy} onClick={() => void confirm()}>
          {p.confirm}
        </button>
      </div>
    </Dialog>
  );
}

/** Up to two initials of a name, for the placeholder when there is no picture. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : [words[0] ?? "?"];
  return letters
    .map((w) => Array.from(w ?? "")[0] ?? "")
    .join("")
    .toUpperCase();
}

/** A round avatar: the person's emoji, or their initials. */
export function Avatar({ name, emoji, size = "small" }: { name: string; emoji?: string | undefined; size?: "small" | "large" }) {
  return (
    <span class={`avatar-chip ${size}`} aria-hidden="true">
      {emoji || initials(name)}
    </span>
  );
}

/** An error line, announced when it appears. */
export function ErrorLine({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <p class="notice error" role="alert">
      {error}
    </p>
  );
}

interface PopoverProps {
  label: string;
  class: string;
  onClose: () => void;
  children: ComponentChildren;
}

/**
 * A small menu above a control-bar button: focus moves to its first
 * button; Escape or a click elsewhere closes it and focus goes back.
 */
export function Popover({ label, class: cls, onClose, children }: PopoverProps) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    el?.querySelector<HTMLElement>("button")?.focus();
    const onDown = (e: PointerEvent) => {
      const anchor = el?.parentElement;
      if (anchor && e.target instanceof Node && !anchor.contains(e.target)) onClose();
    };
    document.addEventListener("pointerdown", onDown);
    return () => {
      document.removeEventListener("pointerdown", onDown);
      if (opener && document.activeElement === document.body) opener.focus();
    };
  }, []);
  return (
    <div
      ref={ref}
      class={`popover ${cls}`}
      role="group"
      aria-label={label}
      onKeyDown={(e) => {
        if (e.key === "Escape") {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      {children}
    </div>
  );
}
