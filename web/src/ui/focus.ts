// Where keyboard focus goes when a menu or a dialog closes: back to the
// control that opened it, or, when that control is gone (the person it
// was about left, the page changed), to a sensible place near where it
// was, never to the page's <body>, where a keyboard or screen-reader user
// would have to start over from the top.

/** The containers whose heading is a good place to land when a control is gone. */
const REGIONS = "aside, section, main, nav, form, [role=region], [role=dialog]";

/** How long after a restore a control that disappears still sends focus to a neighbour. */
const WATCH_MS = 3000;

/** The element that has focus now, if any (the body does not count). */
function focusedElement(): HTMLElement | null {
  const el = document.activeElement;
  return el instanceof HTMLElement && el !== document.body ? el : null;
}

function canFocus(el: HTMLElement): boolean {
  return el.isConnected && !el.hasAttribute("disabled") && !el.closest("[hidden], [inert]") && el.getClientRects().length > 0;
}

/** A heading or a control inside region to focus, or null. */
function landingIn(region: Element): HTMLElement | null {
  const heading = region.querySelector<HTMLElement>("h1, h2, h3");
  if (heading && canFocus(heading)) {
    if (!heading.hasAttribute("tabindex")) heading.tabIndex = -1;
    return heading;
  }
  const controls = region.querySelectorAll<HTMLElement>("button, a[href], input, select, textarea, [tabindex]:not([tabindex='-1'])");
  for (const c of controls) if (canFocus(c)) return c;
  return null;
}

/** Focuses the nearest region still in the page, among the ancestors a control had. */
function focusNear(ancestors: Element[]): void {
  for (const a of ancestors) {
    if (!a.isConnected || !a.matches(REGIONS)) continue;
    const target = landingIn(a);
    if (target) {
      target.focus();
      return;
    }
  }
  const main = document.querySelector("main");
  const target = main ? landingIn(main) : null;
  target?.focus();
}

/**
 * Remembers the element focused now; the function it answers puts focus
 * back there (or near it, if it is gone). Call it when a menu or a dialog
 * opens, and the answer when it closes.
 */
export function rememberFocus(): () => void {
  return focusReturnTo(focusedElement());
}

/** The same for a known element (the button that opened a panel). */
export function focusReturnTo(opener: HTMLElement | null): () => void {
  const ancestors: Element[] = [];
  for (let el = opener?.parentElement; el; el = el.parentElement) ancestors.push(el);
  return () => {
    if (opener && canFocus(opener)) {
      opener.focus();
      watchRemoval(opener, ancestors);
    } else {
      focusNear(ancestors);
    }
  };
}

/**
 * The control focus went back to may be removed a moment later (Remove
 * someone: their row goes when the server says they left). If focus was
 * still on it, it moves to a neighbour then.
 */
function watchRemoval(el: HTMLElement, ancestors: Element[]): void {
  const observer = new MutationObserver(() => {
    if (el.isConnected) return;
    observer.disconnect();
    if (!focusedElement()) focusNear(ancestors);
  });
  observer.observe(document.body, { childList: true, subtree: true });
  setTimeout(() => observer.disconnect(), WATCH_MS);
}
