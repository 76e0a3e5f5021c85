// One person's presence in a call, and the facade the UI uses: the
// connection's lifecycle (join, resume, retry, the end) and the signalling
// messages of docs/protocol.md. It knows nothing of the UI: components read
// its fields and subscribe to be told when they change. The parts:
//
// - SignalSocket (signal.ts): the WebSocket, its messages handled in order.
// - reconnect.ts: when to resume or join again, and when to give up.
// - Peers (peers.ts): the publisher and subscriber peer connections and
//   their negotiation; everyone else's media arrives on the subscriber.
// - LocalTracks (localTracks.ts): our camera, microphone and screen share,
//   their devices and mute state.

import {
  dropInSignalPath,
  signalPath,
  type ClientMessage,
  type ErrorMessage,
  type JoinedMessage,
  type ResumedMessage,
  type Participant,
  type ServerMessage,
  type SignalRoom,
  type SocialMessage,
  type TrackSetting,
} from "../protocol";
import { LEVEL_POLL_MS, loudParticipants, SpeakingHold } from "./levels";
import { LocalTracks } from "./localTracks";
import { Peers } from "./peers";
import { Backoff, RESUME_DELAYS_MS, RETRY_DELAYS_MS, whyRefused } from "./reconnect";
import { SignalSocket } from "./signal";
import { applyPublishLayers } from "./simulcast";
import { exposeForTests } from "./debug";

/** The connection state shown to people in the status line. */
export type ConnectionStatus = "connecting" | "waiting" | "connected" | "reconnecting" | "disconnected";

/** Why a session is over for good. */
export interface SessionEnd {
  /**
   * left: on purpose; refused: the server said no; lost: retries ran out;
   * removed: the host removed us; ended: the room ended for good.
   */
  reason: "left" | "refused" | "lost" | "removed" | "ended";
  message: string;
  /** For refusals, the server's error code (room_full, room_locked, forbidden…). */
  code?: string;
}

/** What the session needs to start. */
export interface SessionOptions {
  token: string;
  /** Join by drop-in (the room id) rather than by the link; token may then be empty. */
  dropInId?: string;
  /** Our camera and microphone; the session owns it from now on and stops it at the end. */
  stream: MediaStream;
  audioMuted: boolean;
  videoMuted: boolean;
  /**
   * Called with short sentences worth telling a screen reader: an English
   * sentence, with {name}-style placeholders filled from vars, that the UI
   * translates (the session knows nothing of languages).
   */
  announce?: (text: string, vars?: AnnounceVars) => void;
}

/** The values of an announced sentence's placeholders. */
export type AnnounceVars = Record<string, string | number>;

// Peer connections that fail in a row before we give up.
const MAX_MEDIA_FAILURES = 3;
/** A socket that has brought nothing for this long is pinged (docs/protocol.md, "Reconnecting"). */
const SOCKET_IDLE_CHECK_MS = 10_000;

// How long an error from the server stays in the status line.
const ERROR_SHOWN_MS = 10_000;

type Handler<T extends ServerMessage["type"]> = (msg: Extract<ServerMessage, { type: T }>) => Promise<void> | void;

/** A call session; create one per Join click. */
export class CallSession {
  readonly token: string;
  readonly dropInId: string | null;
  status: ConnectionStatus = "connecting";
  /** The latest non-fatal error from the server, in plain words. */
  error: string | null = null;
  ended: SessionEnd | null = null;
  room: SignalRoom | null = null;
  /** Ourselves as the server sees us; null until `joined`. */
  self: Participant | null = null;
  /** Everyone else, in the order they arrived. */
  readonly participants = new Map<string, Participant>();
  /** The server's active speaker (a participant id); null until it says. */
  activeSpeaker: string | null = null;
  /** What each remote track shows (trackPublished.source), by track id. */
  readonly trackSources = new Map<string, string>();

