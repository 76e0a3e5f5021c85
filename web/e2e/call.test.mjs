// End-to-end: the real server binary (../bin/rooms, built by `make build`)
// and Debian's Chromium with fake camera and microphone. A host signs up,
// creates a room and joins; a guest joins by link; both must receive each
// other's audio and video; when the guest leaves, the host's grid drops them.
//
// Run from web/: node --test --test-concurrency=1 e2e/

import { after, before, test } from "node:test";
import { join } from "node:path";
import assert from "node:assert/strict";
import { World, PHONE, connected, expectFocus, joinAsGuest, joinSignedIn, remoteTiles, tiles, until } from "./lib.mjs";

const world = new World("call");
let base;
before(async () => {
  await world.start();
  base = world.base;
});
after(() => world.stop());
const newPerson = (label, opts) => world.person(label, opts);
const serverLog = () => world.log;
const RESULTS = join(import.meta.dirname, "..", "test-results");

/**
 * Installs, before Join is clicked, a watcher that records in the page when
 * Join was clicked and when the first remote video frame was decoded
 * (inbound-rtp framesDecoded > 0 on the subscriber connection).
 */
async function watchFirstFrame(page) {
  await page.evaluate(() => {
    const e2e = (window.__e2e = { joinClickedAt: null, firstFrameAt: null });
    document.addEventListener(
      "click",
      (ev) => {
        const b = ev.target instanceof Element ? ev.target.closest("button") : null;
        if (b && b.textContent.trim() === "Join" && e2e.joinClickedAt === null) e2e.joinClickedAt = performance.now();
      },
      true,
    );
    const timer = setInterval(async () => {
      const pc = window.__rooms?.subPC;
      if (!pc) return;
      const stats = await pc.getStats();
      stats.forEach((s) => {
        if (s.type === "inbound-rtp" && s.kind === "video" && s.framesDecoded > 0 && e2e.firstFrameAt === null) {
          e2e.firstFrameAt = performance.now();
          clearInterval(timer);
        }
      });
    }, 25);
  });
}

/** Sums what the subscriber connection received so far. */
function inboundStats(page) {
  return page.evaluate(async () => {
    const pc = window.__rooms?.subPC;
    const out = { framesDecoded: 0, audioPackets: 0, videoPackets: 0, hasPC: !!pc, state: pc?.connectionState ?? null };
    if (!pc) return out;
    (await pc.getStats()).forEach((s) => {
      if (s.type !== "inbound-rtp") return;
      if (s.kind === "video") {
        out.framesDecoded += s.framesDecoded ?? 0;
        out.videoPackets += s.packetsReceived ?? 0;
      } else if (s.kind === "audio") out.audioPackets += s.packetsReceived ?? 0;
    });
    return out;
  });
}

/** Waits until video frames are decoded, then checks both video and audio keep flowing. */
async function assertMediaFlows(page, who) {
  const first = await until(`${who} to decode remote video`, async () => {
    const s = await inboundStats(page);
    return s.framesDecoded > 0 && s.audioPackets > 0 ? s : false;
  }, 30_000, 250);
  const later = await until(`${who}'s remote audio and video to keep flowing`, async () => {
    const s = await inboundStats(page);
    return s.framesDecoded > first.framesDecoded && s.audioPackets > first.audioPackets ? s : false;
  }, 10_000, 250);
  console.log(`${who}: frames decoded ${first.framesDecoded} → ${later.framesDecoded}, audio packets ${first.audioPackets} → ${later.audioPackets}`);
}


