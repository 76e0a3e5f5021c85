// The two peer connections of one join (docs/protocol.md) and their
// negotiation over the signalling socket:
//
// - publisher ("pub"): we offer, the server answers; carries our LocalTracks.
// - subscriber ("sub"): the server offers, we answer; carries everyone
//   else's media, one MediaStream per participant (stream id = participant
//   id), plus the `events` data channel.
//
// The session decides when to open and close them and what a change of
// their state means for the call; this module only keeps the offers,
// answers and candidates in the order WebRTC needs.

import type { CandidateMessage, ClientMessage, PCName } from "../protocol";
import type { LocalTracks } from "./localTracks";

// ICE restarts on the same session before starting over with a new one,
// and the least time between two.
const MAX_ICE_RESTARTS = 6;
const ICE_RESTART_EVERY_MS = 3000;

/** What Peers needs of the session it belongs to. */
export interface PeersHost {
  /** Sends a message on the signalling socket, when it is open. */
  send(msg: ClientMessage): void;
  /**
   * Runs task after the messages being handled, in the same order; a
   * failure is logged with label.
   */
  enqueue(label: string, task: () => Promise<void>): void;
  /** Either connection changed state, or it is time to look again after an ICE restart. */
  stateChanged(): void;
  /** Remote media changed: a stream arrived, or a track in one muted, ended or came. */
  changed(): void;
  /** Shows a non-fatal problem in the status line. */
  showError(message: string): void;
}

/** The publisher and subscriber connections, while joined. */
export class Peers {
  pub: RTCPeerConnection | null = null;
  sub: RTCPeerConnection | null = null;
  /** Remote media, keyed by participant id (the MediaStream id). */
  readonly streams = new Map<string, MediaStream>();

  private readonly local: LocalTracks;
  private readonly host: PeersHost;
  /** Bumped on every close, so callbacks of closed connections do nothing. */
  private epoch = 0;
  /** Remote candidates that came before their connection's remote description. */
  private remoteCandidates: Record<PCName, RTCIceCandidateInit[]> = { pub: [], sub: [] };
  /** Our candidates wait until the offer or answer they belong to has been sent. */
  private localCandidates: Record<PCName, RTCIceCandidateInit[] | null> = { pub: [], sub: [] };
  private pubInFlight = false;
  private pubAgain = false;
  // Counted across connections, not reset by close: only media flowing
  // again (iceRecovered) allows more restarts.
  private iceRestarts = 0;
  private lastICERestart = -Infinity;

  constructor(local: LocalTracks, host: PeersHost) {
    this.local = local;
    this.host = host;
  }

  /** Creates both connections, publishing our local tracks. */
  open(iceServers: RTCIceServer[]): void {
    const epoch = this.epoch;
    const live = () => epoch === this.epoch;
    const pub = new RTCPeerConnection({ iceServers, bundlePolicy: "max-bundle" });
    const sub = new RTCPeerConnection({ iceServers, bundlePolicy: "max-bundle" });
    this.pub = pub;
    this.sub = sub;
    this.local.publishOn(pub);

    pub.onicecandidate = (ev) => ev.candidate && this.sendCandidate("pub", ev.candidate.toJSON());
    sub.onicecandidate = (ev) => ev.candidate && this.sendCandidate("sub", ev.candidate.toJSON());
    pub.onconnectionstatechange = () => live() && this.host.stateChanged();
    sub.onconnectionstatechange = () => live() && this.host.stateChanged();
    // The server's `events` channel only brings the transport up early.
    sub.ondatachannel = () => {};
    sub.ontrack = (ev) => live() && this.onTrack(ev, live);
  }

  /** A participant's track arrived: their tile follows their stream. */
  private onTrack(ev: RTCTrackEvent, live: () => boolean): void {
    const stream = ev.streams[0];
    if (!stream) {
      console.warn("rooms: a remote track without a stream", ev.track.kind);
      return;
    }
    this.streams.set(stream.id, stream);
    const changed = () => live() && this.host.changed();
    ev.track.addEventListener("unmute", changed);
    ev.track.addEventListener("mute", changed);
    ev.track.addEventListener("ended", changed);
    stream.onremovetrack = changed;
    stream.onaddtrack = changed;
    this.host.changed();
  }

  /** Closes both connections and forgets everything pending on them, and what they brought. */
  close(): void {
    this.epoch++;
    for (const pc of [this.pub, this.sub]) {
      if (!pc) continue;
      pc.onicecandidate = pc.onconnectionstatechange = pc.ontrack = pc.ondatachannel = null;
      pc.close();
    }
    this.pub = this.sub = null;
    this.remoteCandidates = { pub: [], sub: [] };
    this.localCandidates = { pub: [], sub: [] };
    this.pubInFlight = this.pubAgain = false;
    this.streams.clear();
  }

  /** The connection states of the publisher and the subscriber. */
  states(): (RTCPeerConnectionState | undefined)[] {
    return [this.pub?.connectionState, this.sub?.connectionState];
  }

