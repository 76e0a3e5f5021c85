// One polite live region for the whole page: components call announce() with
// a short sentence and screen readers read it out.

type Listener = (text: string) => void;

const listeners = new Set<Listener>();

/** Tells screen readers something happened ("Alice joined"). */
export function announce(text: string): void {
  for (const fn of listeners) fn(text);
}

/** Used by the live region component to hear announcements. */
export function onAnnounce(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
