// Room themes: an activity with an emoji. The server stores the id (at
// most 32 characters); the client shows the emoji and the translated label.

import { t } from "../i18n";

export interface Theme {
  id: string;
  emoji: string;
  label: string;
}

export const THEMES: Theme[] = [
  { id: "hangout", emoji: "🛋️", label: "Hangout" },
  { id: "birthday", emoji: "🎂", label: "Birthday" },
  { id: "book-club", emoji: "📚", label: "Book club" },
  { id: "work", emoji: "💼", label: "Work" },
  { id: "game-night", emoji: "🎲", label: "Game night" },
  { id: "study", emoji: "📖", label: "Study" },
];

/** The theme with that id, or null for none or one we don't know. */
export function themeOf(id: string | undefined): Theme | null {
  return THEMES.find((th) => th.id === id) ?? null;
}

/** "🎂 Birthday", or the raw theme text for themes this client doesn't know. */
export function themeLabel(id: string | undefined): string {
  const th = themeOf(id);
  if (th) return `${th.emoji} ${t(th.label)}`;
  return id ?? "";
}
