// One person's presence in a call: the signalling WebSocket and the two peer
// connections of docs/protocol.md. It knows nothing of the UI: components
// read its fields and subscribe to be told when they change.
//
// - publisher ("pub"): we offer, the server answers; carries our microphone
//   and camera.
// - subscriber ("sub"): the server offers, we answer; carries everyone
//   else's media, one MediaStream per participant (stream id = participant
//   id), plus the `events` data channel.

import {
  dropInSignalPath,
  parseServerMessage,
  signalPath,
  type CandidateMessage,
  type ClientMessage,
  type ErrorMessage,
  type JoinedMessage,
  type ResumedMessage,
  type Participant,
  type PCName,
  type ServerMessage,
  type SignalRoom,
  type SocialMessage,
  type TrackSetting,
  type TrackSource,
} from "../protocol";
import { ApiError, getDropInRoom, getMe, getRoom } from "../api";
import { acquireTrack, describeMediaError, stopStream } from "./media";
import { loudParticipants } from "./levels";
import { applyPublishLayers, publishInit } from "./simulcast";
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
  /** Called with short sentences worth telling a screen reader. */
  announce?: (text: string) => void;
}

// Reconnect delays after a dropped socket: about half a minute in all.
const RETRY_DELAYS_MS = [300, 1000, 2000, 3000, 5000, 5000, 5000, 5000];

// Resume attempts after the socket drops in a call, all within the six
// seconds the server keeps our place (docs/protocol.md, "Reconnecting").
const RESUME_DELAYS_MS = [100, 500, 1000, 2000, 2000];

// Peer connections that fail in a row before we give up.
const MAX_MEDIA_FAILURES = 3;

// ICE restarts on the same session before starting over with a new one,
// and the least time between two.
const MAX_ICE_RESTARTS = 6;
const ICE_RESTART_EVERY_MS = 3000;

