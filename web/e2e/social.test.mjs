// Home and the social graph in the browser: friends, the live drop-in
// tray with one-click join, groups and events, the profile, and a report
// that reaches a moderator, who ends the room. Screenshots of the home
// screens at desktop and phone sizes.
//
// Run from web/: node --test --test-concurrency=1 e2e/

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { World, PHONE, DESKTOP, connected, expectFocus, joinAsGuest, joinSignedIn, moreOption, remoteTiles, until } from "./lib.mjs";

const world = new World("social");
let mod; // a moderator, granted by the operator command

before(async () => {
  await world.start();
  mod = await world.person("mod");
  await mod.signUp("Moe Moderator");
  // The operator command needs the server stopped; the session survives.
  await world.grantModerator(mod.user.email);
});
after(() => world.stop());

async function onFailure(people, name, err) {
  for (const p of people) await world.shot(p.page, `failure-${name}-${p.label}`).catch(() => {});
  console.log(`--- server log ---\n${world.log.slice(-10_000)}`);
  throw err;
}

test("signed out, home offers sign up and sign in", { timeout: 30_000 }, async () => {
  const visitor = await world.person("visitor");
  try {
    await visitor.page.goto(`${world.base}/`);
    await visitor.page.getByRole("form", { name: "Sign up" }).waitFor();
    await visitor.page.getByRole("form", { name: "Sign in" }).waitFor();
    await world.shot(visitor.page, "home-signed-out-desktop");
    await visitor.page.setViewportSize(PHONE);
    await world.shot(visitor.page, "home-signed-out-phone");
  } finally {
    await visitor.close();
  }
});

test("friends: a request found by name is accepted, and the drop-in tray shows the friend's room live; one click joins", { timeout: 90_000 }, async () => {
  const ann = await world.person("ann");
  const ben = await world.person("ben", { viewport: PHONE });
  try {
    await ann.signUp("Ann Dropin");
    await ben.signUp("Ben Friend");

    // On Ben's phone every section's tab fits the screen, and the page has its h1.
    await ben.page.goto(`${world.base}/`);
    const tabs = ben.page.getByRole("navigation", { name: "Sections" }).getByRole("link");
    await tabs.first().waitFor();
    for (const tab of await tabs.all()) {
      const box = await tab.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= PHONE.width, `the tab "${await tab.textContent()}" fits the phone: ${JSON.stringify(box)}`);
    }
    await ben.page.getByRole("heading", { level: 1, name: "Rooms" }).waitFor();
    await ben.page.screenshot({ path: "/tmp/kbd-home-phone.png" });

    // Ben finds Ann by name and asks; Ann accepts on her People page.
    await ben.page.goto(`${world.base}/#people`);
    await ben.page.getByLabel("Search by name or email").fill("Ann Drop");
    await ben.page.getByRole("button", { name: "Add Ann Dropin as a friend" }).click();
    await ben.page.getByText("request sent", { exact: true }).waitFor({ timeout: 10_000 });
    await world.shot(ben.page, "home-people-phone");
    await ann.page.goto(`${world.base}/#people`);
    await ann.page.getByRole("button", { name: "Accept Ben Friend's request" }).click();
    await ann.page.getByRole("list", { name: "Friends" }).getByText("Ben Friend").waitFor({ timeout: 10_000 });
    await world.shot(ann.page, "home-people-desktop");

    // Ben watches his drop-in tray: empty for now.
    await ben.page.goto(`${world.base}/#rooms`);
    await ben.page.getByTestId("dropin-tray").getByText("No rooms to drop into").waitFor({ timeout: 10_000 });

    // Ann creates a birthday room through the form and opens it.
    await ann.page.goto(`${world.base}/#rooms`);
    await ann.page.getByLabel("Room name").fill("Ann's birthday");
    await ann.page.getByText("Birthday", { exact: true }).click();
    await world.shot(ann.page, "home-create-desktop");
    await ann.page.getByRole("button", { name: "Create room" }).click();
    await ann.page.getByLabel("Room link").waitFor();
    await ann.page.getByRole("link", { name: "Open room" }).click();
    await ann.page.getByRole("button", { name: "Join", exact: true }).click();
    await connected(ann.page);

    // Ben's tray shows it live, with Ann inside by name; one click and he is in.
    const item = ben.page.getByTestId("dropin-room").filter({ hasText: "Ann's birthday" });
    await item.getByText("Ann Dropin inside").waitFor({ timeout: 15_000 });
    await world.shot(ben.page, "home-dropin-phone");
    await item.getByRole("link", { name: "Join Ann's birthday" }).click();
    await connected(ben.page);
    await remoteTiles(ben.page).filter({ hasText: "Ann Dropin" }).waitFor({ timeout: 10_000 });
    await remoteTiles(ann.page).filter({ hasText: "Ben Friend" }).waitFor({ timeout: 10_000 });

    // In another tab, Ben's tray knows he is inside: Ann is the one
    // inside for him, and there is nothing to join.
    const tab = await ben.context.newPage();
    await tab.goto(`${world.base}/#rooms`);
    const mine = tab.getByTestId("dropin-room").filter({ hasText: "Ann's birthday" });
    await mine.getByText("You're in this room").waitFor({ timeout: 15_000 });
    await mine.getByText("Ann Dropin inside", { exact: true }).waitFor();
    assert.equal(await mine.getByRole("link", { name: "Join Ann's birthday" }).count(), 0, "the tray offers Ben a room he is in");
    assert.equal(await mine.getByText("more inside").count(), 0, "the tray counts Ben among the others");
    await tab.close();
  } catch (err) {
    await onFailure([ann, ben], "dropin", err);
  } finally {
    await ann.close();
    await ben.close();
  }
});

