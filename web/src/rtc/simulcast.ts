// Simulcast: the camera is sent in three layers (RFC 8853), and the server
// forwards to each person the one that fits their tile. It tells us which
// layers nobody receives (publishLayers); we stop encoding those.

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

/** How to add one of our tracks to the publisher connection. */
export function publishInit(track: MediaStreamTrack, stream: MediaStream): RTCRtpTransceiverInit {
  const init: RTCRtpTransceiverInit = { direction: "sendonly", streams: [stream] };
  if (track.kind === "video") init.sendEncodings = CAMERA_LAYERS.map((e) => ({ ...e }));
  return init;
}

/**
 * Turns the layers of the track sent on `mid` on or off as the server
 * asks: `active` lists the rids anyone receives (for a track without
 * simulcast, "" stands for its only encoding). An empty list pauses it.
 */
export async function applyPublishLayers(pc: RTCPeerConnection | null, mid: string, active: string[]): Promise<void> {
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
  if (changed) await tr.sender.setParameters(params);
}