  private readonly local: LocalTracks;
  private readonly peers: Peers;
  private readonly signal = new SignalSocket();
  /** Bumped on every (re)connection, so callbacks of an older one do nothing. */
  private generation = 0;
  private resumeToken: string | null = null;
  /** Resuming takes our place back on a new socket, keeping the peer connections; retrying joins as someone new. */
  private readonly resumes = new Backoff(RESUME_DELAYS_MS);
  private readonly retries = new Backoff(RETRY_DELAYS_MS);
  private joined = false;
  private everJoined = false;
  private mediaFailures = 0;
  private errorTimer: ReturnType<typeof setTimeout> | null = null;
  private fatal: ErrorMessage | null = null;
  /** Set by `removed` or `roomEnded`: the socket closes next, and we must not come back. */
  private goodbye: SessionEnd | null = null;
  private messageListeners = new Set<(msg: ServerMessage) => void>();
  private tileLayout: TrackSetting[] = [];
  /** The layout last sent on this connection. */
  private sentTileLayout = "";
  private levelTimer: ReturnType<typeof setInterval> | null = null;
  private readonly speakingHold = new SpeakingHold();
  private listeners = new Set<() => void>();
  private readonly announce: (text: string, vars?: AnnounceVars) => void;
  private readonly onOnline = () => {
    // The network is back: try now, and find out whether the socket we
    // have survived the drop (it may only look open).
    this.resumes.hurry();
    this.retries.hurry();
    if (this.joined) this.signal.check();
  };
  private livenessTimer: ReturnType<typeof setInterval> | null = null;
  private readonly onPageHide = () => this.leave();

  constructor(opts: SessionOptions) {
    this.token = opts.token;
    this.dropInId = opts.dropInId ?? null;
    this.local = new LocalTracks(opts.stream, opts.audioMuted, opts.videoMuted, {
      pubPC: () => this.peers.pub,
      ended: () => !!this.ended,
      renegotiate: () => this.peers.renegotiate(),
      changed: () => this.emit(),
      announce: (text) => this.announce(text),
      showError: (message) => this.showError(message),
    });
    this.peers = new Peers(this.local, {
      send: (msg) => this.send(msg),
      enqueue: (label, task) => this.signal.enqueue(label, task),
      stateChanged: () => this.onPCStateChange(),
      changed: () => this.emit(),
      showError: (message) => this.showError(message),
    });
    this.announce = opts.announce ?? (() => {});
  }

  // What the parts hold, read as the session's own fields. Only the session
  // changes them, through the parts' methods.

  /** Our camera and microphone; the session stops them at the end. */
  get localStream(): MediaStream {
    return this.local.stream;
  }
  get audioMuted(): boolean {
    return this.local.audioMuted;
  }
  get videoMuted(): boolean {
    return this.local.videoMuted;
  }
  /** Our screen share while we share; null otherwise. */
  get screenStream(): MediaStream | null {
    return this.local.screen;
  }
  get pubPC(): RTCPeerConnection | null {
    return this.peers.pub;
  }
  get subPC(): RTCPeerConnection | null {
    return this.peers.sub;
  }
  /** Remote media, keyed by participant id (the MediaStream id). */
  get streams(): Map<string, MediaStream> {
    return this.peers.streams;
  }
  /** Who is talking right now (participant ids, ourselves included). */
  get speaking(): ReadonlySet<string> {
    return this.speakingHold.speaking;
  }

  /** Opens the signalling socket and joins. */
  start(): void {
    exposeForTests(this);
    this.levelTimer = setInterval(() => void this.pollLevels(), LEVEL_POLL_MS);
    window.addEventListener("online", this.onOnline);
    window.addEventListener("pagehide", this.onPageHide);
    // A quiet socket is checked now and then: one that broke silently
    // is found before we need it.
    this.livenessTimer = setInterval(() => this.joined && this.signal.check(SOCKET_IDLE_CHECK_MS), SOCKET_IDLE_CHECK_MS / 2);
    this.connect();
  }

  /** Calls fn after every change; answers a function that stops that. */
  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Calls fn with every message from the server, after the session has
   * handled it: the UI keeps chat and reactions, which the session does not.
   */
  onMessage(fn: (msg: ServerMessage) => void): () => void {
    this.messageListeners.add(fn);
    return () => this.messageListeners.delete(fn);
  }

  /** Sends a chat message, a reaction or a raised hand; false when not connected. */
  sendSocial(msg: SocialMessage): boolean {
    if (!this.joined || !this.signal.isOpen) return false;
    this.send(msg);
    return true;
  }

  /**
   * Tells the server which tiles show and how big (trackSettings), so it
   * forwards the layer each needs and pauses what is off screen. Sent only
   * when it changes, and again after a reconnection.
   */
  setTileLayout(tracks: TrackSetting[]): void {
    this.tileLayout = tracks.slice(0, 256);
    this.sendTileLayout();
  }

  private sendTileLayout(): void {
    if (!this.joined || !this.pubPC || this.tileLayout.length === 0) return;
    const json = JSON.stringify(this.tileLayout);
    if (json === this.sentTileLayout) return;
    this.sentTileLayout = json;
    this.send({ type: "trackSettings", tracks: this.tileLayout });
  }

