// Simulcast: the camera is sent in three layers (RFC 8853), and the server
// forwards to each person the one that fits their tile. It tells us which
// layers nobody receives (publishLayers); we stop encoding those.
//
// With VP9, and with AV1 where the browser encodes it in spatial layers,
// the three layers are spatial layers of one stream instead (SVC,
// "L3T3_KEY"): the server forwards each person the layers up to the one
// that fits (AV1's dependency descriptor extension tells it which packet
// is which), and tells us how many anyone takes; we encode that many.

import type { VideoCodec } from "../protocol";

/**
 * libwebrtc's ladder for a 720p camera: quarter, half and full size, with
 * the bitrates it targets for each (180p ~150 kbps, 360p ~500 kbps, 720p
 * up to 2 Mbps). Lowest first, as the server ranks q, h, f.
 */
export const CAMERA_LAYERS: RTCRtpEncodingParameters[] = [
  { rid: "q", scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: "h", scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: "f", scaleResolutionDownBy: 1, maxBitrate: 2_000_000 },
];

/** The SVC modes for one, two and three spatial layers, each with three temporal layers. */
const SVC_MODES = ["L1T3", "L2T3_KEY", "L3T3_KEY"];

/** What a codec is called in RTCRtpCodec.mimeType. */
const MIME: Record<VideoCodec, string> = { vp8: "video/VP8", vp9: "video/VP9", av1: "video/AV1", h264: "video/H264" };

/** The browser's send capabilities for a codec, or none. */
function sendable(codec: VideoCodec): RTCRtpCodec[] {
  const caps = typeof RTCRtpSender !== "undefined" && RTCRtpSender.getCapabilities ? RTCRtpSender.getCapabilities("video") : null;
  const mime = MIME[codec].toLowerCase();
  return (caps?.codecs ?? []).filter((c) => c.mimeType.toLowerCase() === mime && (codec !== "vp9" || !/profile-id=[1-3]/.test(c.sdpFmtpLine ?? "")));
}

/**
 * Whether this browser may encode `codec` in three spatial layers: it
 * lists "L3T3_KEY", or lists no modes at all (Chromium lists them only
 * behind a flag, and encodes SVC anyway).
 */
function spatialLayers(codec: VideoCodec): boolean {
  const modes = (sendable(codec)[0] as (RTCRtpCodec & { scalabilityModes?: string[] }) | undefined)?.scalabilityModes;
  return !modes || modes.includes("L3T3_KEY");
}

/**
 * The codec we publish the camera in: the server's choice when this
 * browser can send it (and, for VP9, in spatial layers), else VP8.
 */
export function cameraCodec(wanted: VideoCodec): VideoCodec {
  if (wanted === "vp8") return "vp8";
  if (sendable(wanted).length === 0) return "vp8";
  if (wanted === "vp9" && !spatialLayers("vp9")) return "vp8";
  return wanted;
}

/** Whether this browser encodes VP8 in three temporal layers when asked (it lists "L1T3"). */
function vp8Temporal(): boolean {
  const modes = (sendable("vp8")[0] as (RTCRtpCodec & { scalabilityModes?: string[] }) | undefined)?.scalabilityModes;
  return !!modes && modes.includes("L1T3");
}

/** How to add one of our tracks to the publisher connection, the camera in `codec` (see cameraCodec). */
export function publishInit(track: MediaStreamTrack, stream: MediaStream, codec: VideoCodec = "vp8"): RTCRtpTransceiverInit {
  const init: RTCRtpTransceiverInit = { direction: "sendonly", streams: [stream] };
  if (track.kind !== "video") return init;
  const use = cameraCodec(codec);
  if (use === "vp9" || (use === "av1" && spatialLayers("av1"))) {
    // One encoding, three spatial layers (quarter, half and full size).
    init.sendEncodings = [{ scalabilityMode: SVC_MODES[2], maxBitrate: 2_650_000 } as RTCRtpEncodingParameters];
  } else if (use === "av1") {
    // AV1 simulcast, where the browser lists modes but not spatial ones.
    // Chromium sends AV1 simulcast only when each encoding names its mode
    // (without one it sends the first layer alone).
    init.sendEncodings = CAMERA_LAYERS.map((e) => ({ ...e, scalabilityMode: "L1T3" }) as RTCRtpEncodingParameters);
  } else if (vp8Temporal()) {
    // Each layer in three temporal layers (full, half and quarter frame
    // rate): a viewer whose downlink cannot take even the smallest layer
    // of every tile gets fewer frames of some instead of a congested
    // stream (the server leaves the upper temporal layers out).
    init.sendEncodings = CAMERA_LAYERS.map((e) => ({ ...e, scalabilityMode: "L1T3" }) as RTCRtpEncodingParameters);
  } else {
    init.sendEncodings = CAMERA_LAYERS.map((e) => ({ ...e }));
  }
  return init;
}

/**
 * Puts the camera's codec first in its transceiver's offer (the server
 * answers with the first it knows), keeping the others as fallbacks.
 */
export function preferCodec(tr: RTCRtpTransceiver, codec: VideoCodec): void {
  const use = cameraCodec(codec);
  if (use === "vp8" || !tr.setCodecPreferences) return;
  const all = RTCRtpSender.getCapabilities("video")?.codecs ?? [];
  const first = sendable(use);
  const rest = all.filter((c) => !first.includes(c));
  try {
    tr.setCodecPreferences([...first, ...rest]);
  } catch (err) {
    console.warn("rooms: codec preferences", err);
  }
}

/**
 * Turns the layers of the track sent on `mid` on or off as the server
 * asks: `active` lists the rids anyone receives (for a track without
 * simulcast, "" stands for its only encoding). An empty list pauses it.
 */
export async function applyPublishLayers(pc: RTCPeerConnection | null, mid: string, active: string[], spatialLayers?: number): Promise<void> {
  const tr = pc?.getTransceivers().find((t) => t.mid === mid);
  if (!tr) return;
  const params = tr.sender.getParameters();
  if (!params.encodings?.length) return;
  let changed = false;
  for (const enc of params.encodings) {
    const on = active.includes(enc.rid ?? "");
    if (enc.active !== on) {
      enc.active = on;
      changed = true;
    }
  }
  const svc = params.encodings[0] as RTCRtpEncodingParameters & { scalabilityMode?: string };
  if (spatialLayers && params.encodings.length === 1 && svc.scalabilityMode && SVC_MODES.includes(svc.scalabilityMode)) {
    // Fewer spatial layers: the bottom ones of the three, so each keeps
    // its size (the top layer of L1T3 is the encoded size itself).
    const n = Math.min(Math.max(Math.round(spatialLayers), 1), SVC_MODES.length);
    const mode = SVC_MODES[n - 1];
    if (svc.scalabilityMode !== mode) {
      svc.scalabilityMode = mode;
      svc.scaleResolutionDownBy = 2 ** (SVC_MODES.length - n);
      changed = true;
    }
  }
  if (!changed) return;
  try {
    await tr.sender.setParameters(params);
  } catch (err) {
    // A browser that cannot change the mode keeps sending every layer.
    console.warn("rooms: publishLayers", err);
  }
}
