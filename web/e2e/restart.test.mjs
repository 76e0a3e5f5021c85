// A server restart in the middle of a call: the people in it are
// reconnected by their clients without doing anything, and media flows
// again (issue 3, persistence).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { World, until, connected, joinSignedIn, joinAsGuest, remoteTiles, tcpProxy, sleep } from "./lib.mjs";

const world = new World("restart");
before(() => world.start());
after(() => world.stop());

/** Video frames decoded on the page's subscriber connection, so far. */
function framesDecoded(page) {
  return page.evaluate(async () => {
    const pc = window.__rooms?.subPC;
    if (!pc) return 0;
    let frames = 0;
    (await pc.getStats()).forEach((s) => {
      if (s.type === "inbound-rtp" && s.kind === "video") frames += s.framesDecoded ?? 0;
    });
    return frames;
  });
}

/** Waits until frames are decoded and keep being decoded. */
async function decoding(page, who) {
  const first = await until(`${who} to decode video`, async () => (await framesDecoded(page)) || false, 30_000);
  await until(`${who}'s decoded frames to grow`, async () => (await framesDecoded(page)) > first, 30_000);
}

test("a server restart mid-call: both reconnect by themselves and see each other again", { timeout: 150_000 }, async () => {
  const host = await world.person("host");
  await host.signUp("Rita Host");
  const { room } = await host.api("POST", "/api/rooms", { name: "Restart club" });
  const guest = await world.person("guest");

  await joinSignedIn(host.page, room.url);
  await connected(host.page);
  await joinAsGuest(guest.page, room.url, "Gus Guest");
  await connected(guest.page);
  await decoding(host.page, "host");
  await decoding(guest.page, "guest");

  await world.stopServer();
  await world.startServer();

  // Nobody clicks anything: the clients reconnect on their own.
  for (const [p, who] of [[host.page, "host"], [guest.page, "guest"]]) {
    await connected(p, 60_000);
    await until(`${who} to see the other again`, async () => (await remoteTiles(p).count()) === 1, 60_000);
    await decoding(p, who);
  }
  // The restart locked nothing: a newcomer still gets in.
  const late = await world.person("late");
  await joinAsGuest(late.page, room.url, "Late Lou");
  await connected(late.page);
  assert.equal(await late.page.getByText("This room is locked").count(), 0);
});

test("a dropped signalling connection resumes: the same participant, nobody sees them leave, media never stops", { timeout: 120_000 }, async () => {
  const host = await world.person("host2");
  await host.signUp("Rosa Host");
  const { room } = await host.api("POST", "/api/rooms", { name: "Resume club" });
  // The guest reaches the server through a proxy that can cut the line.
  const proxy = await tcpProxy(new URL(world.base).port);
  const guest = await world.person("guest2");
  try {
    await joinSignedIn(host.page, room.url);
    await connected(host.page);
    await joinAsGuest(guest.page, room.url.replace(world.base, proxy.base), "Gale Guest");
    await connected(guest.page);
    await decoding(host.page, "host");
    await decoding(guest.page, "guest");
    const id = await guest.page.evaluate(() => window.__rooms?.selfId);
    assert.ok(id, "the guest has a participant id");

    // Watch the host's grid: the guest's tile must never go away.
    await host.page.evaluate(() => {
      window.__tileDrops = 0;
      const count = () => document.querySelectorAll('[data-testid="tile"]:not([data-self])').length;
      new MutationObserver(() => {
        if (count() === 0) window.__tileDrops++;
      }).observe(document.body, { childList: true, subtree: true });
    });
    const logBefore = world.log.length;
    proxy.cut();
    await sleep(500);
    await connected(guest.page, 20_000);
    await until("the server to log the resume", async () => world.log.slice(logBefore).includes("participant resumed"), 10_000);
    assert.equal(await guest.page.evaluate(() => window.__rooms?.selfId), id, "the guest's participant id after the resume");
    // The new socket works both ways: a chat message from the guest reaches the host.
    await guest.page.getByRole("button", { name: "Chat", exact: true }).click();
    await guest.page.getByLabel("Message", { exact: true }).fill("Still here");
    await guest.page.getByRole("button", { name: "Send", exact: true }).click();
    await host.page.getByRole("button", { name: "Chat, 1 unread" }).click({ timeout: 10_000 });
    await host.page.getByTestId("chat-list").getByText("Still here").waitFor({ timeout: 10_000 });
    await decoding(host.page, "host");
    await decoding(guest.page, "guest");
    assert.equal(await host.page.evaluate(() => window.__tileDrops), 0, "the guest's tile left the host's grid");
    assert.equal(await remoteTiles(host.page).count(), 1);
    assert.ok(!world.log.slice(logBefore).includes("participant left"), "the server logged the guest leaving");
  } finally {
    await proxy.close();
    for (const p of [host, guest]) await p.close();
  }
});

test("a connection lost for longer than the server keeps a place: the client joins again by itself, and no ghost stays", { timeout: 120_000 }, async () => {
  const host = await world.person("host3");
  await host.signUp("Rhoda Host");
  const { room } = await host.api("POST", "/api/rooms", { name: "Long drop club" });
  const proxy = await tcpProxy(new URL(world.base).port);
  const guest = await world.person("guest3");
  try {
    await joinSignedIn(host.page, room.url);
    await connected(host.page);
    await joinAsGuest(guest.page, room.url.replace(world.base, proxy.base), "Gil Guest");
    await connected(guest.page);
    await decoding(host.page, "host");
    const id = await guest.page.evaluate(() => window.__rooms?.selfId);

    // The line is down for 9 s: longer than the 6 s the server keeps a place.
    proxy.block(true);
    proxy.cut();
    await guest.page.getByTestId("reconnecting").filter({ hasText: "Reconnecting…" }).waitFor({ timeout: 10_000 });
    await world.shot(guest.page, "call-connection-lost-desktop");
    await sleep(9_000);
    proxy.block(false);

    await connected(guest.page, 40_000);
    const again = await guest.page.evaluate(() => window.__rooms?.selfId);
    assert.ok(again && again !== id, `the guest came back as a new participant (${id} → ${again})`);
    // The host sees one guest: the old place left, the new one is in.
    await until("the host to see exactly one guest", async () => (await remoteTiles(host.page).count()) === 1, 20_000);
    await decoding(host.page, "host");
    await decoding(guest.page, "guest");
  } finally {
    await proxy.close();
    for (const p of [host, guest]) await p.close();
  }
});
