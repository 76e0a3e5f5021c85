// What the video tests share: reading a connection's video stats, waiting
// for the received size to follow a tile, and a host with a viewer whose
// camera is off.
import { until, connected, joinSignedIn, remoteTiles } from "./lib.mjs";

/**
 * What a page's video stats say, over its streams: codec, the largest
 * frame height, and frames decoded (which "in": the subscriber
 * connection) or encoded ("out": the publisher connection).
 */
export function videoStats(page, which = "in") {
  return page.evaluate(async (which) => {
    const out = { codec: "", height: 0, frames: 0, mode: "" };
    const pc = which === "in" ? window.__rooms?.subPC : window.__rooms?.pubPC;
    if (!pc) return out;
    const stats = await pc.getStats();
    stats.forEach((s) => {
      if (s.type !== (which === "in" ? "inbound-rtp" : "outbound-rtp") || s.kind !== "video") return;
      out.codec = stats.get(s.codecId)?.mimeType ?? out.codec;
      out.height = Math.max(out.height, s.frameHeight ?? 0);
      out.frames += (which === "in" ? s.framesDecoded : s.framesEncoded) ?? 0;
      out.mode = s.scalabilityMode ?? out.mode;
    });
    return out;
  }, which);
}

/** Waits until the received height satisfies ok, then for frames to keep being decoded; returns the height. */
export async function heightBecomes(page, what, ok) {
  const seen = await until(what, async () => {
    const r = await videoStats(page, "in");
    return ok(r.height) ? r : false;
  }, 40_000, 300);
  await until(`${what}: frames keep coming`, async () => (await videoStats(page, "in")).frames > seen.frames + 5, 20_000);
  return seen.height;
}

/**
 * A signed-up host in the call of a new room, and a guest viewer who
 * joins with the camera off, so only the host's encoder shares the
 * machine's two cores with the decoders: what the viewer's bandwidth
 * estimate measures is the network, not a starved CPU.
 */
export async function hostAndViewer(world, hostName, roomName) {
  const host = await world.person("host");
  await host.signUp(hostName);
  const { room } = await host.api("POST", "/api/rooms", { name: roomName });
  const guest = await world.person("guest");
  await joinSignedIn(host.page, room.url);
  await connected(host.page);
  await guest.page.goto(room.url);
  await guest.page.getByLabel("Your name").fill("Vic Viewer");
  await guest.page.getByRole("button", { name: "Turn camera off" }).click();
  await guest.page.getByRole("button", { name: "Join", exact: true }).click();
  await connected(guest.page);
  await remoteTiles(guest.page).first().waitFor();
  return { host, guest, room };
}
