// Our own media in a call: the camera and microphone we send, whether each
// is muted, the devices they come from, and a screen share. It knows nothing
// of signalling: the session tells it where the publisher connection is and
// is told when the tracks change (a new publisher offer is then due).

import type { TrackSource, VideoCodec } from "../protocol";
import { acquireTrack, describeMediaError, stopStream } from "./media";
import { preferCodec, publishInit } from "./simulcast";

/** What LocalTracks needs of the session it belongs to. */
export interface LocalTracksHost {
  /** The publisher connection, while there is one. */
  pubPC(): RTCPeerConnection | null;
  /** Whether the session is over: a device that arrives after that is stopped at once. */
  ended(): boolean;
  /** Queues a new publisher offer, after a track was added or removed. */
  renegotiate(): void;
  /** Tells whoever watches the session that something changed. */
  changed(): void;
  /** Tells a screen reader. */
  announce(text: string): void;
  /** Shows a non-fatal problem in the status line. */
  showError(message: string): void;
}

/** The tracks we send, their mute state and our screen share. */
export class LocalTracks {
  /** Our camera and microphone; stopped by stopAll at the end of the session. */
  readonly stream: MediaStream;
  audioMuted: boolean;
  videoMuted: boolean;
  /** Our screen share while we share; null otherwise. */
  screen: MediaStream | null = null;
  /** The codec the server asks us to publish the camera in (`joined.videoCodec`). */
  videoCodec: VideoCodec = "vp8";
  private readonly host: LocalTracksHost;

  constructor(stream: MediaStream, audioMuted: boolean, videoMuted: boolean, host: LocalTracksHost) {
    this.stream = stream;
    // Without a device of a kind there is nothing to unmute yet.
    this.audioMuted = audioMuted || stream.getAudioTracks().length === 0;
    this.videoMuted = videoMuted || stream.getVideoTracks().length === 0;
    this.host = host;
    this.applyMute();
  }

  /** Mutes or unmutes one kind; the caller has made sure we hold a track to unmute. */
  setMuted(kind: "audio" | "video", muted: boolean): void {
    if (kind === "audio") this.audioMuted = muted;
    else this.videoMuted = muted;
    this.applyMute();
  }

  /** Adds everything we send to a new publisher connection. */
  publishOn(pc: RTCPeerConnection): void {
    for (const track of this.stream.getTracks()) this.addCamera(pc, track);
    for (const track of this.screen?.getVideoTracks() ?? []) {
      pc.addTransceiver(track, { direction: "sendonly", streams: [this.screen as MediaStream] });
    }
  }

  /** What each of our media sections carries, for pubOffer.sources. */
  sources(pc: RTCPeerConnection): Record<string, TrackSource> {
    const out: Record<string, TrackSource> = {};
    const screen = new Set(this.screen?.getTracks().map((tr) => tr.id) ?? []);
    for (const tr of pc.getTransceivers()) {
      const track = tr.sender.track;
      if (!tr.mid || !track) continue;
      if (screen.has(track.id)) out[tr.mid] = track.kind === "audio" ? "screen_audio" : "screen";
      else out[tr.mid] = track.kind === "audio" ? "microphone" : "camera";
    }
    return out;
  }

  /** Stops every device we hold, which turns the camera light off. */
  stopAll(): void {
    stopStream(this.stream);
    stopStream(this.screen);
    this.screen = null;
  }

  /**
   * Makes sure we hold a track of this kind, asking for the device if not.
   * Answers false, having shown why, when there is none to be had.
   */
  async ensureTrack(kind: "audio" | "video"): Promise<boolean> {
    const have = kind === "audio" ? this.stream.getAudioTracks() : this.stream.getVideoTracks();
    if (have.some((t) => t.readyState === "live")) return true;
    const what = kind === "audio" ? "microphone" : "camera";
    let track: MediaStreamTrack;
    try {
      track = await acquireTrack(kind);
    } catch (err) {
      this.host.showError(describeMediaError(err, what));
      return false;
    }
    if (this.host.ended()) {
      track.stop();
      return false;
    }
    have.forEach((t) => this.stream.removeTrack(t));
    this.stream.addTrack(track);
    const pc = this.host.pubPC();
    if (pc) {
      const free = pc.getTransceivers().find((tr) => tr.sender.track?.kind === kind || (!tr.sender.track && tr.receiver.track.kind === kind));
      if (free) await free.sender.replaceTrack(track);
      else {
        this.addCamera(pc, track);
        this.host.renegotiate();
      }
    }
    return true;
  }

