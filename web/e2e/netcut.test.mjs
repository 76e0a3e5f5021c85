// A real network cut (issue 4): the guest's Chromium runs in a network
// namespace of this test's own, joined to the server by a veth pair, and
// the test takes that link down for a few seconds, as when Wi-Fi drops.
// Playwright's setOffline cannot do this: it leaves WebRTC running.
// Media must stop, and come back by itself on the same participant (an
// ICE restart, not a rejoin), with no ghost in the host's grid.
//
// Making a namespace takes root and iproute2; elsewhere the test skips.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { World, launchChromium, until, sleep, connected, joinSignedIn, remoteTiles } from "./lib.mjs";
import { videoStats } from "./video.mjs";

const tag = `rc${process.pid % 100000}`;
const ns = `rooms-${tag}`;
const hostSide = `${tag}h`; // veth names are at most 15 characters
const guestSide = `${tag}g`;
// A /30 of 10.254.0.0/16 per run, so two runs at once do not collide.
const subnet = `10.254.${process.pid % 250}`;
const serverAddr = `${subnet}.1`;
const guestAddr = `${subnet}.2`;

const ip = (...args) => execFileSync("ip", args, { stdio: "pipe" });
let skip = "";
try {
  if (process.getuid?.() !== 0) throw new Error("not root");
  ip("-V");
} catch (e) {
  skip = `a network namespace needs root and iproute2 (${e.message})`;
}

let world, guestBrowser, dir;

function setUpNetwork() {
  ip("netns", "add", ns);
  ip("link", "add", hostSide, "type", "veth", "peer", "name", guestSide);
  ip("link", "set", guestSide, "netns", ns);
  ip("addr", "add", `${serverAddr}/30`, "dev", hostSide);
  ip("link", "set", hostSide, "up");
  ip("-n", ns, "addr", "add", `${guestAddr}/30`, "dev", guestSide);
  ip("-n", ns, "link", "set", guestSide, "up");
  ip("-n", ns, "link", "set", "lo", "up");
}

function tearDownNetwork() {
  try { ip("link", "del", hostSide); } catch {}
  try { ip("netns", "del", ns); } catch {}
}

before(async () => {
  if (skip) return;
  tearDownNetwork();
  setUpNetwork();
  // The server listens on its end of the veth; the host's browser reaches
  // it there from this namespace, the guest's only through the link.
  world = new World("netcut", { host: serverAddr });
  await world.start();
  dir = mkdtempSync(join(tmpdir(), "rooms-netns-"));
  const wrapper = join(dir, "chromium-in-netns");
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${ns} ${process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"} "$@"\n`, { mode: 0o755 });
  guestBrowser = await launchChromium(world.base, wrapper);
});

after(async () => {
  await world?.stop();
  await guestBrowser?.close().catch(() => {});
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (!skip) tearDownNetwork();
});

/** Every sentence the page's live region says, from now on. */
function recordAnnouncements(page) {
  return page.evaluate(() => {
    window.__said = [];
    const region = document.querySelector('[data-testid="announcer"]');
    new MutationObserver(() => region.textContent && window.__said.push(region.textContent)).observe(region, { childList: true, subtree: true, characterData: true });
  });
}

test("media comes back by itself after the guest's network is cut, on the same participant", { skip: skip || false, timeout: 180_000 }, async () => {
  const host = await world.person("host");
  await host.signUp("Net Host");
  const { room } = await host.api("POST", "/api/rooms", { name: "Network cut" });
  await joinSignedIn(host.page, room.url);
  await connected(host.page);

  const guest = await world.person("guest", { browser: guestBrowser });
  await guest.page.goto(room.url);
  await guest.page.getByLabel("Your name").fill("Wifi Guest");
  await guest.page.getByRole("button", { name: "Join", exact: true }).click();
  await connected(guest.page);
  await until("the guest to decode the host's video", async () => (await videoStats(guest.page)).frames > 20, 30_000);
  await until("the host to decode the guest's video", async () => (await videoStats(host.page)).frames > 20, 30_000);
  const selfBefore = await guest.page.evaluate(() => window.__rooms.selfId);
  assert.ok(selfBefore, "the guest has a participant id");
  await recordAnnouncements(host.page);

  // The link goes down: nothing passes either way.
  ip("-n", ns, "link", "set", guestSide, "down");
  const cutAt = Date.now();
  await until("the guest's page to say it is reconnecting", () => guest.page.getByTestId("reconnecting").isVisible(), 15_000);
  const during = (await videoStats(guest.page)).frames;
  await sleep(1_500);
  assert.equal((await videoStats(guest.page)).frames, during, "frames were still decoded while the link was down: the cut cut nothing");
  await sleep(Math.max(0, 5_000 - (Date.now() - cutAt)));

  // Back up: the same participant, media again, one guest for the host.
  ip("-n", ns, "link", "set", guestSide, "up");
  const upAt = Date.now();
  await connected(guest.page, 30_000);
  const hostFrames = (await videoStats(host.page)).frames;
  await until("the guest to decode video again", async () => (await videoStats(guest.page)).frames > during, 30_000, 50);
  const guestBack = Date.now() - upAt;
  await until("the host to decode the guest's video again", async () => (await videoStats(host.page)).frames > hostFrames, 30_000, 50);
  console.log(`first frame again, ms after the link came up (down for ${upAt - cutAt} ms): guest ${guestBack}, host ${Date.now() - upAt}`);
  // And it keeps coming.
  await until("the guest's video to keep coming", async () => (await videoStats(guest.page)).frames > during + 30, 30_000);
  assert.equal(await guest.page.evaluate(() => window.__rooms.selfId), selfBefore, "the guest came back as a new participant: it rejoined instead of keeping its place");
  assert.equal(await remoteTiles(host.page).count(), 1, "the host sees one guest");
  const said = await host.page.evaluate(() => window.__said);
  assert.ok(!said.some((s) => s.includes("left")), `the host was told the guest left: ${JSON.stringify(said)}`);
});