/** Signs up through the home page's form, creates a room and answers its link. */
async function signUpAndCreateRoom(page, displayName, roomName) {
  await page.goto(`${base}/`);
  const signUp = page.getByRole("form", { name: "Sign up" });
  await signUp.getByLabel("Display name").fill(displayName);
  await signUp.getByLabel("Email").fill(`${displayName.replace(/\W+/g, ".").toLowerCase()}-${Date.now()}@example.com`);
  await signUp.getByLabel("Password").fill("correct horse battery staple");
  await signUp.getByRole("button", { name: "Sign up" }).click();
  await page.getByText(`Signed in as ${displayName}`).waitFor({ timeout: 10_000 });
  // The form is gone: focus goes to the signed-in home's heading, its one h1.
  await expectFocus(page.getByRole("heading", { level: 1, name: "Rooms" }), "the signed-in home's h1");
  assert.equal(await page.getByRole("heading", { level: 1 }).count(), 1, "the signed-in home has one h1");

  await page.getByLabel("Room name").fill(roomName);
  await page.getByRole("button", { name: "Create room" }).click();
  const linkField = page.getByLabel("Room link");
  await linkField.waitFor({ timeout: 10_000 });
  // The new link's panel may be below the fold: it is scrolled into view and focused.
  const ready = page.getByRole("heading", { name: `${roomName} is ready` });
  await expectFocus(ready, "the new room's heading");
  const copy = page.getByRole("region", { name: `${roomName} is ready` }).getByRole("button", { name: "Copy link" });
  const box = await copy.boundingBox();
  const viewport = page.viewportSize();
  assert.ok(box && box.y >= 0 && box.y + box.height <= viewport.height, `the Copy link button is in view: ${JSON.stringify(box)}`);
  const link = await linkField.inputValue();
  assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/r\/[A-Za-z0-9]{22,}$/, "the room link");
  await page.getByRole("list").getByRole("link", { name: roomName }).waitFor({ timeout: 10_000 });
  return link;
}

test("an unknown room link says the room doesn't exist", { timeout: 30_000 }, async () => {
  const { context, page } = await newPerson("stranger");
  try {
    const res = await page.goto(`${base}/r/AAAAAAAAAAAAAAAAAAAAAA`);
    assert.equal(res?.status(), 404, "the server answers 404 for an unknown token");
    await page.getByRole("heading", { name: "This room doesn't exist" }).waitFor({ timeout: 10_000 });
    assert.equal(await page.getByRole("button", { name: "Join", exact: true }).count(), 0);
  } finally {
    await context.close();
  }
});