test("groups and events: create, add a member, make an admin, invite a guest", { timeout: 60_000 }, async () => {
  const gail = await world.person("gail");
  const hugo = await world.person("hugo");
  try {
    await gail.signUp("Gail Groups");
    await hugo.signUp("Hugo Member");

    await gail.page.goto(`${world.base}/#groups`);
    await gail.page.getByLabel("Group name").fill("Chess club");
    await gail.page.getByRole("button", { name: "Create group" }).click();
    await gail.page.getByRole("heading", { name: "Chess club" }).waitFor();
    await gail.page.getByLabel("Add a member").fill("Hugo Mem");
    await gail.page.getByRole("button", { name: "Add Hugo Member to the group" }).click();
    await gail.page.getByRole("button", { name: "Make Hugo Member an admin" }).click();
    await gail.page.getByRole("list", { name: "Members" }).getByText("Hugo Member").waitFor();
    await gail.page.getByRole("button", { name: "Make Hugo Member an admin" }).waitFor({ state: "detached" });
    await world.shot(gail.page, "home-groups-desktop");
    // An admin's row keeps its actions: the role can be taken back, and
    // the admin removed; the only other admin, Gail, can step down.
    await gail.page.getByRole("button", { name: "Remove Hugo Member as admin" }).waitFor();
    await gail.page.getByRole("button", { name: "Remove Hugo Member from the group" }).waitFor();
    await gail.page.getByRole("button", { name: "Step down as admin" }).waitFor();
    assert.equal(await gail.page.getByRole("button", { name: "Remove Gail Groups from the group" }).count(), 0, "Gail is offered to remove herself (Leave group does that)");
    await gail.page.getByRole("button", { name: "Remove Hugo Member as admin" }).click();
    await gail.page.getByRole("button", { name: "Make Hugo Member an admin" }).waitFor({ timeout: 10_000 });
    // The last admin can't step down: she is told why.
    await gail.page.getByRole("button", { name: "Step down as admin" }).click();
    await gail.page.getByText("A group always has an admin. Make someone else an admin first.").waitFor({ timeout: 10_000 });
    await gail.page.getByRole("button", { name: "Make Hugo Member an admin" }).click();
    await gail.page.getByRole("button", { name: "Remove Hugo Member as admin" }).waitFor({ timeout: 10_000 });

    // Hugo sees the group, as an admin.
    await hugo.page.goto(`${world.base}/#groups`);
    await hugo.page.getByRole("button", { name: "Chess club" }).click();
    await hugo.page.getByRole("heading", { name: "Chess club" }).waitFor();
    await hugo.page.getByLabel("Add a member").waitFor();

    // Gail creates an event and invites Hugo; he sees it.
    await gail.page.goto(`${world.base}/#events`);
    await gail.page.getByLabel("Title").fill("Tournament night");
    await gail.page.getByRole("button", { name: "Create event" }).click();
    await gail.page.getByRole("heading", { name: "Tournament night" }).waitFor();
    await gail.page.getByLabel("Invite someone").fill("Hugo Mem");
    await gail.page.getByRole("button", { name: "Invite Hugo Member" }).click();
    await gail.page.getByRole("list", { name: "Guests" }).getByText("Hugo Member").waitFor();
    await world.shot(gail.page, "home-events-desktop");
    await hugo.page.goto(`${world.base}/#events`);
    await hugo.page.getByRole("button", { name: "Tournament night" }).waitFor();

    // A room for the group, from the group's page: the form starts set to it.
    await gail.page.goto(`${world.base}/#groups`);
    await gail.page.getByRole("button", { name: "Chess club" }).click();
    await gail.page.getByRole("button", { name: "Create a room for this group" }).click();
    await gail.page.getByRole("heading", { name: "New room" }).waitFor();
    // The button is gone with the group's page: focus goes to the form it opened.
    await expectFocus(gail.page.getByRole("heading", { name: "New room" }), "the New room form's heading");
    await until("the form to be set to the group", async () => (await gail.page.getByLabel("For").evaluate((el) => el.selectedOptions[0]?.textContent)) === "Chess club");
    // Unnamed: it goes by the group's name.
    await gail.page.getByRole("button", { name: "Create room" }).click();
    await gail.page.getByLabel("Room link").waitFor();
    // Hugo, a member, is shown it once Gail opens it.
    const chessLink = await gail.page.getByLabel("Room link").inputValue();
    await gail.page.goto(chessLink);
    await gail.page.getByRole("button", { name: "Join", exact: true }).click();
    await connected(gail.page);
    await hugo.page.goto(`${world.base}/#rooms`);
    const chess = hugo.page.getByTestId("dropin-room").filter({ hasText: "Chess club" });
    await chess.getByRole("link", { name: "Join Chess club" }).waitFor({ timeout: 15_000 });
    assert.equal(await hugo.page.getByText("Gail Groups's room").count(), 0, "the group's room goes by its host's name");
    await gail.page.goto(`${world.base}/`);

    // The profile: a new avatar.
    await gail.page.goto(`${world.base}/#profile`);
    await gail.page.getByRole("radio", { name: "🦊" }).check();
    await gail.page.getByRole("button", { name: "Save" }).click();
    await gail.page.getByText("Saved.").waitFor();
    await gail.page.setViewportSize(PHONE);
    await world.shot(gail.page, "home-profile-phone");
    await gail.page.setViewportSize(DESKTOP);
  } catch (err) {
    await onFailure([gail, hugo], "groups", err);
  } finally {
    await gail.close();
    await hugo.close();
  }
});

