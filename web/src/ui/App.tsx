import { useEffect, useState } from "preact/hooks";
import { onLangChange } from "../i18n";
import { HomePage } from "./HomePage";
import { RoomPage } from "./RoomPage";
import { LiveRegion } from "./LiveRegion";

/** The token of a /r/<token> path, or null for any other page. */
export function tokenFromPath(path: string): string | null {
  const m = /^\/r\/([A-Za-z0-9_-]+)\/?$/.exec(path);
  return m?.[1] ?? null;
}

/** The room id of a /d/<id> (drop-in) path, or null. */
export function dropInFromPath(path: string): string | null {
  const m = /^\/d\/([A-Za-z0-9_-]+)\/?$/.exec(path);
  return m?.[1] ?? null;
}

/** Picks the page from the address: / is home, /r/<token> a room, /d/<id> a drop-in, /mod moderation. */
export function App() {
  const [path, setPath] = useState(window.location.pathname);
  const [, setLangState] = useState(0);
  useEffect(() => {
    const onPop = () => setPath(window.location.pathname);
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);
  // A new language re-renders every string.
  useEffect(() => onLangChange(() => setLangState((n) => n + 1)), []);
  const token = tokenFromPath(path);
  const dropIn = dropInFromPath(path);
  let page;
  if (token) page = <RoomPage key={`r${token}`} token={token} />;
  else if (dropIn) page = <RoomPage key={`d${dropIn}`} token="" dropInId={dropIn} />;
  else page = <HomePage />;
  return (
    <>
      {page}
      <LiveRegion />
    </>
  );
}
