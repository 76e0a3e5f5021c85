// The signalling WebSocket of docs/protocol.md. Its messages are handled
// one at a time and in order, even the asynchronous parts: an answer must
// not overtake the offer before it. A resume replaces the socket but keeps
// the queue; a new connection starts a new queue (restartQueue).

import { parseServerMessage, type ClientMessage, type ServerMessage } from "../protocol";

/** What the session does with a socket's events. */
export interface SignalEvents {
  opened(): void;
  /** Handles one message; the next one waits until this settles. */
  handle(msg: ServerMessage): Promise<void> | void;
  /** Called once msg has been handled. */
  handled(msg: ServerMessage): void;
  /** broken: the socket dropped without a closing handshake. */
  closed(broken: boolean): void;
}

/** How long a `ping` may go unanswered before the socket counts as broken. */
export const PING_TIMEOUT_MS = 2500;

/** The close status of a socket given up as broken (docs/protocol.md, "Reconnecting"). */
const CLOSE_ABANDONED = 4000;

/** One socket at a time, and the queue of what it brought. */
export class SignalSocket {
  private ws: WebSocket | null = null;
  /** Counts sockets, so callbacks and queued messages of a dropped one do nothing. */
  private socketGen = 0;
  private queue: Promise<void> = Promise.resolve();
  /** When the current socket last brought anything (performance.now()). */
  private heardAt = 0;
  private pingTimer: ReturnType<typeof setTimeout> | null = null;
  /** Drops the current socket as broken and says so; null between sockets. */
  private breakCurrent: (() => void) | null = null;

  /**
   * Opens a socket at path (the caller has dropped the previous one). Its
   * events go to `on` while it is the current socket and current() holds.
   */
  open(path: string, current: () => boolean, on: SignalEvents): void {
    const sg = ++this.socketGen;
    const live = () => current() && sg === this.socketGen;
    const proto = window.location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${proto}//${window.location.host}${path}`);
    this.ws = ws;
    this.heardAt = performance.now();
    this.breakCurrent = () => {
      if (!live()) return;
      // Not 1000: should the close reach the server after all, it must
      // read "lost", keeping our place for the resume, not "left".
      this.drop(CLOSE_ABANDONED);
      on.closed(true);
    };
    ws.onopen = () => {
      if (live()) on.opened();
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (!live()) return;
      this.heardAt = performance.now();
      const msg = parseServerMessage(ev.data);
      if (!msg) {
        console.warn("rooms: ignoring a malformed message", ev.data);
        return;
      }
      if (msg.type === "pong") return; // heard: that was all it was for
      this.queue = this.queue
        .then(() => (live() ? on.handle(msg) : undefined))
        .then(() => {
          if (live()) on.handled(msg);
        })
        .catch((err: unknown) => console.error(`rooms: handling ${msg.type}`, err));
    };
    ws.onclose = (ev: CloseEvent) => {
      if (!live()) return;
      // 1006: the connection broke without a closing handshake (the network,
      // a proxy); a socket the server closed on purpose says why.
      on.closed(ev.code === 1006);
    };
  }

  /** Whether a message sent now goes out. */
  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** Sends msg if the socket is open; otherwise it is lost. */
  send(msg: ClientMessage): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  /**
   * Checks that the socket still reaches the server, unless it brought
   * something within the last idleMs: a `ping` without an answer within
   * PING_TIMEOUT_MS drops the socket as broken (docs/protocol.md,
   * "Reconnecting"). After a network drop a socket can look open for a
   * long time while what it sends waits in TCP's retransmission backoff.
   * Call it only once join or resume has been sent.
   */
  check(idleMs = 0): void {
    if (!this.isOpen || this.pingTimer !== null) return;
    const sent = performance.now();
    if (sent - this.heardAt < idleMs) return;
    this.send({ type: "ping" });
    const broke = this.breakCurrent;
    this.pingTimer = setTimeout(() => {
      this.pingTimer = null;
      if (this.heardAt < sent && broke === this.breakCurrent) broke?.();
    }, PING_TIMEOUT_MS);
  }

  /** Runs task after the messages queued so far; a failure is logged with label. */
  enqueue(label: string, task: () => Promise<void>): void {
    this.queue = this.queue.then(task).catch((err: unknown) => console.error(`rooms: ${label}`, err));
  }

  /**
   * Closes the socket alone; its callbacks no longer do anything. code
   * 1000 says we are done with it.
   */
  drop(code = 1000): void {
    this.socketGen++;
    const ws = this.ws;
    this.ws = null;
    this.breakCurrent = null;
    if (this.pingTimer !== null) clearTimeout(this.pingTimer);
    this.pingTimer = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = null;
      if (ws.readyState === WebSocket.CONNECTING || ws.readyState === WebSocket.OPEN) ws.close(code);
    }
  }

  /**
   * Starts a new queue for a new connection. A handler of the old one may
   * wait forever: a closed RTCPeerConnection never settles an operation it
   * had pending. Its messages are ignored anyway.
   */
  restartQueue(): void {
    this.queue = Promise.resolve();
  }
}
