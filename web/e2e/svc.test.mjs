// SVC in real browsers: with the server's -video-codec vp9 or av1,
// Chromium publishes its camera as one stream with three spatial layers
// (L3T3_KEY); another Chromium decodes it, and the size it receives
// follows the tile, the server forwarding fewer spatial layers to a small
// one. For AV1 the server tells the layers apart by the dependency
// descriptor header extension, which it passes on to the viewer's decoder.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { World, until } from "./lib.mjs";
import { heightBecomes, hostAndViewer, videoStats } from "./video.mjs";

for (const codec of ["vp9", "av1"]) {
  const mime = `video/${codec.toUpperCase()}`;
  describe(`${codec} SVC`, () => {
    const world = new World(codec, { extraArgs: ["-video-codec", codec] });
    before(() => world.start());
    after(() => world.stop());

    test(`${mime} SVC: one stream of spatial layers, the received size follows the tile`, { timeout: 180_000 }, async () => {
      const { host, guest } = await hostAndViewer(world, "Vera Host", "SVC");

      const sent = await until(`the host to send ${mime}`, async () => {
        const s = await videoStats(host.page, "out");
        return s && s.frames > 0 && s.codec ? s : false;
      }, 30_000);
      const encodings = await host.page.evaluate(() =>
        window.__rooms?.pubPC?.getSenders().find((s) => s.track?.kind === "video")?.getParameters().encodings.map((e) => e.scalabilityMode ?? ""),
      );
      assert.equal(sent.codec, mime, `outbound ${JSON.stringify(sent)}`);
      assert.deepEqual(encodings, ["L3T3_KEY"], "one encoding with three spatial layers");

      const large = await heightBecomes(guest.page, "a large tile to get at least 360p", (h) => h >= 360);
      assert.equal((await videoStats(guest.page, "in")).codec, mime);
      await guest.page.setViewportSize({ width: 360, height: 300 });
      const small = await heightBecomes(guest.page, "a small tile to get at most 180p", (h) => h > 0 && h <= 180);
      await guest.page.setViewportSize({ width: 1280, height: 800 });
      const again = await heightBecomes(guest.page, "the large tile to get at least 360p again", (h) => h >= 360);
      const out = await videoStats(host.page, "out");
      const before = await videoStats(guest.page, "in");
      await new Promise((r) => setTimeout(r, 3000));
      const fps = ((await videoStats(guest.page, "in")).frames - before.frames) / 3;
      console.log(`${codec}: received heights: large ${large}, small ${small}, large again ${again}; host sends ${out.mode} at ${out.height}p; viewer decodes ${fps.toFixed(1)} frames/s`);
    });
  });
}