test("a host and a guest see and hear each other, and a leaver disappears", { timeout: 150_000 }, async () => {
  const host = await newPerson("host");
  const guest = await newPerson("guest");
  try {
    // The host signs up through the form and creates a room.
    const h = host.page;
    const link = await signUpAndCreateRoom(h, "Alice Host", "Book club");
    await h.screenshot({ path: join(RESULTS, "home-desktop.png") });

    // The host opens the link and joins as themself (no name field).
    await h.getByRole("link", { name: "Open room" }).click();
    await h.waitForURL(link);
    await h.getByRole("heading", { name: "Book club" }).waitFor({ timeout: 10_000 });
    assert.equal(await h.getByLabel("Your name").count(), 0, "a signed-in host is not asked for a name");
    await watchFirstFrame(h);
    await h.getByRole("button", { name: "Join", exact: true }).click();
    await connected(h);

    // The guest opens the link, gives a name and joins.
    const g = guest.page;
    await g.goto(link);
    await g.getByRole("heading", { name: "Book club" }).waitFor({ timeout: 10_000 });
    await g.getByLabel("Your name").fill("Bob Guest");
    await g.screenshot({ path: join(RESULTS, "join-desktop.png") });
    await watchFirstFrame(g);
    await g.getByRole("button", { name: "Join", exact: true }).click();
    await connected(g);

    // Each sees two tiles, the other one named.
    await until("two tiles on each side", async () => (await tiles(h).count()) === 2 && (await tiles(g).count()) === 2);
    await remoteTiles(h).filter({ hasText: "Bob Guest" }).waitFor();
    await remoteTiles(g).filter({ hasText: "Alice Host" }).waitFor();

    // Media flows both ways: frames decoded and audio packets keep growing.
    await assertMediaFlows(g, "guest");
    await assertMediaFlows(h, "host");

    const timing = await g.evaluate(() => window.__e2e);
    assert.ok(timing.joinClickedAt !== null && timing.firstFrameAt !== null, `timing recorded: ${JSON.stringify(timing)}`);
    console.log(`guest: Join click to first remote video frame decoded: ${Math.round(timing.firstFrameAt - timing.joinClickedAt)} ms`);
    const hostTiming = await h.evaluate(() => window.__e2e);
    if (hostTiming.firstFrameAt !== null) {
      console.log(`host: Join click to first remote video frame decoded: ${Math.round(hostTiming.firstFrameAt - hostTiming.joinClickedAt)} ms (includes waiting for the guest)`);
    }

    // The remote video element actually plays.
    await until("the host's view of the guest to play", () =>
      h.evaluate(() => {
        const v = document.querySelector('[data-testid="tile"]:not([data-self]) video');
        return !!v && v.readyState >= 2 && v.videoWidth > 0;
      }),
    );

    await h.screenshot({ path: join(RESULTS, "call-desktop.png") });
    await g.setViewportSize({ width: 390, height: 844 });
    await g.screenshot({ path: join(RESULTS, "call-phone.png") });

    // Mute reaches the other side.
    await g.getByRole("button", { name: "Mute", exact: true }).click();
    await g.getByRole("button", { name: "Unmute", exact: true }).waitFor();
    const guestTileOnHost = remoteTiles(h);
    await guestTileOnHost.getByText("Microphone muted").waitFor({ state: "attached", timeout: 10_000 });

    // Camera off reaches the other side: the guest sees the host's initials.
    await h.getByRole("button", { name: "Turn camera off" }).click();
    await h.getByRole("button", { name: "Turn camera on" }).waitFor();
    await g.locator('[data-testid="tile"]:not([data-self]) .placeholder').filter({ hasText: "AH" }).waitFor({ timeout: 10_000 });

    // The guest leaves; the host's grid drops the guest's tile.
    const guestId = await guestTileOnHost.getAttribute("data-participant-id");
    assert.ok(guestId, "the guest's tile carries a participant id");
    await g.getByRole("button", { name: "Leave", exact: true }).click();
    await g.getByRole("heading", { name: "You left the room" }).waitFor({ timeout: 10_000 });
    await g.getByRole("button", { name: "Rejoin" }).waitFor();
    await h.locator(`[data-testid="tile"][data-participant-id="${guestId}"]`).waitFor({ state: "detached", timeout: 10_000 });
    assert.equal(await tiles(h).count(), 1, "only the host's own tile is left");

    // Rejoin brings the guest straight back, with the same guest session.
    await g.getByRole("button", { name: "Rejoin" }).click();
    await connected(g);
    await remoteTiles(h).filter({ hasText: "Bob Guest" }).waitFor({ timeout: 10_000 });
  } catch (err) {
    await host.page.screenshot({ path: join(RESULTS, "failure-host.png") }).catch(() => {});
    await guest.page.screenshot({ path: join(RESULTS, "failure-guest.png") }).catch(() => {});
    console.log(`--- server log ---\n${serverLog().slice(-20_000)}`);
    throw err;
  } finally {
    await host.context.close();
    await guest.context.close();
  }
});

test("a guest who blocks the camera and microphone still joins, sees and hears", { timeout: 60_000 }, async () => {
  const host = await newPerson("host2");
  const guest = await newPerson("guest2", { refuseDevices: true });
  try {
    const h = host.page;
    const link = await signUpAndCreateRoom(h, "Carol Host", "Quiet room");
    await h.goto(link);
    await h.getByRole("button", { name: "Join", exact: true }).click();
    await connected(h);

    const g = guest.page;
    await g.goto(link);
    await g.getByRole("alert").filter({ hasText: "didn't allow" }).waitFor({ timeout: 10_000 });
    await g.getByLabel("Your name").fill("Dan Shy");
    await g.getByRole("button", { name: "Join", exact: true }).click();
    await connected(g);

    // The guest still gets the host's audio and video…
    await assertMediaFlows(g, "guest without devices");
    // …and the host sees the guest's initials, muted.
    const guestOnHost = remoteTiles(h).filter({ hasText: "Dan Shy" });
    await guestOnHost.locator(".placeholder").filter({ hasText: "DS" }).waitFor({ timeout: 10_000 });
    await guestOnHost.getByText("Microphone muted").waitFor({ state: "attached" });
  } catch (err) {
    await guest.page.screenshot({ path: join(RESULTS, "failure-no-devices.png") }).catch(() => {});
    throw err;
  } finally {
    await host.context.close();
    await guest.context.close();
  }
});