  /**
   * Sends another video track in place of the camera's (a background
   * effect's canvas, or the camera again). The old track is not stopped:
   * whoever made the new one owns it.
   */
  async replaceVideoTrack(track: MediaStreamTrack): Promise<void> {
    const old = this.stream.getVideoTracks();
    if (old.includes(track)) return;
    track.enabled = !this.videoMuted;
    const sender = this.host.pubPC()?.getSenders().find((sd) => sd.track && old.includes(sd.track));
    old.forEach((tr) => this.stream.removeTrack(tr));
    this.stream.addTrack(track);
    if (sender) await sender.replaceTrack(track);
    this.host.changed();
  }

  /** Switches the microphone or camera to another device; answers null, or plain words for why not. */
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
    if (this.host.ended()) {
      track.stop();
      return null;
    }
    const old = kind === "audio" ? this.stream.getAudioTracks() : this.stream.getVideoTracks();
    track.enabled = kind === "audio" ? !this.audioMuted : !this.videoMuted;
    const pc = this.host.pubPC();
    const sender = pc?.getSenders().find((sd) => sd.track && old.includes(sd.track));
    old.forEach((tr) => {
      this.stream.removeTrack(tr);
      tr.stop();
    });
    this.stream.addTrack(track);
    if (sender) await sender.replaceTrack(track);
    else if (pc) {
      this.addCamera(pc, track);
      this.host.renegotiate();
    }
    this.host.changed();
    return null;
  }

  /**
   * Shares a screen, window or tab (the browser asks which) as an extra
   * video track. Answers null, or plain words for why it did not start.
   */
  async startScreenShare(): Promise<string | null> {
    if (this.screen) return null;
    if (!navigator.mediaDevices?.getDisplayMedia) return "This browser can't share the screen.";
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15, max: 30 } }, audio: false });
    } catch (err) {
      const name = err instanceof DOMException ? err.name : "";
      return name === "NotAllowedError" ? null : "Your screen couldn't be shared.";
    }
    const track = stream.getVideoTracks()[0];
    if (!track || this.host.ended()) {
      stopStream(stream);
      return null;
    }
    track.contentHint = "detail";
    // The browser's own "Stop sharing" button ends the track.
    track.addEventListener("ended", () => this.stopScreenShare());
    this.screen = stream;
    const pc = this.host.pubPC();
    if (pc) {
      pc.addTransceiver(track, { direction: "sendonly", streams: [stream] });
      this.host.renegotiate();
    }
    this.host.announce("You are sharing your screen");
    this.host.changed();
    return null;
  }

  /** Stops sharing the screen. */
  stopScreenShare(): void {
    const stream = this.screen;
    if (!stream) return;
    this.screen = null;
    const ids = new Set(stream.getTracks().map((tr) => tr.id));
    stopStream(stream);
    const pc = this.host.pubPC();
    if (pc) {
      for (const sender of pc.getSenders()) {
        if (sender.track && ids.has(sender.track.id)) pc.removeTrack(sender);
      }
      this.host.renegotiate();
    }
    this.host.changed();
  }

  /** Adds a camera or microphone track, video in the server's codec when the browser can. */
  private addCamera(pc: RTCPeerConnection, track: MediaStreamTrack): void {
    const tr = pc.addTransceiver(track, publishInit(track, this.stream, this.videoCodec));
    if (track.kind === "video") preferCodec(tr, this.videoCodec);
  }

  /** Enables the tracks to match the mute state (a disabled track sends silence or black). */
  private applyMute(): void {
    for (const t of this.stream.getAudioTracks()) t.enabled = !this.audioMuted;
    for (const t of this.stream.getVideoTracks()) t.enabled = !this.videoMuted;
  }
}