  /** Ourselves with the mute state we actually apply, for our own tile. */
  selfView(): Participant | null {
    if (!this.self) return null;
    return { ...this.self, audioMuted: this.audioMuted, videoMuted: this.videoMuted };
  }

  /** Mutes or unmutes the microphone, asking for one first if we have none. */
  async setAudioMuted(muted: boolean): Promise<void> {
    if (!muted && !(await this.local.ensureTrack("audio"))) return;
    this.local.setMuted("audio", muted);
    this.sendMute();
    this.announce(muted ? "Microphone muted" : "Microphone on");
    this.emit();
  }

  /** Turns the camera off or on, asking for one first if we have none. */
  async setVideoMuted(muted: boolean): Promise<void> {
    if (!muted && !(await this.local.ensureTrack("video"))) return;
    this.local.setMuted("video", muted);
    this.sendMute();
    this.announce(muted ? "Camera off" : "Camera on");
    this.emit();
  }

  private sendMute(): void {
    if (this.joined) this.send({ type: "mute", audio: this.audioMuted, video: this.videoMuted });
  }

  /** Shares a screen, window or tab; answers null, or plain words for why it did not start. */
  startScreenShare(): Promise<string | null> {
    return this.local.startScreenShare();
  }

  /** Stops sharing the screen. */
  stopScreenShare(): void {
    this.local.stopScreenShare();
  }

  /** Sends another video track in place of the camera's (see LocalTracks.replaceVideoTrack). */
  replaceVideoTrack(track: MediaStreamTrack): Promise<void> {
    return this.local.replaceVideoTrack(track);
  }

  /** Switches the microphone or camera to another device, mid-call. */
  switchDevice(kind: "audio" | "video", deviceId: string): Promise<string | null> {
    return this.local.switchDevice(kind, deviceId);
  }

  /** Leaves on purpose: tells the server, closes everything, stops the devices. */
  leave(): void {
    if (this.ended) return;
    this.send({ type: "leave" });
    this.finish({ reason: "left", message: "You left the room" });
  }

  // --- Connection lifecycle ------------------------------------------------

  /**
   * Opens a signalling socket. resume keeps the peer connections and takes
   * our place in the call back; otherwise everything starts afresh.
   */
  private connect(resume = false): void {
    if (resume) this.signal.drop();
    else this.closeConnection();
    const g = this.generation;
    this.fatal = null;
    this.joined = false;
    const path = this.dropInId ? dropInSignalPath(this.dropInId) : signalPath(this.token);
    this.signal.open(path, () => g === this.generation, {
      opened: () => {
        if (resume && this.self && this.resumeToken) {
          this.send({ type: "resume", participant: this.self.id, token: this.resumeToken });
        } else {
          this.send({ type: "join", muted: { audio: this.audioMuted, video: this.videoMuted } });
        }
      },
      handle: (msg) => this.handle(msg),
      handled: (msg) => {
        for (const fn of this.messageListeners) fn(msg);
      },
      closed: (broken) => this.onSocketClosed(broken),
    });
  }

  /**
   * Closes the socket and both peer connections of the current connection;
   * their callbacks, and messages still queued, no longer do anything.
   */
  private closeConnection(): void {
    this.generation++;
    this.signal.restartQueue();
    this.signal.drop();
    this.peers.close();
    this.participants.clear();
  }

  private onSocketClosed(broken: boolean): void {
    if (this.ended) return;
    if (this.goodbye) {
      this.finish(this.goodbye);
      return;
    }
    const cannotResume = this.fatal?.code === "cannot_resume";
    if (this.fatal && !cannotResume) {
      this.finish({ reason: "refused", message: this.fatal.message, code: this.fatal.code });
      return;
    }
    // Dropped in the call (a network switch, a proxy): take our place back
    // on a new socket, keeping the connections, while the server holds it.
    if (broken && this.resumes.hasTriesLeft() && this.resumeToken && this.self && this.pubPC) {
      this.signal.drop();
      this.joined = false;
      this.setStatus("reconnecting");
      this.resumes.schedule(() => {
        if (!this.ended) this.connect(true);
      });
      return;
    }
    // Our place is gone: join again as someone new.
    this.resumeToken = null;
    this.closeConnection();
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (!this.retries.schedule(() => void this.retry())) {
      this.finish({ reason: "lost", message: "We lost the connection to the room." });
      return;
    }
    this.setStatus(this.everJoined ? "reconnecting" : "connecting");
  }