// Active speaker detection: how often levels are sampled, and how long
// someone stays "speaking" after the last loud sample, so the highlight does
// not flicker between words.
const LEVEL_POLL_MS = 300;
const SPEAKING_HOLD_MS = 900;

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
  /** Remote media, keyed by participant id (the MediaStream id). */
  readonly streams = new Map<string, MediaStream>();
  readonly localStream: MediaStream;
  audioMuted: boolean;
  videoMuted: boolean;
  pubPC: RTCPeerConnection | null = null;
  subPC: RTCPeerConnection | null = null;
  /** Who is talking right now (participant ids, ourselves included). */
  speaking: ReadonlySet<string> = new Set();
  /** The server's active speaker (a participant id); null until it says. */
  activeSpeaker: string | null = null;
  /** What each remote track shows (trackPublished.source), by track id. */
  readonly trackSources = new Map<string, string>();
  /** Our screen share while we share; null otherwise. */
  screenStream: MediaStream | null = null;

  private ws: WebSocket | null = null;
  /** Bumped on every (re)connection, so callbacks of an older one do nothing. */
  private generation = 0;
  /** Counts sockets: a resume replaces the socket but keeps the connections. */
  private socketGen = 0;
  private resumeToken: string | null = null;
  private resumeTries = 0;
  private resumeTimer: ReturnType<typeof setTimeout> | null = null;
  private joined = false;
  private everJoined = false;
  private retries = 0;
  private mediaFailures = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private errorTimer: ReturnType<typeof setTimeout> | null = null;
  private fatal: ErrorMessage | null = null;
  /** Set by `removed` or `roomEnded`: the socket closes next, and we must not come back. */
  private goodbye: SessionEnd | null = null;
  private messageListeners = new Set<(msg: ServerMessage) => void>();
  private tileLayout: TrackSetting[] = [];
  /** The layout last sent on this connection. */
  private sentTileLayout = "";
  /** Messages are handled one at a time, in order, even the asynchronous parts. */
  private queue: Promise<void> = Promise.resolve();
  /** Remote candidates that came before their connection's remote description. */
  private remoteCandidates: Record<PCName, RTCIceCandidateInit[]> = { pub: [], sub: [] };
  /** Our candidates wait until the offer or answer they belong to has been sent. */
  private localCandidates: Record<PCName, RTCIceCandidateInit[] | null> = { pub: [], sub: [] };
  private pubInFlight = false;
  private iceRestarts = 0;
  private lastICERestart = -Infinity;
  private pubAgain = false;
  private levelTimer: ReturnType<typeof setInterval> | null = null;
  /** When each participant was last heard above the speaking threshold. */
  private lastHeard = new Map<string, number>();
  private listeners = new Set<() => void>();
  private readonly announce: (text: string) => void;
  private readonly onOnline = () => this.retryNow();
  private readonly onPageHide = () => this.leave();

  constructor(opts: SessionOptions) {
    this.token = opts.token;
    this.dropInId = opts.dropInId ?? null;
    this.localStream = opts.stream;
    this.audioMuted = opts.audioMuted || opts.stream.getAudioTracks().length === 0;
    this.videoMuted = opts.videoMuted || opts.stream.getVideoTracks().length === 0;
    this.announce = opts.announce ?? (() => {});
    this.applyLocalMute();
  }

  /** Opens the signalling socket and joins. */
  start(): void {
    exposeForTests(this);
    this.levelTimer = setInterval(() => void this.pollLevels(), LEVEL_POLL_MS);
    window.addEventListener("online", this.onOnline);
    window.addEventListener("pagehide", this.onPageHide);
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
    if (!this.joined || this.ws?.readyState !== WebSocket.OPEN) return false;
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
    if (!muted && !(await this.ensureTrack("audio"))) return;
    this.audioMuted = muted;
    this.applyLocalMute();
    this.sendMute();
    this.announce(muted ? "Microphone muted" : "Microphone on");
    this.emit();
  }

  /** Turns the camera off or on, asking for one first if we have none. */
  async setVideoMuted(muted: boolean): Promise<void> {
    if (!muted && !(await this.ensureTrack("video"))) return;
    this.videoMuted = muted;
    this.applyLocalMute();
    this.sendMute();
    this.announce(muted ? "Camera off" : "Camera on");
    this.emit();
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
    if (resume) this.dropSocket();
    else this.closeConnection();
    const g = this.generation;
    const sg = ++this.socketGen;
    const live = () => g === this.generation && sg === this.socketGen;
    this.fatal = null;
    this.joined = false;
    const proto = window.location.protocol === "https:" ? "wss:" : "ws:";
    const path = this.dropInId ? dropInSignalPath(this.dropInId) : signalPath(this.token);
    const ws = new WebSocket(`${proto}//${window.location.host}${path}`);
    this.ws = ws;
    ws.onopen = () => {
      if (!live()) return;
      if (resume && this.self && this.resumeToken) {
        this.send({ type: "resume", participant: this.self.id, token: this.resumeToken });
      } else {
        this.send({ type: "join", muted: { audio: this.audioMuted, video: this.videoMuted } });
      }
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (!live()) return;
      const msg = parseServerMessage(ev.data);
      if (!msg) {
        console.warn("rooms: ignoring a malformed message", ev.data);
        return;
      }
      this.queue = this.queue
        .then(() => (live() ? this.handle(msg) : undefined))
        .then(() => {
          if (live()) for (const fn of this.messageListeners) fn(msg);
        })
        .catch((err: unknown) => console.error(`rooms: handling ${msg.type}`, err));
    };
    ws.onclose = (ev: CloseEvent) => {
      if (!live()) return;
      // 1006: the connection broke without a closing handshake (the network,
      // a proxy); a socket the server closed on purpose says why.
      this.onSocketClosed(ev.code === 1006);
    };
  }

  /** Closes the socket alone; its callbacks no longer do anything. */
  private dropSocket(): void {
    this.socketGen++;
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = null;
      if (ws.readyState === WebSocket.CONNECTING || ws.readyState === WebSocket.OPEN) ws.close(1000);
    }
  }

  /**
   * Closes the socket and both peer connections of the current connection;
   * their callbacks, and messages still queued, no longer do anything.
   */
  private closeConnection(): void {
    this.generation++;
    // A handler of the old connection may wait forever: a closed
    // RTCPeerConnection never settles an operation it had pending. Its
    // messages are ignored anyway, so the new connection starts a new chain.
    this.queue = Promise.resolve();
    this.dropSocket();
    for (const pc of [this.pubPC, this.subPC]) {
      if (!pc) continue;
      pc.onicecandidate = pc.onconnectionstatechange = pc.ontrack = pc.ondatachannel = null;
      pc.close();
    }
    this.pubPC = this.subPC = null;
    this.remoteCandidates = { pub: [], sub: [] };
    this.localCandidates = { pub: [], sub: [] };
    this.pubInFlight = this.pubAgain = false;
    this.participants.clear();
    this.streams.clear();
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
    const delay = RESUME_DELAYS_MS[this.resumeTries];
    if (broken && delay !== undefined && this.resumeToken && this.self && this.pubPC) {
      this.resumeTries++;
      this.dropSocket();
      this.joined = false;
      this.setStatus("reconnecting");
      this.resumeTimer = setTimeout(() => {
        this.resumeTimer = null;
        if (!this.ended) this.connect(true);
      }, delay);
      return;
    }
    // Our place is gone: join again as someone new.
    this.resumeToken = null;
    this.closeConnection();
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    const delay = RETRY_DELAYS_MS[this.retries];
    if (delay === undefined) {
      this.finish({ reason: "lost", message: "We lost the connection to the room." });
      return;
    }
    this.retries++;
    this.setStatus(this.everJoined ? "reconnecting" : "connecting");
    this.retryTimer = setTimeout(() => void this.retry(), delay);
  }

  private retryNow(): void {
    if (this.retryTimer === null) return;
    clearTimeout(this.retryTimer);
    void this.retry();
  }

  private async retry(): Promise<void> {
    this.retryTimer = null;
    const g = this.generation;
    // Some refusals won't go away by trying again; the REST API tells which.
    const reason = await this.whyRefused();
    if (this.ended || g !== this.generation) return;
    if (reason) this.finish({ reason: "refused", message: reason });
    else this.connect();
  }

  /** Asks the REST API whether the room or our session is gone for good. */
  private async whyRefused(): Promise<string | null> {
    try {
      if (this.dropInId) {
        await getDropInRoom(this.dropInId);
        return null;
      }
      await getRoom(this.token);
      const me = await getMe();
      if (!me.user && me.guest?.roomToken !== this.token) {
        return "Your session has ended. Please join the room again.";
      }
      return null;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return "This room doesn't exist";
      if (err instanceof ApiError && err.status === 410) return "This room has ended";
      return null; // the network or the server: worth another try
    }
  }

  private finish(end: SessionEnd): void {
    if (this.ended) return;
    this.ended = end;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.resumeTimer !== null) clearTimeout(this.resumeTimer);
    this.resumeTimer = null;
    if (this.levelTimer !== null) clearInterval(this.levelTimer);
    this.levelTimer = null;
    window.removeEventListener("online", this.onOnline);
    window.removeEventListener("pagehide", this.onPageHide);
    this.closeConnection();
    stopStream(this.localStream);
    stopStream(this.screenStream);
    this.screenStream = null;
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
      pubAnswer: (m) => this.onPubAnswer(m.sdp),
      subOffer: (m) => this.onSubOffer(m.sdp),
      candidate: (m) => this.onCandidate(m),
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
      publishLayers: (m) => applyPublishLayers(this.pubPC, m.mid, m.active),
      error: (m) => this.onError(m),
    };
    return (handlers[msg.type] as Handler<typeof msg.type>)(msg as never);
  }

  private onWaiting(room: SignalRoom): void {
    this.room = room;
    this.retries = 0;
    this.setStatus("waiting");
    this.emit();
  }

  private onMutedByHost(): void {
    if (!this.audioMuted) {
      this.audioMuted = true;
      this.applyLocalMute();
      this.sendMute();
    }
    this.emit();
  }

  private async onJoined(m: JoinedMessage): Promise<void> {
    const reconnected = this.everJoined;
    this.joined = this.everJoined = true;
    if (this.status === "waiting") this.status = "connecting";
    this.retries = 0;
    this.resumeTries = 0;
    this.resumeToken = m.resumeToken ?? null;
    this.self = m.self;
    this.room = m.room;
    this.participants.clear();
    for (const p of m.participants) this.participants.set(p.id, p);
    this.createPeerConnections(m.iceServers);
    this.sentTileLayout = "";
    this.sendTileLayout();
    this.announce(reconnected ? "Back in the room" : describeJoin(m.participants.length));
    this.emit();
    await this.negotiatePub();
  }

  /** Back in the call on a new socket, with our connections as they were. */
  private onResumed(m: ResumedMessage): void {
    this.joined = true;
    this.retries = this.resumeTries = 0;
    this.self = m.self;
    this.room = m.room;
    this.participants.clear();
    for (const p of m.participants) this.participants.set(p.id, p);
    // What we said while the socket was down was lost: say it again.
    this.sendMute();
    this.sentTileLayout = "";
    this.sendTileLayout();
    const pub = this.pubPC;
    if (pub?.signalingState === "have-local-offer" && pub.localDescription) {
      this.send({ type: "pubOffer", sdp: pub.localDescription.sdp, sources: this.publishedSources(pub) });
    }
    this.announce("Back in the room");
    this.onPCStateChange(); // connected again, or an ICE restart now that we can signal
    this.emit();
  }

  private async onPubAnswer(sdp: string): Promise<void> {
    const pc = this.pubPC;
    if (!pc || pc.signalingState !== "have-local-offer") return;
    await pc.setRemoteDescription({ type: "answer", sdp });
    await this.flushRemoteCandidates("pub");
    this.pubInFlight = false;
    if (this.pubAgain) {
      this.pubAgain = false;
      await this.negotiatePub();
    }
  }

  private async onSubOffer(sdp: string): Promise<void> {
    const pc = this.subPC;
    if (!pc) return;
    try {
      await pc.setRemoteDescription({ type: "offer", sdp });
      await this.flushRemoteCandidates("sub");
      await pc.setLocalDescription(await pc.createAnswer());
    } catch (err) {
      console.error("rooms: answering subOffer", err);
      this.showError("Couldn't set up the video from others. Try leaving and joining again.");
      return;
    }
    this.send({ type: "subAnswer", sdp: pc.localDescription?.sdp ?? "" });
    this.releaseLocalCandidates("sub");
  }

  private async onCandidate(m: CandidateMessage): Promise<void> {
    const pc = m.pc === "pub" ? this.pubPC : this.subPC;
    if (!pc) return;
    if (!pc.remoteDescription) {
      this.remoteCandidates[m.pc].push(m.candidate);
      return;
    }
    await addCandidate(pc, m.candidate);
  }

  private onParticipantJoined(p: Participant): void {
    if (p.id === this.self?.id) return;
    const known = this.participants.has(p.id);
    this.participants.set(p.id, p);
    if (!known) this.announce(`${p.name} joined`);
    this.emit();
  }

  private onParticipantLeft(id: string): void {
    const p = this.participants.get(id);
    this.participants.delete(id);
    this.streams.delete(id);
    if (p) this.announce(`${p.name} left`);
    this.emit();
  }

  private onParticipantUpdated(p: Participant): void {
    if (p.id === this.self?.id) {
      this.self = p;
      // Someone else (the host) may mute us; nobody but us ever unmutes us.
      if (p.audioMuted && !this.audioMuted) {
        this.audioMuted = true;
        this.applyLocalMute();
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
    // A refused publisher offer is never answered: take it back, so that the
    // next change of tracks can offer again.
    const pub = this.pubPC;
    if (m.code === "negotiation_failed" && pub?.signalingState === "have-local-offer") {
      await pub.setLocalDescription({ type: "rollback" });
      this.pubInFlight = this.pubAgain = false;
    }
  }

  // --- Peer connections --------------------------------------------------

  private createPeerConnections(iceServers: RTCIceServer[]): void {
    const g = this.generation;
    const pub = new RTCPeerConnection({ iceServers, bundlePolicy: "max-bundle" });
    const sub = new RTCPeerConnection({ iceServers, bundlePolicy: "max-bundle" });
    this.pubPC = pub;
    this.subPC = sub;

    for (const track of this.localStream.getTracks()) {
      pub.addTransceiver(track, publishInit(track, this.localStream));
    }
    for (const track of this.screenStream?.getVideoTracks() ?? []) {
      pub.addTransceiver(track, { direction: "sendonly", streams: [this.screenStream as MediaStream] });
    }

    pub.onicecandidate = (ev) => ev.candidate && this.sendCandidate("pub", ev.candidate.toJSON());
    sub.onicecandidate = (ev) => ev.candidate && this.sendCandidate("sub", ev.candidate.toJSON());
    pub.onconnectionstatechange = () => g === this.generation && this.onPCStateChange();
    sub.onconnectionstatechange = () => g === this.generation && this.onPCStateChange();
    // The server's `events` channel only brings the transport up early.
    sub.ondatachannel = () => {};
    sub.ontrack = (ev) => {
      if (g !== this.generation) return;
      const stream = ev.streams[0];
      if (!stream) {
        console.warn("rooms: a remote track without a stream", ev.track.kind);
        return;
      }
      this.streams.set(stream.id, stream);
      const changed = () => g === this.generation && this.emit();
      ev.track.addEventListener("unmute", changed);
      ev.track.addEventListener("mute", changed);
      ev.track.addEventListener("ended", changed);
      stream.onremovetrack = changed;
      stream.onaddtrack = changed;
      this.emit();
    };
  }

  /** Sends a fresh publisher offer, or remembers to once the current one is answered. */
  private async negotiatePub(): Promise<void> {
    const pc = this.pubPC;
    if (!pc) return;
    // With no microphone and no camera there is nothing to publish yet.
    if (pc.getTransceivers().length === 0) return;
    if (this.pubInFlight) {
      this.pubAgain = true;
      return;
    }
    this.pubInFlight = true;
    this.localCandidates.pub ??= [];
    await pc.setLocalDescription(await pc.createOffer());
    this.send({ type: "pubOffer", sdp: pc.localDescription?.sdp ?? "", sources: this.publishedSources(pc) });
    this.releaseLocalCandidates("pub");
  }

  private onPCStateChange(): void {
    const states = [this.pubPC?.connectionState, this.subPC?.connectionState];
    if ((states.includes("failed") || states.includes("disconnected")) && this.restartICE()) {
      // The signalling socket is up: restart ICE on both connections and
      // keep our place (same participant, same tracks) rather than rejoin.
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
      this.iceRestarts = 0;
      this.setStatus("connected");
    }
  }

  /**
   * Restarts ICE on both connections while the socket is open: a new
   * publisher offer with fresh credentials, and `restartIce` for the
   * server's. At most one restart every few seconds; after several in a
   * row that did not bring media back, answers false (start over).
   */
  private restartICE(): boolean {
    if (!this.joined || this.ws?.readyState !== WebSocket.OPEN || this.iceRestarts >= MAX_ICE_RESTARTS) return false;
    const now = performance.now();
    if (now - this.lastICERestart < ICE_RESTART_EVERY_MS) return true;
    this.lastICERestart = now;
    this.iceRestarts++;
    const pub = this.pubPC;
    if (pub && pub.getTransceivers().length > 0) {
      this.queue = this.queue
        .then(async () => {
          if (this.pubPC !== pub || pub.signalingState !== "stable") return;
          await pub.setLocalDescription(await pub.createOffer({ iceRestart: true }));
          this.pubInFlight = true;
          this.send({ type: "pubOffer", sdp: pub.localDescription?.sdp ?? "", sources: this.publishedSources(pub) });
        })
        .catch((err: unknown) => console.error("rooms: restarting ICE", err));
    }
    this.send({ type: "restartIce" });
    // Check again later: a restart made while the network is still down
    // cannot succeed, so another follows until media is back.
    const g = this.generation;
    setTimeout(() => g === this.generation && this.onPCStateChange(), ICE_RESTART_EVERY_MS + 100);
    return true;
  }

  private sendCandidate(pc: PCName, candidate: RTCIceCandidateInit): void {
    const held = this.localCandidates[pc];
    if (held) held.push(candidate);
    else this.send({ type: "candidate", pc, candidate });
  }

  /** Sends the candidates held back until the description they follow was sent. */
  private releaseLocalCandidates(pc: PCName): void {
    const held = this.localCandidates[pc] ?? [];
    this.localCandidates[pc] = null;
    for (const candidate of held) this.send({ type: "candidate", pc, candidate });
  }

  private async flushRemoteCandidates(name: PCName): Promise<void> {
    const pc = name === "pub" ? this.pubPC : this.subPC;
    const pending = this.remoteCandidates[name];
    this.remoteCandidates[name] = [];
    if (!pc) return;
    for (const c of pending) await addCandidate(pc, c);
  }

  // --- Local media ---------------------------------------------------------

  /** What each of our media sections carries, for pubOffer.sources. */
  private publishedSources(pc: RTCPeerConnection): Record<string, TrackSource> {
    const out: Record<string, TrackSource> = {};
    const screen = new Set(this.screenStream?.getTracks().map((tr) => tr.id) ?? []);
    for (const tr of pc.getTransceivers()) {
      const track = tr.sender.track;
      if (!tr.mid || !track) continue;
      if (screen.has(track.id)) out[tr.mid] = track.kind === "audio" ? "screen_audio" : "screen";
      else out[tr.mid] = track.kind === "audio" ? "microphone" : "camera";
    }
    return out;
  }

  /** Queues a new publisher offer after the tracks changed. */
  private renegotiatePub(): void {
    this.queue = this.queue.then(() => this.negotiatePub()).catch((err: unknown) => console.error("rooms: renegotiating", err));
  }

  /**
   * Shares a screen, window or tab (the browser asks which) as an extra
   * video track. Answers null, or plain words for why it did not start.
   */
  async startScreenShare(): Promise<string | null> {
    if (this.screenStream) return null;
    if (!navigator.mediaDevices?.getDisplayMedia) return "This browser can't share the screen.";
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15, max: 30 } }, audio: false });
    } catch (err) {
      const name = err instanceof DOMException ? err.name : "";
      return name === "NotAllowedError" ? null : "Your screen couldn't be shared.";
    }
    const track = stream.getVideoTracks()[0];
    if (!track || this.ended) {
      stopStream(stream);
      return null;
    }
    track.contentHint = "detail";
    // The browser's own "Stop sharing" button ends the track.
    track.addEventListener("ended", () => this.stopScreenShare());
    this.screenStream = stream;
    const pc = this.pubPC;
    if (pc) {
      pc.addTransceiver(track, { direction: "sendonly", streams: [stream] });
      this.renegotiatePub();
    }
    this.announce("You are sharing your screen");
    this.emit();
    return null;
  }

  /** Stops sharing the screen. */
  stopScreenShare(): void {
    const stream = this.screenStream;
    if (!stream) return;
    this.screenStream = null;
    const ids = new Set(stream.getTracks().map((tr) => tr.id));
    stopStream(stream);
    const pc = this.pubPC;
    if (pc) {
      for (const sender of pc.getSenders()) {
        if (sender.track && ids.has(sender.track.id)) pc.removeTrack(sender);
      }
      this.renegotiatePub();
    }
    this.emit();
  }

  /**
   * Sends another video track in place of the camera's (a background
   * effect's canvas, or the camera again). The old track is not stopped:
   * whoever made the new one owns it.
   */
  async replaceVideoTrack(track: MediaStreamTrack): Promise<void> {
    const old = this.localStream.getVideoTracks();
    if (old.includes(track)) return;
    track.enabled = !this.videoMuted;
    const sender = this.pubPC?.getSenders().find((sd) => sd.track && old.includes(sd.track));
    old.forEach((tr) => this.localStream.removeTrack(tr));
    this.localStream.addTrack(track);
    if (sender) await sender.replaceTrack(track);
    this.emit();
  }

  /** Switches the microphone or camera to another device, mid-call. */
  async switchDevice(kind: "audio" | "video", deviceId: string): Promise<string | null> {
    const what = kind === "audio" ? "microphone" : "camera";
    let track: MediaStreamTrack;
    try {
      const s = await navigator.mediaDevices.getUserMedia(kind === "audio" ? { audio: { deviceId: { exact: deviceId } } } : { video: { deviceId: { exact: deviceId } } });
      const got = s.getTracks()[0];
      if (!got) throw new DOMException("no track", "NotFoundError");
      track = got;
    } catch (err) {
      return describeMediaError(err, what);
    }
    if (this.ended) {
      track.stop();
      return null;
    }
    const old = kind === "audio" ? this.localStream.getAudioTracks() : this.localStream.getVideoTracks();
    track.enabled = kind === "audio" ? !this.audioMuted : !this.videoMuted;
    const sender = this.pubPC?.getSenders().find((sd) => sd.track && old.includes(sd.track));
    old.forEach((tr) => {
      this.localStream.removeTrack(tr);
      tr.stop();
    });
    this.localStream.addTrack(track);
    if (sender) await sender.replaceTrack(track);
    else if (this.pubPC) {
      this.pubPC.addTransceiver(track, publishInit(track, this.localStream));
      this.renegotiatePub();
    }
    this.emit();
    return null;
  }

  private applyLocalMute(): void {
    for (const t of this.localStream.getAudioTracks()) t.enabled = !this.audioMuted;
    for (const t of this.localStream.getVideoTracks()) t.enabled = !this.videoMuted;
  }

  private sendMute(): void {
    if (this.joined) this.send({ type: "mute", audio: this.audioMuted, video: this.videoMuted });
  }

  /** Makes sure we hold a track of this kind, asking for the device if not. */
  private async ensureTrack(kind: "audio" | "video"): Promise<boolean> {
    const have = kind === "audio" ? this.localStream.getAudioTracks() : this.localStream.getVideoTracks();
    if (have.some((t) => t.readyState === "live")) return true;
    const what = kind === "audio" ? "microphone" : "camera";
    let track: MediaStreamTrack;
    try {
      track = await acquireTrack(kind);
    } catch (err) {
      this.showError(describeMediaError(err, what));
      return false;
    }
    if (this.ended) {
      track.stop();
      return false;
    }
    have.forEach((t) => this.localStream.removeTrack(t));
    this.localStream.addTrack(track);
    const pc = this.pubPC;
    if (pc) {
      const free = pc.getTransceivers().find((tr) => tr.sender.track?.kind === kind || (!tr.sender.track && tr.receiver.track.kind === kind));
      if (free) await free.sender.replaceTrack(track);
      else {
        pc.addTransceiver(track, publishInit(track, this.localStream));
        this.renegotiatePub();
      }
    }
    return true;
  }

  // --- Active speaker -----------------------------------------------------

  private async pollLevels(): Promise<void> {
    const selfId = this.self?.id ?? null;
    const loud = await loudParticipants(this.subPC, this.streams, this.audioMuted ? null : this.pubPC, selfId);
    if (this.ended) return;
    const now = performance.now();
    for (const id of loud) this.lastHeard.set(id, now);
    const speaking = new Set<string>();
    for (const [id, at] of this.lastHeard) {
      if (now - at < SPEAKING_HOLD_MS) speaking.add(id);
      else this.lastHeard.delete(id);
    }
    const changed = speaking.size !== this.speaking.size || [...speaking].some((id) => !this.speaking.has(id));
    if (changed) {
      this.speaking = speaking;
      this.emit();
    }
  }

  // --- Plumbing ------------------------------------------------------------

  private send(msg: ClientMessage): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
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

async function addCandidate(pc: RTCPeerConnection, c: RTCIceCandidateInit): Promise<void> {
  try {
    await pc.addIceCandidate(c);
  } catch (err) {
    // One bad candidate must not stop the others.
    console.warn("rooms: ignoring a remote candidate", c, err);
  }
}

function describeJoin(others: number): string {
  if (others === 0) return "You joined the room. Nobody else is here yet.";
  if (others === 1) return "You joined the room. 1 other person is here.";
  return `You joined the room. ${others} other people are here.`;
}
