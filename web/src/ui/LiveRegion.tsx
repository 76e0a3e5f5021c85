import { useEffect, useState } from "preact/hooks";
import { onAnnounce } from "./announcer";

/** The page's polite live region, visually hidden. */
export function LiveRegion() {
  const [text, setText] = useState("");
  useEffect(
    () =>
      onAnnounce((t) => {
        // Re-announce a repeated sentence: clear first, then set it.
        setText("");
        requestAnimationFrame(() => setText(t));
      }),
    [],
  );
  return (
    <div class="sr-only" aria-live="polite" aria-atomic="true" data-testid="announcer">
      {text}
    </div>
  );
}
