// VP9 SVC in real browsers: with the server's -video-codec vp9, Chromium
// publishes its camera as one VP9 stream with three spatial layers
// (L3T3_KEY); another Chromium decodes it, and the size it receives
// follows the tile, the server forwarding fewer spatial layers to a small
// one.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { World, until, connected, joinSignedIn, remoteTiles } from "./lib.mjs";

const world = new World("vp9", { extraArgs: ["-video-codec", "vp9"] });
before(() => world.start());
after(() => world.stop());

/** What a connection's video stats say: codec, frame height and frames decoded (in) or encoded (out). */
function videoStats(page, which) {
  return page.evaluate(async (which) => {
    const pc = which === "in" ? window.__rooms?.subPC : window.__rooms?.pubPC;
    if (!pc) return null;
    const stats = await pc.getStats();
    const out = { codec: "", height: 0, frames: 0, mode: "" };
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

/** Waits until the received height satisfies ok, then for frames to keep being decoded. */
async function heightBecomes(page, what, ok) {
  const seen = await until(what, async () => {
    const r = await videoStats(page, "in");
    return r && ok(r.height) ? r : false;
  }, 40_000, 300);
  await until(`${what}: frames keep coming`, async () => (await videoStats(page, "in")).frames > seen.frames + 5, 20_000);
  return seen.height;
}

test("VP9 SVC: one stream of spatial layers, the received size follows the tile", { timeout: 180_000 }, async () => {
  const host = await world.person("host");
  await host.signUp("Vera Host");
  const { room } = await host.api("POST", "/api/rooms", { name: "SVC" });
  const guest = await world.person("guest");

  await joinSignedIn(host.page, room.url);
  await connected(host.page);
  // The viewer's camera stays off: one encoder on the machine's two cores.
  await guest.page.goto(room.url);
  await guest.page.getByLabel("Your name").fill("Vic Viewer");
  await guest.page.getByRole("button", { name: "Turn camera off" }).click();
  await guest.page.getByRole("button", { name: "Join", exact: true }).click();
  await connected(guest.page);
  await remoteTiles(guest.page).first().waitFor();

  const sent = await until("the host to send VP9", async () => {
    const s = await videoStats(host.page, "out");
    return s && s.frames > 0 && s.codec ? s : false;
  }, 30_000);
  const encodings = await host.page.evaluate(() =>
    window.__rooms?.pubPC?.getSenders().find((s) => s.track?.kind === "video")?.getParameters().encodings.map((e) => e.scalabilityMode ?? ""),
  );
  assert.equal(sent.codec, "video/VP9", `outbound ${JSON.stringify(sent)}`);
  assert.deepEqual(encodings, ["L3T3_KEY"], "one encoding with three spatial layers");

  const large = await heightBecomes(guest.page, "a large tile to get at least 360p", (h) => h >= 360);
  assert.equal((await videoStats(guest.page, "in")).codec, "video/VP9");
  await guest.page.setViewportSize({ width: 360, height: 300 });
  const small = await heightBecomes(guest.page, "a small tile to get at most 180p", (h) => h > 0 && h <= 180);
  await guest.page.setViewportSize({ width: 1280, height: 800 });
  const again = await heightBecomes(guest.page, "the large tile to get at least 360p again", (h) => h >= 360);
  const out = await videoStats(host.page, "out");
  console.log(`received heights: large ${large}, small ${small}, large again ${again}; host sends ${out.mode} at ${out.height}p`);
});