  /** Sends a fresh publisher offer, or remembers to once the current one is answered. */
  async negotiatePub(): Promise<void> {
    const pc = this.pub;
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
    this.host.send({ type: "pubOffer", sdp: pc.localDescription?.sdp ?? "", sources: this.local.sources(pc) });
    this.releaseLocalCandidates("pub");
  }

  /** Queues a new publisher offer after the tracks changed. */
  renegotiate(): void {
    this.host.enqueue("renegotiating", () => this.negotiatePub());
  }

  /** Sends the pending publisher offer again: the socket that carried it is gone. */
  resendPubOffer(): void {
    const pub = this.pub;
    if (pub?.signalingState === "have-local-offer" && pub.localDescription) {
      this.host.send({ type: "pubOffer", sdp: pub.localDescription.sdp, sources: this.local.sources(pub) });
    }
  }

  /**
   * Takes back a publisher offer the server refused: it is never answered,
   * and the next change of tracks must be able to offer again.
   */
  async rollbackPubOffer(): Promise<void> {
    const pub = this.pub;
    if (pub?.signalingState === "have-local-offer") {
      await pub.setLocalDescription({ type: "rollback" });
      this.pubInFlight = this.pubAgain = false;
    }
  }

  async onPubAnswer(sdp: string): Promise<void> {
    const pc = this.pub;
    if (!pc || pc.signalingState !== "have-local-offer") return;
    await pc.setRemoteDescription({ type: "answer", sdp });
    await this.flushRemoteCandidates("pub");
    this.pubInFlight = false;
    if (this.pubAgain) {
      this.pubAgain = false;
      await this.negotiatePub();
    }
  }

  async onSubOffer(sdp: string): Promise<void> {
    const pc = this.sub;
    if (!pc) return;
    try {
      await pc.setRemoteDescription({ type: "offer", sdp });
      await this.flushRemoteCandidates("sub");
      await pc.setLocalDescription(await pc.createAnswer());
    } catch (err) {
      console.error("rooms: answering subOffer", err);
      this.host.showError("Couldn't set up the video from others. Try leaving and joining again.");
      return;
    }
    this.host.send({ type: "subAnswer", sdp: pc.localDescription?.sdp ?? "" });
    this.releaseLocalCandidates("sub");
  }

  async onCandidate(m: CandidateMessage): Promise<void> {
    const pc = m.pc === "pub" ? this.pub : this.sub;
    if (!pc) return;
    if (!pc.remoteDescription) {
      this.remoteCandidates[m.pc].push(m.candidate);
      return;
    }
    await addCandidate(pc, m.candidate);
  }

  /**
   * Restarts ICE on both connections; the caller makes sure the socket is
   * open. A new publisher offer with fresh credentials, and `restartIce`
   * for the server's. At most one restart every few seconds; after several
   * in a row that did not bring media back, answers false (start over).
   */
  restartICE(): boolean {
    if (this.iceRestarts >= MAX_ICE_RESTARTS) return false;
    const now = performance.now();
    if (now - this.lastICERestart < ICE_RESTART_EVERY_MS) return true;
    this.lastICERestart = now;
    this.iceRestarts++;
    const pub = this.pub;
    if (pub && pub.getTransceivers().length > 0) {
      this.host.enqueue("restarting ICE", async () => {
        if (this.pub !== pub || pub.signalingState !== "stable") return;
        await pub.setLocalDescription(await pub.createOffer({ iceRestart: true }));
        this.pubInFlight = true;
        this.host.send({ type: "pubOffer", sdp: pub.localDescription?.sdp ?? "", sources: this.local.sources(pub) });
      });
    }
    this.host.send({ type: "restartIce" });
    // Check again later: a restart made while the network is still down
    // cannot succeed, so another follows until media is back.
    const epoch = this.epoch;
    setTimeout(() => epoch === this.epoch && this.host.stateChanged(), ICE_RESTART_EVERY_MS + 100);
    return true;
  }

  /** Media flows again: the next trouble may restart ICE as often as the first. */
  iceRecovered(): void {
    this.iceRestarts = 0;
  }

  private sendCandidate(pc: PCName, candidate: RTCIceCandidateInit): void {
    const held = this.localCandidates[pc];
    if (held) held.push(candidate);
    else this.host.send({ type: "candidate", pc, candidate });
  }

  /** Sends the candidates held back until the description they follow was sent. */
  private releaseLocalCandidates(pc: PCName): void {
    const held = this.localCandidates[pc] ?? [];
    this.localCandidates[pc] = null;
    for (const candidate of held) this.host.send({ type: "candidate", pc, candidate });
  }

  private async flushRemoteCandidates(name: PCName): Promise<void> {
    const pc = name === "pub" ? this.pub : this.sub;
    const pending = this.remoteCandidates[name];
    this.remoteCandidates[name] = [];
    if (!pc) return;
    for (const c of pending) await addCandidate(pc, c);
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