  private async retry(): Promise<void> {
    const g = this.generation;
    // Some refusals won't go away by trying again; the REST API tells which.
    const reason = await whyRefused(this.token, this.dropInId);
    if (this.ended || g !== this.generation) return;
    if (reason) this.finish({ reason: "refused", message: reason });
    else this.connect();
  }

  private finish(end: SessionEnd): void {
    if (this.ended) return;
    this.ended = end;
    this.retries.cancel();
    this.resumes.cancel();
    if (this.levelTimer !== null) clearInterval(this.levelTimer);
    this.levelTimer = null;
    if (this.livenessTimer !== null) clearInterval(this.livenessTimer);
    this.livenessTimer = null;
    window.removeEventListener("online", this.onOnline);
    window.removeEventListener("pagehide", this.onPageHide);
    this.closeConnection();
    this.local.stopAll();
    this.status = "disconnected";
    this.announce(end.message);
    this.emit();
  }

  // --- Messages ----------------------------------------------------------

  private handle(msg: ServerMessage): Promise<void> | void {
    // Each message type has its own small handler.
    const handlers: { [T in ServerMessage["type"]]: Handler<T> } = {
      joined: (m) => this.onJoined(m),
      resumed: (m) => this.onResumed(m),
      pubAnswer: (m) => this.peers.onPubAnswer(m.sdp),
      subOffer: (m) => this.peers.onSubOffer(m.sdp),
      candidate: (m) => this.peers.onCandidate(m),
      participantJoined: (m) => this.onParticipantJoined(m.participant),
      participantLeft: (m) => this.onParticipantLeft(m.id),
      participantUpdated: (m) => this.onParticipantUpdated(m.participant),
      // Tracks arrive on the subscriber connection by themselves; these are
      // only news, and the tiles follow the streams.
      trackPublished: (m) => {
        if (m.source) this.trackSources.set(m.trackId, m.source);
        this.emit();
      },
      trackUnpublished: (m) => {
        this.trackSources.delete(m.trackId);
        this.emit();
      },
      waiting: (m) => this.onWaiting(m.room),
      roomUpdated: (m) => {
        this.room = m.room;
        this.emit();
      },
      removed: (m) => {
        this.goodbye = { reason: "removed", message: m.message };
      },
      roomEnded: (m) => {
        this.goodbye = { reason: "ended", message: m.message };
      },
      mutedByHost: () => this.onMutedByHost(),
      // Chat and reactions are for the UI (see onMessage).
      chat: () => {},
      reaction: () => {},
      speakers: (m) => {
        this.activeSpeaker = m.active || null;
        this.emit();
      },
      // Nobody receives some layers of one of our tracks: stop encoding them.
      publishLayers: (m) => applyPublishLayers(this.pubPC, m.mid, m.active, m.spatialLayers),
      pong: () => {}, // the socket answered; SignalSocket keeps the time
      error: (m) => this.onError(m),
    };
    return (handlers[msg.type] as Handler<typeof msg.type>)(msg as never);
  }

  private onWaiting(room: SignalRoom): void {
    this.room = room;
    this.retries.reset();
    this.setStatus("waiting");
    this.emit();
  }

  private onMutedByHost(): void {
    if (!this.audioMuted) {
      this.local.setMuted("audio", true);
      this.sendMute();
    }
    this.emit();
  }

  private async onJoined(m: JoinedMessage): Promise<void> {
    const reconnected = this.everJoined;
    this.joined = this.everJoined = true;
    if (this.status === "waiting") this.status = "connecting";
    this.retries.reset();
    this.resumes.reset();
    this.resumeToken = m.resumeToken ?? null;
    this.self = m.self;
    this.room = m.room;
    this.participants.clear();
    for (const p of m.participants) this.participants.set(p.id, p);
    this.local.videoCodec = m.videoCodec;
    this.peers.open(m.iceServers);
    this.sentTileLayout = "";
    this.sendTileLayout();
    if (reconnected) this.announce("Back in the room");
    else this.announce(...describeJoin(m.participants.length));
    this.emit();
    await this.peers.negotiatePub();
  }

  /** Back in the call on a new socket, with our connections as they were. */
  private onResumed(m: ResumedMessage): void {
    this.joined = true;
    this.retries.reset();
    this.resumes.reset();
    this.self = m.self;
    this.room = m.room;
    this.participants.clear();
    for (const p of m.participants) this.participants.set(p.id, p);
    // What we said while the socket was down was lost: say it again.
    this.sendMute();
    this.sentTileLayout = "";
    this.sendTileLayout();
    this.peers.resendPubOffer();
    this.announce("Back in the room");
    this.onPCStateChange(); // connected again, or an ICE restart now that we can signal
    this.emit();
  }

