// Getting the camera and microphone, and saying in plain words why not.

/** What getUserMedia gave us, and what went wrong if not everything. */
export interface LocalMedia {
  stream: MediaStream;
  /** Plain words for the person when a device could not be used; null when all is well. */
  problem: string | null;
}

const videoConstraints: MediaTrackConstraints = {
  width: { ideal: 1280 },
  height: { ideal: 720 },
  frameRate: { ideal: 30, max: 30 },
};

const audioConstraints: MediaTrackConstraints = {
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
};

/** Whether this page may ask for devices at all (secure context and a modern browser). */
export function mediaAvailable(): boolean {
  return typeof navigator !== "undefined" && !!navigator.mediaDevices?.getUserMedia;
}

/** Plain words for a getUserMedia failure. */
export function describeMediaError(err: unknown, what: string): string {
  const name = err instanceof DOMException || err instanceof Error ? err.name : "";
  switch (name) {
    case "NotAllowedError":
    case "SecurityError":
      return `You didn't allow the ${what}. You can change that in your browser's site settings.`;
    case "NotFoundError":
    case "OverconstrainedError":
      return `No ${what} was found.`;
    case "NotReadableError":
    case "AbortError":
      return `Your ${what} is in use by another app or couldn't be started.`;
    default:
      return `Your ${what} couldn't be started.`;
  }
}

async function tryGet(constraints: MediaStreamConstraints): Promise<MediaStream | unknown> {
  try {
    return await navigator.mediaDevices.getUserMedia(constraints);
  } catch (err) {
    return err;
  }
}

/**
 * Asks for the microphone and camera together, then for each alone, so that
 * one missing or refused device does not cost the other. It never throws:
 * with nothing available it answers an empty stream and the reason.
 */
export async function acquireLocalMedia(): Promise<LocalMedia> {
  if (!mediaAvailable()) {
    return {
      stream: new MediaStream(),
      problem: window.isSecureContext
        ? "This browser can't use a camera or microphone. You can still join, and others will see your name."
        : "Your browser only allows the camera and microphone on secure (https) pages. You can still join, and others will see your name.",
    };
  }
  const both = await tryGet({ audio: audioConstraints, video: videoConstraints });
  if (both instanceof MediaStream) return { stream: both, problem: null };

  const audio = await tryGet({ audio: audioConstraints });
  const video = await tryGet({ video: videoConstraints });
  const stream = new MediaStream();
  for (const got of [audio, video]) {
    if (got instanceof MediaStream) got.getTracks().forEach((t) => stream.addTrack(t));
  }
  if (audio instanceof MediaStream) {
    return { stream, problem: `${describeMediaError(video, "camera")} You can still join; others will hear you and see your name.` };
  }
  if (video instanceof MediaStream) {
    return { stream, problem: `${describeMediaError(audio, "microphone")} You can still join; others will see you but not hear you.` };
  }
  // Neither: say it once when both failed for the same reason.
  const reasons = new Set([describeMediaError(audio, "camera or microphone"), describeMediaError(video, "camera or microphone")]);
  const problem =
    reasons.size === 1 ? [...reasons][0] : `${describeMediaError(audio, "microphone")} ${describeMediaError(video, "camera")}`;
  return { stream, problem: `${problem} You can still join; others will see your name.` };
}

/** Asks for one kind of device later, when the person turns it on in the call. */
export async function acquireTrack(kind: "audio" | "video"): Promise<MediaStreamTrack> {
  if (!mediaAvailable()) throw new DOMException("no media devices", "NotFoundError");
  const s = await navigator.mediaDevices.getUserMedia(kind === "audio" ? { audio: audioConstraints } : { video: videoConstraints });
  const track = s.getTracks()[0];
  if (!track) throw new DOMException("no track", "NotFoundError");
  return track;
}

/** Stops every track, which turns the camera light off. */
export function stopStream(stream: MediaStream | null): void {
  stream?.getTracks().forEach((t) => t.stop());
}
