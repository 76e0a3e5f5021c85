// A server restart in the middle of a call: the people in it are
// reconnected by their clients without doing anything, and media flows
// again (issue 3, persistence).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { World, until, connected, joinSignedIn, joinAsGuest, remoteTiles } from "./lib.mjs";

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