test("on a phone, the join page shows the room and Join without scrolling", { timeout: 60_000 }, async () => {
  const host = await newPerson("host3");
  const guest = await newPerson("guest3", { viewport: PHONE });
  try {
    await host.signUp("Fay Host");
    const { room } = await host.api("POST", "/api/rooms", { name: "Phone room" });
    const g = guest.page;
    await g.goto(`${base}/r/${room.token}`);
    const join = g.getByRole("button", { name: "Join", exact: true });
    await join.waitFor();
    await g.getByRole("heading", { name: "Phone room" }).waitFor();
    await g.screenshot({ path: "/tmp/kbd-join-phone.png" });
    for (const [what, el] of [
      ["the room's name", g.getByRole("heading", { name: "Phone room" })],
      ["the name field", g.getByLabel("Your name")],
      ["Join", join],
    ]) {
      const box = await el.boundingBox();
      assert.ok(box && box.y >= 0 && box.y + box.height <= PHONE.height, `${what} is above the fold on a phone: ${JSON.stringify(box)}`);
    }
    // The device pickers are still there, below.
    await g.getByRole("combobox", { name: "Camera" }).waitFor();
  } finally {
    await host.context.close();
    await guest.context.close();
  }
});

test("pinning a person shows them large, over whoever speaks, until unpinned", { timeout: 120_000 }, async () => {
  const host = await newPerson("host4");
  const ann = await newPerson("ann4");
  const ben = await newPerson("ben4");
  try {
    await host.signUp("Gus Host");
    const { room } = await host.api("POST", "/api/rooms", { name: "Pin room" });
    const link = `${base}/r/${room.token}`;
    const h = host.page;
    await joinSignedIn(h, link);
    await connected(h);
    await joinAsGuest(ann.page, link, "Ann Pin");
    await connected(ann.page);
    await joinAsGuest(ben.page, link, "Ben Pin");
    await connected(ben.page);
    await until("three tiles for the host", async () => (await tiles(h).count()) === 3);

    const annTile = remoteTiles(h).filter({ hasText: "Ann Pin" });
    const benTile = remoteTiles(h).filter({ hasText: "Ben Pin" });
    const area = async (tile) => {
      const b = await tile.boundingBox();
      return b ? b.width * b.height : 0;
    };
    // The Pin button is reached and pressed from the keyboard.
    const pinBen = h.getByRole("button", { name: "Pin Ben Pin" });
    await pinBen.focus();
    await h.keyboard.press("Enter");
    await until("Ben's tile to be the large, pinned one", async () => (await benTile.getAttribute("data-pinned")) === "true" && (await benTile.getAttribute("data-large")) === "true");
    const unpinBen = h.getByRole("button", { name: "Unpin Ben Pin" });
    await expectFocus(unpinBen, "Ben's Unpin button, where the Pin button was pressed");
    assert.match((await benTile.getAttribute("aria-label")) ?? "", /pinned/, "the pinned state is said on the tile");
    await until("Ben's tile to be much larger than Ann's", async () => (await area(benTile)) > 3 * (await area(annTile)));
    await h.mouse.move(0, 0);
    await h.screenshot({ path: "/tmp/kbd-call-pinned.png" });
    // Both guests make sound (the fake microphone beeps): whoever speaks, the pin stays.
    for (let i = 0; i < 10; i++) {
      assert.equal(await benTile.getAttribute("data-large"), "true", "the pinned person stays large");
      await h.waitForTimeout(300);
    }
    // Pinning Ann moves the pin; unpinning goes back to the grid.
    await h.getByRole("button", { name: "Pin Ann Pin" }).click();
    await until("Ann's tile to be the large one", async () => (await annTile.getAttribute("data-large")) === "true" && (await benTile.getAttribute("data-pinned")) === null);
    await h.getByRole("button", { name: "Unpin Ann Pin" }).click();
    await until("no tile to be large", async () => (await h.locator('[data-testid="tile"][data-large]').count()) === 0);
  } finally {
    for (const p of [host, ann, ben]) await p.context.close();
  }
});