  private onParticipantJoined(p: Participant): void {
    if (p.id === this.self?.id) return;
    const known = this.participants.has(p.id);
    this.participants.set(p.id, p);
    if (!known) this.announce("{name} joined", { name: p.name });
    this.emit();
  }

  private onParticipantLeft(id: string): void {
    const p = this.participants.get(id);
    this.participants.delete(id);
    this.streams.delete(id);
    if (p) this.announce("{name} left", { name: p.name });
    this.emit();
  }

  private onParticipantUpdated(p: Participant): void {
    if (p.id === this.self?.id) {
      this.self = p;
      // Someone else (the host) may mute us; nobody but us ever unmutes us.
      if (p.audioMuted && !this.audioMuted) {
        this.local.setMuted("audio", true);
        this.announce("Your microphone was muted");
      }
      this.emit();
      return;
    }
    if (!this.participants.has(p.id)) return;
    this.participants.set(p.id, p);
    this.emit();
  }

  private async onError(m: ErrorMessage): Promise<void> {
    if (m.fatal) {
      // The server closes the socket next; onSocketClosed ends the session.
      this.fatal = m;
      return;
    }
    console.warn(`rooms: server error ${m.code}: ${m.message}`);
    this.showError(m.message);
    if (m.code === "negotiation_failed") await this.peers.rollbackPubOffer();
  }

  // --- Peer connections --------------------------------------------------

  private onPCStateChange(): void {
    const states = this.peers.states();
    if ((states.includes("failed") || states.includes("disconnected")) && this.restartICE()) {
      // The signalling socket is up: restart ICE on both connections and
      // keep our place (same participant, same tracks) rather than rejoin.
      // The same drop may have broken the socket without closing it: if
      // the restart cannot get through, a resumed socket takes it.
      this.signal.check();
      this.setStatus("reconnecting");
      return;
    }
    if (states.includes("failed")) {
      // ICE could not recover: start over with a new socket and connections,
      // but not forever when media never gets through (a firewall, say).
      console.warn("rooms: a peer connection failed", states);
      if (++this.mediaFailures >= MAX_MEDIA_FAILURES) {
        this.finish({ reason: "lost", message: "Audio and video couldn't reach the server. A firewall may be blocking them." });
        return;
      }
      this.closeConnection();
      this.scheduleRetry();
      return;
    }
    if (states.includes("disconnected")) this.setStatus("reconnecting");
    else if (this.joined && states.includes("connected")) {
      this.mediaFailures = 0;
      this.peers.iceRecovered();
      this.setStatus("connected");
    }
  }

  /**
   * Restarts ICE while the socket is open, to keep our place rather than
   * rejoin; false when it cannot or should not (see Peers.restartICE).
   */
  private restartICE(): boolean {
    if (!this.joined || !this.signal.isOpen) return false;
    return this.peers.restartICE();
  }

  // --- Active speaker -----------------------------------------------------

  private async pollLevels(): Promise<void> {
    const selfId = this.self?.id ?? null;
    const loud = await loudParticipants(this.subPC, this.streams, this.audioMuted ? null : this.pubPC, selfId);
    if (this.ended) return;
    if (this.speakingHold.hear(loud, performance.now())) this.emit();
  }

  // --- Plumbing ------------------------------------------------------------

  private send(msg: ClientMessage): void {
    this.signal.send(msg);
  }

  private setStatus(status: ConnectionStatus): void {
    if (this.ended || this.status === status) return;
    this.status = status;
    this.emit();
  }

  private showError(message: string): void {
    this.error = message;
    this.announce(message);
    if (this.errorTimer !== null) clearTimeout(this.errorTimer);
    this.errorTimer = setTimeout(() => {
      this.error = null;
      this.errorTimer = null;
      this.emit();
    }, ERROR_SHOWN_MS);
    this.emit();
  }

  private emit(): void {
    for (const fn of this.listeners) fn();
  }
}

/** The sentence that tells who else is here, with its placeholder's value. */
function describeJoin(others: number): [string, AnnounceVars?] {
  if (others === 0) return ["You joined the room. Nobody else is here yet."];
  if (others === 1) return ["You joined the room. 1 other person is here."];
  return ["You joined the room. {n} other people are here.", { n: others }];
}
