import { useEffect, useState } from "preact/hooks";
import { HomePage } from "./HomePage";
import { RoomPage } from "./RoomPage";
import { LiveRegion } from "./LiveRegion";

/** The token of a /r/<token> path, or null for any other page. */
export function tokenFromPath(path: string): string | null {
  const m = /^\/r\/([A-Za-z0-9_-]+)\/?$/.exec(path);
  return m?.[1] ?? null;
}

/** Picks the page from the address: / is home, /r/<token> a room. */
export function App() {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => {
    const onPop = () => setPath(window.location.pathname);
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);
  const token = tokenFromPath(path);
  return (
    <>
      {token ? <RoomPage key={token} token={token} /> : <HomePage />}
      <LiveRegion />
    </>
  );
}