test("a guest reports the room; a moderator sees the report and ends the room", { timeout: 90_000 }, async () => {
  const host = await world.person("rhost");
  const guest = await world.person("rguest");
  try {
    await host.signUp("Rita Host");
    const { room } = await host.api("POST", "/api/rooms", { name: "Reported room" });
    const link = `${world.base}/r/${room.token}`;
    await joinSignedIn(host.page, link);
    await connected(host.page);
    await joinAsGuest(guest.page, link, "Rex Reporter");
    await connected(guest.page);

    await moreOption(guest.page, "Report room");
    const dialog = guest.page.getByRole("dialog", { name: "Report room" });
    await dialog.getByLabel("Reason").fill("Spam in the chat");
    await world.shot(guest.page, "call-report-dialog-desktop");
    await dialog.getByRole("button", { name: "Send report" }).click();
    await guest.page.getByText("Thanks, the moderators will look at it.").first().waitFor({ timeout: 10_000 });

    // The moderator sees it, with who was inside.
    await mod.page.goto(`${world.base}/#mod`);
    const report = mod.page.getByTestId("report").filter({ hasText: "Reported room" });
    await report.getByText("Spam in the chat").waitFor({ timeout: 10_000 });
    await report.getByText("Rita Host").waitFor();
    await report.getByText("Rex Reporter").first().waitFor();
    await world.shot(mod.page, "mod-desktop");

    // The moderator ends the room: everyone in it is told.
    await report.getByRole("button", { name: "End the room Reported room" }).click();
    await mod.page.getByRole("dialog", { name: "End this room?" }).getByRole("button", { name: "End room" }).click();
    await guest.page.getByRole("heading", { name: "This room has ended" }).waitFor({ timeout: 10_000 });
    await host.page.getByRole("heading", { name: "This room has ended" }).waitFor({ timeout: 10_000 });
    assert.ok(true);
  } catch (err) {
    await onFailure([host, guest, mod], "report", err);
  } finally {
    await host.close();
    await guest.close();
  }
});

