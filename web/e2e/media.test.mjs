// The media plane in real browsers (issue 4): Chromium publishes its
// camera in three simulcast layers, in VP8 or H.264; the layer another
// Chromium receives follows the size of the tile that shows it. (A network cut is
// netcut.test.mjs: Playwright's setOffline leaves WebRTC running.)
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { World, until } from "./lib.mjs";
import { heightBecomes, hostAndViewer, videoStats } from "./video.mjs";

/** The simulcast layers the page's publisher connection sends, by rid. */
function sentLayers(page) {
  return page.evaluate(async () => {
    const pc = window.__rooms?.pubPC;
    if (!pc) return null;
    const video = pc.getSenders().find((s) => s.track?.kind === "video");
    const rids = (video?.getParameters().encodings ?? []).map((e) => e.rid);
    const sending = {};
    (await pc.getStats()).forEach((s) => {
      if (s.type === "outbound-rtp" && s.kind === "video" && s.rid) sending[s.rid] = { height: s.frameHeight ?? 0, bytes: s.bytesSent ?? 0, mode: s.scalabilityMode ?? "" };
    });
    return { rids, sending };
  });
}

// VP8 is the default; with -video-codec h264 Chromium publishes H.264
// simulcast the same way.
for (const codec of ["vp8", "h264"]) {
  const mime = codec === "vp8" ? "VP8" : "H264";
  describe(`${mime} simulcast`, () => {
    const world = new World(`media-${codec}`, { extraArgs: ["-video-codec", codec] });
    before(() => world.start());
    after(() => world.stop());
    test(`${mime} simulcast: the received size follows the tile`, { timeout: 240_000 }, () => simulcastFollowsTheTile(world, mime));
  });
}

async function simulcastFollowsTheTile(world, mime) {
  const { host, guest } = await hostAndViewer(world, "Sima Host", "Simulcast");

  // Chromium offers three layers and sends them.
  const layers = await until("the host to send simulcast", async () => {
    const l = await sentLayers(host.page);
    // A layer dynacast has paused (nobody watches it yet) reports no
    // scalability mode; count only the layers being encoded.
    return l && Object.values(l.sending).filter((x) => x.bytes > 0 && x.mode).length >= 2 ? l : false;
  }, 30_000);
  assert.deepEqual(layers.rids, ["q", "h", "f"], `encodings ${JSON.stringify(layers)}`);
  assert.equal((await videoStats(host.page, "out")).codec, `video/${mime}`, "the codec the host publishes in");
  // VP8 in three temporal layers, so a short downlink gets fewer frames.
  if (mime === "VP8") {
    for (const [rid, l] of Object.entries(layers.sending)) {
      if (l.mode) assert.equal(l.mode, "L1T3", `layer ${rid}: ${JSON.stringify(l)}`);
    }
  }

  // The viewer's connection takes RTX for the video it receives, and one
  // codec per media section: retransmissions and probing padding come on
  // their own stream, and renegotiations stay small.
  const offer = await guest.page.evaluate(() => window.__rooms?.subPC?.remoteDescription?.sdp ?? "");
  const video = offer.split("m=").find((m) => m.startsWith("video") && m.includes("a=ssrc-group:FID"));
  assert.ok(video, `no video section with an RTX stream (ssrc-group FID) in the subscriber offer:\n${offer}`);
  const codecs = video.match(/a=rtpmap:\d+ [^\r\n]+/g) ?? [];
  assert.deepEqual(codecs.map((c) => c.split(" ")[1].split("/")[0]).sort(), [mime, "rtx"], `codecs in the section: ${codecs}`);

  // A large tile gets a large layer; a small one a small layer; and back.
  const large = await heightBecomes(guest.page, "a large tile to get at least 360p", (h) => h >= 360);
  await guest.page.setViewportSize({ width: 360, height: 300 });
  const small = await heightBecomes(guest.page, "a small tile to get at most 180p", (h) => h > 0 && h <= 180);
  await guest.page.setViewportSize({ width: 1280, height: 800 });
  const again = await heightBecomes(guest.page, "the large tile to get at least 360p again", (h) => h >= 360);
  assert.equal((await videoStats(guest.page, "in")).codec, `video/${mime}`, "the codec the viewer decodes");
  console.log(`${mime}: received heights: large ${large}, small ${small}, large again ${again}`);
}
