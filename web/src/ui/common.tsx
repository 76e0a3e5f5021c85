// Small pieces shared by the pages: dialogs, avatars, errors, copying.

import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { ComponentChildren } from "preact";
import { ApiError } from "../api";
import { t } from "../i18n";
import { rememberFocus } from "./focus";

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
 * there, Escape closes it, and its title is its accessible name. When it
 * closes, focus goes back to the control that opened it: the browser's own
 * return fails once the dialog's element is taken out of the page.
 */
export function Dialog({ title, onClose, children, wide }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useRef(`dlg-${Math.random().toString(36).slice(2)}`).current;
  // A layout effect: it runs as the dialog enters the page, before anyone
  // can move focus, so it remembers the control that opened it.
  useLayoutEffect(() => {
    const d = ref.current;
    const restore = rememberFocus();
    if (d && !d.open) d.showModal();
    return () => {
      d?.close();
      restore();
    };
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

/** The keys that move focus among a menu's items, as the WAI-ARIA menu pattern has them. */
const MENU_KEYS: Record<string, (i: number, n: number) => number> = {
  ArrowDown: (i, n) => (i + 1) % n,
  ArrowRight: (i, n) => (i + 1) % n,
  ArrowUp: (i, n) => (i - 1 + n) % n,
  ArrowLeft: (i, n) => (i - 1 + n) % n,
  Home: () => 0,
  End: (_, n) => n - 1,
};

/**
 * A menu above a control-bar button (https://www.w3.org/WAI/ARIA/apg/patterns/menu-button/):
 * focus moves to its first item; the arrow keys, Home and End move among
 * the items; Escape, Tab or a click elsewhere closes it, and focus goes
 * back to the button that opened it. Its entries are MenuItems.
 */
export function Popover({ label, class: cls, onClose, children }: PopoverProps) {
  const ref = useRef<HTMLDivElement>(null);
  // A layout effect, so that it runs as the menu appears: a plain effect
  // waits for the next paint, and a quick Enter on an item can close the
  // menu before then, with no cleanup to give focus back (it was lost).
  useLayoutEffect(() => {
    const el = ref.current;
    const restore = rememberFocus();
    el?.querySelector<HTMLElement>("[role=menuitem]")?.focus();
    const onDown = (e: PointerEvent) => {
      const anchor = el?.parentElement;
      if (anchor && e.target instanceof Node && !anchor.contains(e.target)) onClose();
    };
    // Escape closes the menu even before focus has moved into it (a quick
    // Enter then Escape on its button); nothing else then sees that Escape.
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape" || e.defaultPrevented) return;
      e.preventDefault();
      onClose();
    };
    document.addEventListener("pointerdown", onDown);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("pointerdown", onDown);
      document.removeEventListener("keydown", onKey);
      // The menu is still in the page here: focus on one of its items (or
      // nowhere) goes back; focus the person moved elsewhere stays.
      const active = document.activeElement;
      if (!active || active === document.body || el?.contains(active)) restore();
    };
  }, []);
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Escape") {
      e.stopPropagation();
      e.preventDefault();
      onClose();
      return;
    }
    if (e.key === "Tab") {
      onClose();
      return;
    }
    const move = MENU_KEYS[e.key];
    const items = Array.from(ref.current?.querySelectorAll<HTMLElement>("[role=menuitem]:not([disabled])") ?? []);
    if (!move || items.length === 0) return;
    e.preventDefault();
    const at = items.findIndex((it) => it === document.activeElement);
    // With no item focused, the next one is the first and the previous one the last.
    items[move(at < 0 ? (e.key === "ArrowUp" || e.key === "ArrowLeft" ? 0 : items.length - 1) : at, items.length)]?.focus();
  };
  return (
    <div ref={ref} class={`popover ${cls}`} role="menu" aria-label={label} onKeyDown={onKeyDown}>
      {children}
    </div>
  );
}

/** One entry of a Popover menu; only the focused one is in the Tab order. */
export function MenuItem(props: { label?: string; class?: string | undefined; onClick: () => void; children: ComponentChildren }) {
  return (
    <button type="button" role="menuitem" tabIndex={-1} class={props.class} aria-label={props.label} onClick={props.onClick}>
      {props.children}
    </button>
  );
}
