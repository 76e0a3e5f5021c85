// Choosing the camera, microphone and speaker: the lists of devices,
// switching one in a stream, the speaker every call sound plays on, and
// the microphone level for the meter.

import { useEffect, useState } from "preact/hooks";
import { effects } from "./effects";

export interface DeviceLists {
  audio: MediaDeviceInfo[];
  video: MediaDeviceInfo[];
  /** Speakers and headphones. */
  output: MediaDeviceInfo[];
}

/** A kind of device we remember the choice of. */
type SavedKind = "audio" | "video" | "output";

const STORAGE_KEY = "rooms.devices";

/** The devices picked last time, by kind. */
export function savedDevice(kind: SavedKind): string | null {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "{}") as Record<string, string>;
    return saved[kind] ?? null;
  } catch {
    return null;
  }
}

export function saveDevice(kind: SavedKind, id: string): void {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "{}") as Record<string, string>;
    saved[kind] = id;
    localStorage.setItem(STORAGE_KEY, JSON.stringify(saved));
  } catch {
    // Not remembered; the choice still applies now.
  }
}

/** The cameras and microphones, kept up to date as devices come and go. */
export function useDevices(refreshKey: unknown): DeviceLists {
  const [lists, setLists] = useState<DeviceLists>({ audio: [], video: [], output: [] });
  useEffect(() => {
    const md = navigator.mediaDevices;
    if (!md?.enumerateDevices) return;
    const load = () =>
      md
        .enumerateDevices()
        .then((all) =>
          setLists({
            audio: all.filter((d) => d.kind === "audioinput"),
            video: all.filter((d) => d.kind === "videoinput"),
            output: all.filter((d) => d.kind === "audiooutput"),
          }),
        )
        .catch(() => {});
    void load();
    md.addEventListener?.("devicechange", load);
    return () => md.removeEventListener?.("devicechange", load);
  }, [refreshKey]);
  return lists;
}

/** Whether this browser lets a page choose the speaker (Chromium does; Safari and older Firefox don't). */
export const canPickSpeaker = typeof HTMLMediaElement !== "undefined" && "setSinkId" in HTMLMediaElement.prototype;

// The speaker every sound of the call plays on ("" is the system's default).
let speaker = canPickSpeaker ? (savedDevice("output") ?? "") : "";
const speakerListeners = new Set<(id: string) => void>();

/** Plays every sound of the call on this speaker from now on, and remembers it. */
export function setSpeaker(id: string): void {
  speaker = id;
  saveDevice("output", id);
  for (const fn of speakerListeners) fn(id);
}

/** The chosen speaker's device id ("" for the default), kept up to date. */
export function useSpeaker(): string {
  const [id, setId] = useState(speaker);
  useEffect(() => {
    speakerListeners.add(setId);
    setId(speaker);
    return () => void speakerListeners.delete(setId);
  }, []);
  return id;
}

/** The constraints that ask for one device of a kind. */
export function deviceConstraints(kind: "audio" | "video", deviceId: string): MediaStreamConstraints {
  if (kind === "audio") return { audio: { deviceId: { exact: deviceId }, echoCancellation: true, noiseSuppression: true, autoGainControl: true } };
  return { video: { deviceId: { exact: deviceId }, width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30, max: 30 } } };
}

/** Opens one device and answers its track. */
export async function openDevice(kind: "audio" | "video", deviceId: string): Promise<MediaStreamTrack> {
  const s = await navigator.mediaDevices.getUserMedia(deviceConstraints(kind, deviceId));
  const track = s.getTracks()[0];
  if (!track) throw new DOMException("no track", "NotFoundError");
  return track;
}

/** Replaces the stream's track of that kind with a new one, stopping the old. */
export function swapTrack(stream: MediaStream, track: MediaStreamTrack): void {
  for (const old of track.kind === "audio" ? stream.getAudioTracks() : stream.getVideoTracks()) {
    stream.removeTrack(old);
    old.stop();
  }
  stream.addTrack(track);
}

/** The device id a stream's track of that kind uses. */
export function currentDevice(stream: MediaStream | null, kind: "audio" | "video"): string {
  // Behind an effect, the camera is the effect's source, not the canvas.
  const tr = kind === "audio" ? stream?.getAudioTracks()[0] : (effects.source ?? stream?.getVideoTracks()[0]);
  return tr?.getSettings().deviceId ?? "";
}

/** The microphone's level, 0..1, about ten times a second. */
export function useMicLevel(stream: MediaStream | null, trackKey: string): number {
  const [level, setLevel] = useState(0);
  useEffect(() => {
    const track = stream?.getAudioTracks()[0];
    if (!track || typeof AudioContext === "undefined") {
      setLevel(0);
      return;
    }
    const ctx = new AudioContext();
    const src = ctx.createMediaStreamSource(new MediaStream([track]));
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 512;
    src.connect(analyser);
    const buf = new Float32Array(analyser.fftSize);
    const timer = setInterval(() => {
      if (!track.enabled) {
        setLevel(0);
        return;
      }
      analyser.getFloatTimeDomainData(buf);
      let sum = 0;
      for (const v of buf) sum += v * v;
      const rms = Math.sqrt(sum / buf.length);
      // A rough loudness scale: quiet speech near 0.3, loud near 1.
      setLevel(Math.min(1, rms * 6));
    }, 100);
    return () => {
      clearInterval(timer);
      src.disconnect();
      void ctx.close();
    };
  }, [stream, trackKey]);
  return level;
}
