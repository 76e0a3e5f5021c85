// Refusals at the door, as the person refused sees them: a full room (a
// server with room for two), and a room only for signed-in people, where
// signing in brings the person back to the room.
//
// Run from web/: node --test --test-concurrency=1 e2e/

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { World, PHONE, connected, joinAsGuest, joinSignedIn, remoteTiles } from "./lib.mjs";

const world = new World("limits", { extraArgs: ["-capacity", "2"] });
before(() => world.start());
after(() => world.stop());

test("the join page says up front when a room is full, or only for friends; a place freed offers Join", { timeout: 60_000 }, async () => {
  const host = await world.person("fhost");
  const second = await world.person("second");
  const third = await world.person("third", { viewport: PHONE });
  try {
    await host.signUp("Finn Host");
    const { room } = await host.api("POST", "/api/rooms", { name: "Small room" });
    await joinSignedIn(host.page, room.url);
    await connected(host.page);
    await joinAsGuest(second.page, room.url, "Sue Second");
    await connected(second.page);
    // The join page says so up front: no Join, no camera.
    await third.page.goto(room.url);
    await third.page.getByRole("heading", { name: "This room is full" }).waitFor({ timeout: 10_000 });
    await third.page.getByText("Try again when someone has left.").waitFor();
    await third.page.getByRole("button", { name: "Try again" }).waitFor();
    assert.equal(await third.page.getByRole("button", { name: "Join", exact: true }).count(), 0, "a full room offers Join");
    assert.equal(await third.page.getByLabel("Your camera preview").count(), 0, "a full room's join page started the camera");
    await world.shot(third.page, "refused-full-phone");
    assert.equal(await remoteTiles(host.page).count(), 1, "the host still sees only the second person");

    // Someone leaves: the page sees it by itself and offers Join.
    await second.page.getByRole("button", { name: "Leave", exact: true }).click();
    await third.page.getByLabel("Your name").fill("Tom Third");
    await third.page.getByRole("button", { name: "Join", exact: true }).click();
    await connected(third.page);

    // A signed-in stranger at a room for the host's friends: told at the door.
    const stranger = await world.person("stranger");
    try {
      await stranger.signUp("Stan Stranger");
      const { room: friends } = await host.api("POST", "/api/rooms", { name: "Friends only", joinPolicy: "audience" });
      await stranger.page.goto(friends.url);
      await stranger.page.getByRole("heading", { name: "You can't join this room" }).waitFor({ timeout: 10_000 });
      await stranger.page.getByText("Only the host's friends can join this room.").waitFor();
      assert.equal(await stranger.page.getByRole("button", { name: "Join", exact: true }).count(), 0, "a stranger is offered Join");
      assert.equal(await stranger.page.getByLabel("Your camera preview").count(), 0, "the stranger's camera was started");
      await world.shot(stranger.page, "refused-friends-only-desktop");
    } finally {
      await stranger.close();
    }
  } finally {
    for (const p of [host, second, third]) await p.close();
  }
});

test("a room for signed-in people: a guest is asked to sign in, and comes back to the room", { timeout: 60_000 }, async () => {
  const host = await world.person("shost");
  const visitor = await world.person("visitor");
  try {
    await host.signUp("Sid Host");
    const { room } = await host.api("POST", "/api/rooms", { name: "Members only", joinPolicy: "signed_in" });
    await joinSignedIn(host.page, room.url);
    await connected(host.page);

    await visitor.page.goto(room.url);
    await visitor.page.getByText("Only signed-in people can join this room.").waitFor({ timeout: 10_000 });
    assert.equal(await visitor.page.getByLabel("Your name").count(), 0, "no guest name field");
    await world.shot(visitor.page, "join-signed-in-only-desktop");
    await visitor.page.getByRole("link", { name: "Sign in to join" }).click();
    const signUp = visitor.page.getByRole("form", { name: "Sign up" });
    await signUp.getByLabel("Display name").fill("Val Visitor");
    await signUp.getByLabel("Email").fill(`val-${Date.now()}@example.com`);
    await signUp.getByLabel("Password").fill("correct horse battery staple");
    await signUp.getByRole("button", { name: "Sign up" }).click();
    // Back on the room's page, now as an account.
    await visitor.page.waitForURL(room.url);
    await visitor.page.getByText("You'll join as Val Visitor.").waitFor({ timeout: 10_000 });
    await visitor.page.getByRole("button", { name: "Join", exact: true }).click();
    await connected(visitor.page);
    await remoteTiles(host.page).filter({ hasText: "Val Visitor" }).waitFor({ timeout: 10_000 });
  } finally {
    for (const p of [host, visitor]) await p.close();
  }
});