test("languages: German from the browser, French when picked, and back to English", { timeout: 30_000 }, async () => {
  const klaus = await world.person("klaus", { locale: "de-DE" });
  try {
    await klaus.page.goto(`${world.base}/`);
    await klaus.page.getByRole("heading", { name: "Anmelden" }).waitFor();
    await klaus.page.getByRole("form", { name: "Registrieren" }).waitFor();
    await world.shot(klaus.page, "home-signed-out-de-desktop");
    await klaus.page.getByLabel("Sprache").selectOption("fr");
    await klaus.page.getByRole("heading", { name: "Se connecter" }).waitFor();
    assert.equal(await klaus.page.evaluate(() => document.documentElement.lang), "fr");
    // The choice is remembered.
    await klaus.page.reload();
    await klaus.page.getByRole("heading", { name: "Se connecter" }).waitFor();
    await klaus.page.getByLabel("Langue").selectOption("en");
    await klaus.page.getByRole("heading", { name: "Sign in" }).waitFor();
  } finally {
    await klaus.close();
  }
});

test("drop in without the link: a friend's room with link sharing off joins by its id", { timeout: 60_000 }, async () => {
  const cid = await world.person("cid");
  const dee = await world.person("dee");
  try {
    await cid.signUp("Cid Private");
    await dee.signUp("Dee Dropper");
    await dee.api("POST", "/api/friends", { userId: cid.user.id });
    await cid.api("POST", `/api/friends/${dee.user.id}/accept`);
    const { room } = await cid.api("POST", "/api/rooms", { name: "No link room", linkSharing: false });
    await joinSignedIn(cid.page, `${world.base}/r/${room.token}`);
    await connected(cid.page);

    await dee.page.goto(`${world.base}/#rooms`);
    const item = dee.page.getByTestId("dropin-room").filter({ hasText: "No link room" });
    await item.getByText("Cid Private inside").waitFor({ timeout: 15_000 });
    const href = await item.getByRole("link", { name: "Join No link room" }).getAttribute("href");
    assert.match(href ?? "", /^\/d\/[^/]+\?join=1$/, "no token: the drop-in page by room id");
    await item.getByRole("link", { name: "Join No link room" }).click();
    await connected(dee.page);
    await remoteTiles(cid.page).filter({ hasText: "Dee Dropper" }).waitFor({ timeout: 10_000 });
    // Link sharing is off: Dee is not shown the link.
    assert.equal(await dee.page.evaluate(() => window.__rooms?.session.room?.token ?? null), null);
  } catch (err) {
    await onFailure([cid, dee], "dropin-id", err);
  } finally {
    await cid.close();
    await dee.close();
  }
});
