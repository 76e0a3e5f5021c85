// What the page shows of a call for tests and debugging: window.__rooms
// holds the live peer connections (getStats) and the session.
import type { CallSession } from "./session";

/** What window.__rooms shows: the live peer connections, for tests and debugging (getStats). */
export interface RoomsDebug {
  readonly session: CallSession;
  readonly pubPC: RTCPeerConnection | null;
  readonly subPC: RTCPeerConnection | null;
  readonly selfId: string | null;
}

declare global {
  interface Window {
    __rooms?: RoomsDebug;
  }
}

export function exposeForTests(session: CallSession): void {
  window.__rooms = {
    session,
    get pubPC() {
      return session.pubPC;
    },
    get subPC() {
      return session.subPC;
    },
    get selfId() {
      return session.self?.id ?? null;
    },
  };
}

