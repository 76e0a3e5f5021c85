// The client's words in English, German and French. Every visible string
// goes through t(): the English sentence is the key, so a missing
// translation shows English rather than a placeholder. The language comes
// from the browser (navigator.languages) until the person picks one, which
// is remembered in localStorage.

import { de } from "./de";
import { fr } from "./fr";
import { SERVER_PATTERNS } from "./patterns";

/** The languages the client speaks. */
export type Lang = "en" | "de" | "fr";

export const LANGS: { id: Lang; name: string }[] = [
  { id: "en", name: "English" },
  { id: "de", name: "Deutsch" },
  { id: "fr", name: "Français" },
];

const dictionaries: Record<Lang, Record<string, string>> = { en: {}, de, fr };

const STORAGE_KEY = "rooms.lang";

function pickLang(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === "en" || saved === "de" || saved === "fr") return saved;
  } catch {
    // Storage may be off (private mode); the browser's language will do.
  }
  const wanted = typeof navigator === "undefined" ? [] : navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const tag of wanted) {
    const base = (tag ?? "").toLowerCase().split("-")[0];
    if (base === "en" || base === "de" || base === "fr") return base;
  }
  return "en";
}

let current: Lang = pickLang();
const listeners = new Set<(lang: Lang) => void>();

/** The language in use. */
export function lang(): Lang {
  return current;
}

/** Switches the language, remembers it, and tells the components. */
export function setLang(next: Lang): void {
  if (next === current) return;
  current = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // Not remembered, but still switched.
  }
  document.documentElement.lang = next;
  for (const fn of listeners) fn(next);
}

/** Calls fn when the language changes; answers a function that stops that. */
export function onLangChange(fn: (lang: Lang) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/**
 * Translates an English sentence, filling {name}-style placeholders from
 * vars. A message from the server with a part it filled in is matched
 * against the templates of patterns.ts. Unknown sentences are shown in
 * English.
 */
export function t(english: string, vars?: Record<string, string | number>): string {
  const dict = dictionaries[current];
  const text = dict[english];
  if (text === undefined && !vars && current !== "en") return fromPattern(dict, english) ?? bySentence(dict, english) ?? english;
  return fill(text ?? english, vars);
}

function fill(text: string, vars?: Record<string, string | number>): string {
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, key: string) => (key in vars ? String(vars[key]) : whole));
}

interface CompiledPattern {
  key: string;
  re: RegExp;
  names: string[];
}

let compiled: CompiledPattern[] | null = null;

// A server message with a filled-in part ("This group has 50 members, the
// most there can be.") is translated by its template in patterns.ts; the
// parts are translated on their own when the dictionary knows them. Only
// sentences that no key matches whole come here, so the cost is nil for
// the client's own words.
function fromPattern(dict: Record<string, string>, english: string): string | null {
  compiled ??= SERVER_PATTERNS.map((key) => {
    const names: string[] = [];
    const source = key
      .split(/\{(\w+)\}/)
      .map((part, i) => (i % 2 ? (names.push(part), "(.+?)") : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
      .join("");
    return { key, re: new RegExp(`^${source}$`), names };
  });
  for (const p of compiled) {
    const m = p.re.exec(english);
    const text = m && dict[p.key];
    if (!m || !text) continue;
    const vars: Record<string, string> = {};
    p.names.forEach((name, i) => {
      const part = m[i + 1] ?? "";
      vars[name] = dict[part] ?? part;
    });
    return fill(text, vars);
  }
  return null;
}

// A message made of sentences put together (a device problem, then what
// the person can still do) is translated sentence by sentence, when every
// one of them is known whole or by a template; otherwise it stays English
// rather than mixing languages.
function bySentence(dict: Record<string, string>, english: string): string | null {
  const parts = english.split(/(?<=[.!?])\s+(?=[A-Z])/);
  if (parts.length < 2) return null;
  const out: string[] = [];
  for (const part of parts) {
    const text = dict[part] ?? fromPattern(dict, part);
    if (!text) return null;
    out.push(text);
  }
  return out.join(" ");
}

/** "1 person" / "{n} people", in the language in use. */
export function plural(n: number, one: string, many: string): string {
  return n === 1 ? t(one, { n }) : t(many, { n });
}

/** A date and time in the language in use. */
export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(current, { dateStyle: "medium", timeStyle: "short" });
}

/** A time of day in the language in use. */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return d.toLocaleTimeString(current, { hour: "2-digit", minute: "2-digit" });
}

if (typeof document !== "undefined") document.documentElement.lang = current;
