// The room rules in the browser, each asserted on the OTHER people in the
// room: remove, lock, waiting for the host, end; and what people say to
// each other: chat, reactions, raised hands.
//
// Run from web/: node --test --test-concurrency=1 e2e/

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { World, PHONE, DESKTOP, connected, expectFocus, joinAsGuest, joinSignedIn, moreOption, openPeople, overlaps, remoteTiles, sleep, tcpProxy, tiles, until } from "./lib.mjs";

const world = new World("rules");
before(() => world.start());
after(() => world.stop());

/** A host (signed up) with a new room; answers the person and the room's link. */
async function hostWithRoom(label, name, roomName, settings = {}) {
  const host = await world.person(label);
  await host.signUp(name);
  const { room } = await host.api("POST", "/api/rooms", { name: roomName, ...settings });
  return { host, room, link: `${world.base}/r/${room.token}` };
}

async function onFailure(people, name, err) {
  for (const p of people) await world.shot(p.page, `failure-${name}-${p.label}`).catch(() => {});
  console.log(`--- server log ---\n${world.log.slice(-10_000)}`);
  throw err;
}

test("the host removes a guest: the guest is told, and everyone sees the room locked", { timeout: 90_000 }, async () => {
  const { host, link } = await hostWithRoom("host", "Hana Host", "Remove test");
  const bob = await world.person("bob");
  const cleo = await world.person("cleo");
  try {
    await joinSignedIn(host.page, link);
    await connected(host.page);
    await joinAsGuest(bob.page, link, "Bob Guest");
    await connected(bob.page);
    await joinAsGuest(cleo.page, link, "Cleo Guest");
    await connected(cleo.page);
    await until("three tiles for the host", async () => (await tiles(host.page).count()) === 3);

    await openPeople(host.page);
    await world.shot(host.page, "call-people-host-desktop");
    // Escape cancels the confirmation (not the panel), and focus goes back to the Remove button.
    const removeBob = host.page.getByRole("button", { name: "Remove Bob Guest" });
    await removeBob.click();
    const dialog = host.page.getByRole("dialog", { name: "Remove Bob Guest?" });
    await dialog.waitFor();
    await host.page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    await expectFocus(removeBob, "the Remove button after the confirmation was cancelled");
    assert.equal(await host.page.getByRole("heading", { name: "People", exact: true }).count(), 1, "Escape in the dialog leaves the panel open");
    await removeBob.click();
    await dialog.waitFor();
    await world.shot(host.page, "call-remove-dialog-desktop");
    await dialog.getByRole("button", { name: "Remove", exact: true }).click();
    // Bob's row, and its Remove button, are gone: focus lands on the panel's heading, not the page.
    await removeBob.waitFor({ state: "detached", timeout: 10_000 });
    await expectFocus(host.page.getByRole("heading", { name: "People", exact: true }), "the People panel's heading after the removal");

    // Bob is told, and cannot rejoin from that screen.
    await bob.page.getByRole("heading", { name: "The host removed you from this room" }).waitFor({ timeout: 10_000 });
    assert.equal(await bob.page.getByRole("button", { name: "Rejoin" }).count(), 0, "no Rejoin after being removed");
    await world.shot(bob.page, "removed-desktop");

    // Everyone left sees the room locked, and Bob gone.
    await cleo.page.getByTestId("lock-badge").waitFor({ timeout: 10_000 });
    await host.page.getByTestId("lock-badge").waitFor({ timeout: 10_000 });
    await remoteTiles(cleo.page).filter({ hasText: "Bob Guest" }).waitFor({ state: "detached", timeout: 10_000 });
    await host.page.getByRole("button", { name: "Unlock room" }).waitFor();

    // Bob's session is not retried: a few seconds later he is still out.
    await bob.page.waitForTimeout(1500);
    assert.equal(await remoteTiles(host.page).filter({ hasText: "Bob Guest" }).count(), 0);

    // The host unlocks: everyone sees it.
    await host.page.getByRole("button", { name: "Unlock room" }).click();
    await cleo.page.getByTestId("lock-badge").waitFor({ state: "detached", timeout: 10_000 });

    // Bob is barred even with the room unlocked, until the host lets him
    // back: reloading the link, his join page says why, with no Join.
    await bob.page.goto(link);
    await bob.page.getByRole("heading", { name: "The host removed you from this room" }).waitFor({ timeout: 10_000 });
    await bob.page.getByText("You can't come back into this room.").waitFor();
    assert.equal(await bob.page.getByRole("button", { name: "Join", exact: true }).count(), 0, "the removed guest is offered Join");
    await world.shot(bob.page, "join-removed-desktop");
    await host.page.getByRole("button", { name: "Let Bob Guest back in" }).click();
    await host.page.getByRole("button", { name: "Let Bob Guest back in" }).waitFor({ state: "detached", timeout: 10_000 });
    // His page sees it by itself.
    await bob.page.getByRole("button", { name: "Join", exact: true }).click({ timeout: 15_000 });
    await connected(bob.page);
    await remoteTiles(cleo.page).filter({ hasText: "Bob Guest" }).waitFor({ timeout: 10_000 });
  } catch (err) {
    await onFailure([host, bob, cleo], "remove", err);
  } finally {
    for (const p of [host, bob, cleo]) await p.close();
  }
});

test("the host locks the room: a newcomer is told it is locked, those inside see the lock", { timeout: 90_000 }, async () => {
  const { host, link } = await hostWithRoom("host2", "Lina Host", "Lock test");
  const inside = await world.person("inside");
  const late = await world.person("late", { viewport: PHONE });
  try {
    await joinSignedIn(host.page, link);
    await connected(host.page);
    await joinAsGuest(inside.page, link, "Ida Inside");
    await connected(inside.page);

    await openPeople(host.page);
    await host.page.getByRole("button", { name: "Lock room" }).click();
    await inside.page.getByTestId("lock-badge").waitFor({ timeout: 10_000 });
    await world.shot(inside.page, "call-locked-desktop");

    await late.page.goto(link);
    // The join page says so, and offers no Join.
    await late.page.getByRole("heading", { name: "This room is locked" }).waitFor({ timeout: 10_000 });
    await late.page.getByText("Nobody new can join right now. Ask the host to unlock it.").waitFor();
    assert.equal(await late.page.getByRole("button", { name: "Join", exact: true }).count(), 0, "a locked room offers Join");
    await world.shot(late.page, "join-locked-phone");
    assert.equal(await remoteTiles(host.page).count(), 1, "the newcomer never got in");
    // The host unlocks: the newcomer's page offers Join by itself.
    await host.page.getByRole("button", { name: "Unlock room" }).click();
    await late.page.getByLabel("Your name").fill("Leo Late");
    await late.page.getByRole("button", { name: "Join", exact: true }).click();
    await connected(late.page);
  } catch (err) {
    await onFailure([host, inside, late], "lock", err);
  } finally {
    for (const p of [host, inside, late]) await p.close();
  }
});

test("the host leaves: the room locks while the host is away; back, the host is asked to unlock it", { timeout: 90_000 }, async () => {
  const { host, link } = await hostWithRoom("hostaway", "Ada Away", "Away test");
  const gus = await world.person("gus");
  try {
    await joinSignedIn(host.page, link);
    await connected(host.page);
    await joinAsGuest(gus.page, link, "Gus Guest");
    await connected(gus.page);

    await host.page.getByRole("button", { name: "Leave", exact: true }).click();
    await host.page.getByRole("heading", { name: "You left the room" }).waitFor({ timeout: 10_000 });
    const badge = gus.page.getByTestId("lock-badge");
    await badge.filter({ hasText: "Locked while the host is away. Nobody new can join." }).waitFor({ timeout: 10_000 });

    // The host comes back: nobody reads "while the host is away" any more,
    // and the host is asked to unlock.
    await host.page.getByRole("button", { name: "Rejoin" }).click();
    await connected(host.page);
    const ask = host.page.getByRole("region", { name: "Room locked while you were away" });
    await ask.getByText("The room locked itself while you were away. Unlock it so new people can join.").waitFor({ timeout: 10_000 });
    await badge.filter({ hasText: "Locked while the host was away. The host can unlock it." }).waitFor({ timeout: 10_000 });
    assert.equal(await gus.page.getByText("while the host is away").count(), 0, "the guest still reads that the host is away");
    assert.equal(await host.page.getByText("while the host is away").count(), 0, "the host reads that the host is away");
    assert.equal(await gus.page.getByRole("region", { name: "Room locked while you were away" }).count(), 0, "only the host is asked to unlock");
    await world.shot(host.page, "call-host-back-desktop");

    await ask.getByRole("button", { name: "Unlock", exact: true }).click();
    await badge.waitFor({ state: "detached", timeout: 10_000 });
    await host.page.getByTestId("lock-badge").waitFor({ state: "detached", timeout: 10_000 });
    await ask.waitFor({ state: "detached", timeout: 10_000 });
  } catch (err) {
    await onFailure([host, gus], "hostaway", err);
  } finally {
    for (const p of [host, gus]) await p.close();
  }
});

test("people who come before the host wait, and are let in when the host arrives", { timeout: 90_000 }, async () => {
  const { host, link } = await hostWithRoom("host3", "Wanda Host", "Waiting test");
  const early = await world.person("early", { viewport: PHONE });
  try {
    await joinAsGuest(early.page, link, "Eve Early");
    await early.page.getByRole("heading", { name: "Waiting for the host to let you in…" }).waitFor({ timeout: 10_000 });
    await world.shot(early.page, "waiting-phone");
    // The host's participant list shows nobody yet: the early guest is not in the call.
    await joinSignedIn(host.page, link);
    await connected(host.page);
    await connected(early.page);
    await remoteTiles(early.page).filter({ hasText: "Wanda Host" }).waitFor({ timeout: 10_000 });
    await remoteTiles(host.page).filter({ hasText: "Eve Early" }).waitFor({ timeout: 10_000 });
    await world.shot(early.page, "call-phone");
  } catch (err) {
    await onFailure([host, early], "waiting", err);
  } finally {
    for (const p of [host, early]) await p.close();
  }
});

test("the host ends the room: everyone sees it ended, and the link says so", { timeout: 90_000 }, async () => {
  const { host, link } = await hostWithRoom("host4", "Enzo Host", "End test");
  const guest = await world.person("guest4");
  try {
    await joinSignedIn(host.page, link);
    await connected(host.page);
    await joinAsGuest(guest.page, link, "Gus Guest");
    await connected(guest.page);

    await moreOption(host.page, "End room for everyone");
    const dialog = host.page.getByRole("dialog", { name: "End the room for everyone?" });
    await dialog.waitFor();
    await world.shot(host.page, "call-end-dialog-desktop");
    await dialog.getByRole("button", { name: "End room" }).click();

    await guest.page.getByRole("heading", { name: "This room has ended" }).waitFor({ timeout: 10_000 });
    await host.page.getByRole("heading", { name: "This room has ended" }).waitFor({ timeout: 10_000 });
    await world.shot(guest.page, "ended-desktop");
    assert.equal(await guest.page.getByRole("button", { name: "Rejoin" }).count(), 0, "no Rejoin into an ended room");

    // The link itself now says the room has ended.
    const res = await guest.page.goto(link);
    assert.equal(res?.status(), 410);
    await guest.page.getByRole("heading", { name: "This room has ended" }).waitFor({ timeout: 10_000 });
  } catch (err) {
    await onFailure([host, guest], "end", err);
  } finally {
    for (const p of [host, guest]) await p.close();
  }
});

test("the host mutes a guest: the guest is muted and told; link sharing off hides the link", { timeout: 90_000 }, async () => {
  const { host, link } = await hostWithRoom("host5", "Mona Host", "Mute test");
  const guest = await world.person("guest5");
  try {
    await joinSignedIn(host.page, link);
    await connected(host.page);
    await joinAsGuest(guest.page, link, "Max Guest");
    await connected(guest.page);
    await guest.page.getByRole("button", { name: "Mute", exact: true }).waitFor();

    await openPeople(host.page);
    await host.page.getByRole("button", { name: "Mute Max Guest" }).click();
    await guest.page.getByRole("button", { name: "Unmute", exact: true }).waitFor({ timeout: 10_000 });
    await guest.page.getByText("The host muted you").first().waitFor({ timeout: 10_000 });
    await remoteTiles(host.page).filter({ hasText: "Max Guest" }).getByText("Microphone muted").waitFor({ state: "attached", timeout: 10_000 });

    // Link sharing: on, the guest can copy the link; off, the guest has no link.
    await guest.page.getByRole("button", { name: "More options" }).click();
    await guest.page.getByRole("menu", { name: "More options" }).getByRole("menuitem", { name: "Copy link" }).waitFor();
    await guest.page.getByRole("button", { name: "More options" }).click();
    await host.page.getByRole("switch", { name: "Link sharing" }).uncheck();
    await until("the guest's copy of the room to lose its link", () => guest.page.evaluate(() => !window.__rooms?.session.room?.token));
    await guest.page.getByRole("button", { name: "More options" }).click();
    assert.equal(await guest.page.getByRole("menu", { name: "More options" }).getByRole("menuitem", { name: "Copy link" }).count(), 0);
  } catch (err) {
    await onFailure([host, guest], "mute", err);
  } finally {
    for (const p of [host, guest]) await p.close();
  }
});

test("chat, reactions and raised hands reach the others", { timeout: 90_000 }, async () => {
  const { host, link } = await hostWithRoom("host6", "Cora Host", "Chat test");
  const guest = await world.person("guest6", { viewport: PHONE });
  try {
    await joinSignedIn(host.page, link);
    await connected(host.page);
    await joinAsGuest(guest.page, link, "Chad Guest");
    await connected(guest.page);

    // Chat: the host writes, the guest sees the unread count, then the message.
    await host.page.getByRole("button", { name: "Chat", exact: true }).click();
    await host.page.getByLabel("Message", { exact: true }).fill("Hello from the host");
    await host.page.getByRole("button", { name: "Send", exact: true }).click();
    await guest.page.getByRole("button", { name: "Chat, 1 unread" }).waitFor({ timeout: 10_000 });
    // The pop-up of the message hides no one's name on the phone.
    const popup = guest.page.getByText("Cora Host: Hello from the host");
    await popup.waitFor();
    for (const label of await guest.page.getByRole("figure").locator("figcaption").all()) {
      assert.ok(!overlaps(await popup.boundingBox(), await label.boundingBox()), `the chat pop-up covers the name "${await label.textContent()}"`);
    }
    await guest.page.getByRole("button", { name: "Chat, 1 unread" }).click();
    await guest.page.getByTestId("chat-list").getByText("Hello from the host").waitFor();
    await world.shot(guest.page, "call-chat-phone");
    await guest.page.getByLabel("Message", { exact: true }).fill("Hi back");
    await guest.page.keyboard.press("Enter");
    await host.page.getByTestId("chat-list").getByText("Hi back").waitFor({ timeout: 10_000 });
    await world.shot(host.page, "call-chat-desktop");
    await guest.page.getByRole("button", { name: "Close panel" }).click();

    // A reaction floats on the sender's tile on the other side.
    await host.page.getByRole("button", { name: "React", exact: true }).click();
    await host.page.getByRole("menuitem", { name: "React with 🎉" }).click();
    await remoteTiles(guest.page).filter({ hasText: "Cora Host" }).getByTestId("reaction").filter({ hasText: "🎉" }).waitFor({ timeout: 10_000 });
    await guest.page.getByTestId("announcer").filter({ hasText: "Cora Host reacted 🎉" }).waitFor({ state: "attached", timeout: 10_000 });
    await world.shot(guest.page, "call-reaction-phone");

    // A raised hand shows on the guest's tile for the host.
    await guest.page.getByRole("button", { name: "Raise hand" }).click();
    await remoteTiles(host.page).filter({ hasText: "Chad Guest" }).getByText("Hand raised").waitFor({ state: "attached", timeout: 10_000 });
    // The pop-up of the raised hand hides no one's name at desktop size.
    // (The live region says the same words; the pop-up is the other one.)
    const handPopup = host.page.getByText("Chad Guest raised their hand").and(host.page.locator(':not([data-testid="announcer"])'));
    await handPopup.waitFor();
    for (const label of await host.page.getByRole("figure").locator("figcaption").all()) {
      assert.ok(!overlaps(await handPopup.boundingBox(), await label.boundingBox()), `the hand pop-up covers the name "${await label.textContent()}"`);
    }
    await guest.page.getByRole("button", { name: "Lower hand" }).click();
    await remoteTiles(host.page).filter({ hasText: "Chad Guest" }).getByText("Hand raised").waitFor({ state: "detached", timeout: 10_000 });
  } catch (err) {
    await onFailure([host, guest], "chat", err);
  } finally {
    for (const p of [host, guest]) await p.close();
  }
});



test("a screen share shows as the large tile for the others", { timeout: 90_000 }, async () => {
  const { host, link } = await hostWithRoom("host7", "Sam Sharer", "Share test");
  const guest = await world.person("guest7");
  try {
    await joinSignedIn(host.page, link);
    await connected(host.page);
    await joinAsGuest(guest.page, link, "Vic Viewer");
    await connected(guest.page);
    await host.page.getByRole("button", { name: "Share screen" }).click();
    const controls = host.page.getByRole("navigation", { name: "Call controls" });
    await controls.getByRole("button", { name: "Stop sharing" }).waitFor({ timeout: 10_000 });
    await host.page.getByRole("status").filter({ hasText: "You are sharing your screen" }).waitFor();
    const big = guest.page.locator('.featured [data-testid="screen-tile"]');
    await big.waitFor({ timeout: 15_000 });
    await until("the shared screen to play for the guest", () =>
      guest.page.evaluate(() => {
        const v = document.querySelector('.featured [data-testid="screen-tile"] video');
        return !!v && v.readyState >= 2 && v.videoWidth > 0;
      }),
    );
    await world.shot(guest.page, "call-screen-share-desktop");
    await controls.getByRole("button", { name: "Stop sharing" }).click();
    await big.waitFor({ state: "detached", timeout: 15_000 });
  } catch (err) {
    await onFailure([host, guest], "share", err);
  } finally {
    for (const p of [host, guest]) await p.close();
  }
});

test("keyboard and screen readers: named controls, shortcuts, menus, announcements", { timeout: 60_000 }, async () => {
  const { host, link } = await hostWithRoom("host8", "Kim Keys", "Keyboard test");
  const guest = await world.person("guest8");
  try {
    const h = host.page;
    await joinSignedIn(h, link);
    await connected(h);

    // Every button and link in the call has a name.
    const unnamed = await h.evaluate(() =>
      [...document.querySelectorAll("button, a, select, input, textarea")]
        .filter((el) => {
          const label = el.getAttribute("aria-label") || el.textContent?.trim() || el.getAttribute("title") || (el.id && document.querySelector(`label[for="${el.id}"]`)) || el.closest("label");
          return !label;
        })
        .map((el) => el.outerHTML.slice(0, 120)),
    );
    assert.deepEqual(unnamed, [], "controls without an accessible name");

    // Ctrl+D mutes and unmutes.
    await h.keyboard.press("Control+d");
    await h.getByRole("button", { name: "Unmute", exact: true }).waitFor();
    await h.keyboard.press("Control+d");
    await h.getByRole("button", { name: "Mute", exact: true }).waitFor();

    // The More menu opens from the keyboard, takes focus, the arrow keys,
    // Home and End move among its items, and Escape closes it and gives
    // focus back to its button (the WAI-ARIA menu button pattern).
    const moreButton = h.getByRole("button", { name: "More options" });
    await moreButton.focus();
    await h.keyboard.press("Enter");
    const menu = h.getByRole("menu", { name: "More options" });
    await menu.waitFor();
    const entry = (name) => menu.getByRole("menuitem", { name, exact: true });
    await expectFocus(entry("Speaker view"), "the menu's first item");
    await h.keyboard.press("ArrowDown");
    await expectFocus(entry("Devices"), "the second item after ArrowDown");
    await h.keyboard.press("End");
    await expectFocus(entry("Report room"), "the last item after End");
    await h.keyboard.press("ArrowDown");
    await expectFocus(entry("Speaker view"), "the first item after ArrowDown from the last");
    await h.keyboard.press("ArrowUp");
    await expectFocus(entry("Report room"), "the last item after ArrowUp from the first");
    await h.keyboard.press("Home");
    await expectFocus(entry("Speaker view"), "the first item after Home");
    await h.keyboard.press("Escape");
    await menu.waitFor({ state: "detached" });
    await expectFocus(moreButton, "the More options button after Escape");

    // The reactions menu too, left and right as it lies.
    const reactButton = h.getByRole("button", { name: "React", exact: true });
    await reactButton.focus();
    await h.keyboard.press("Enter");
    const reactions = h.getByRole("menu", { name: "Reactions" });
    await expectFocus(reactions.getByRole("menuitem", { name: "React with 👍" }), "the first reaction");
    await h.keyboard.press("ArrowRight");
    await expectFocus(reactions.getByRole("menuitem", { name: "React with ❤️" }), "the second reaction");
    await h.keyboard.press("End");
    await expectFocus(reactions.getByRole("menuitem", { name: "React with 😮" }), "the last reaction");
    await h.keyboard.press("Escape");
    await reactions.waitFor({ state: "detached" });
    await expectFocus(reactButton, "the React button after Escape");

    // A dialog opened from the menu gives focus back to the menu's button when it closes.
    for (const [item, title, close] of [
      ["Room settings", "Room settings", "Cancel"],
      ["Report room", "Report room", "Escape"],
      ["Backgrounds and effects", "Backgrounds and effects", "Close"],
    ]) {
      await moreButton.focus();
      await h.keyboard.press("Enter");
      await entry(item).focus();
      await h.keyboard.press("Enter");
      const dialog = h.getByRole("dialog", { name: title });
      await dialog.waitFor();
      if (close === "Escape") await h.keyboard.press("Escape");
      else await dialog.getByRole("button", { name: close, exact: true }).click();
      await dialog.waitFor({ state: "detached" });
      await expectFocus(moreButton, `the More options button after closing ${title}`);
    }

    // Escape closes a side panel (focus anywhere in it or on the page) and
    // gives focus back to the button that opened it.
    const chatButton = h.getByRole("button", { name: "Chat", exact: true });
    await chatButton.click();
    await h.getByLabel("Message", { exact: true }).focus();
    await h.keyboard.press("Escape");
    await h.getByRole("heading", { name: "Chat", exact: true }).waitFor({ state: "detached" });
    await expectFocus(chatButton, "the Chat button after Escape closed the chat");
    const peopleButton = h.getByRole("button", { name: "People", exact: true });
    await openPeople(h);
    await h.getByRole("button", { name: "Lock room" }).focus();
    await h.keyboard.press("Escape");
    await h.getByRole("heading", { name: "People", exact: true }).waitFor({ state: "detached" });
    await expectFocus(peopleButton, "the People button after Escape closed the people panel");
    await openPeople(h);
    await h.getByRole("button", { name: "Close panel" }).click();
    await expectFocus(peopleButton, "the People button after ✕ closed the people panel");
    // A menu opened over a panel takes Escape first: the panel stays.
    await openPeople(h);
    await moreButton.focus();
    await h.keyboard.press("Enter");
    await expectFocus(entry("Speaker view"), "the menu's first item");
    await h.keyboard.press("Escape");
    await menu.waitFor({ state: "detached" });
    assert.equal(await h.getByRole("heading", { name: "People", exact: true }).count(), 1, "Escape in the menu leaves the panel open");
    await h.getByRole("button", { name: "Close panel" }).click();

    // Someone joining is announced in the live region.
    await joinAsGuest(guest.page, link, "Nia Newcomer");
    await h.getByTestId("announcer").filter({ hasText: "Nia Newcomer joined" }).waitFor({ state: "attached", timeout: 10_000 });

    // The speaker can be chosen where the browser allows it (Chromium
    // does): the guest's sound keeps playing, on the chosen one.
    await until("the guest's sound to play", () => h.evaluate(() => [...document.querySelectorAll("audio")].some((a) => !a.paused && a.srcObject)));
    await moreOption(h, "Devices");
    const devices = h.getByRole("dialog", { name: "Devices" });
    const speaker = devices.getByRole("combobox", { name: "Speaker" });
    await speaker.waitFor();
    const outputs = await speaker.locator("option").evaluateAll((os) => os.map((o) => o.value));
    assert.ok(outputs.length >= 1, "the Speaker list offers at least the default output");
    const chosen = outputs[outputs.length - 1];
    await speaker.selectOption(chosen);
    await devices.getByRole("button", { name: "Close", exact: true }).click();
    await expectFocus(moreButton, "the More options button after closing Devices");
    const sinks = await h.evaluate(() => [...document.querySelectorAll("audio")].filter((a) => a.srcObject).map((a) => ({ sink: a.sinkId, paused: a.paused })));
    assert.ok(sinks.length > 0 && sinks.every((a) => !a.paused), `the guest's sound keeps playing: ${JSON.stringify(sinks)}`);
    assert.ok(sinks.every((a) => a.sink === chosen || (chosen === "default" && a.sink === "")), `every sound plays on the chosen speaker ${chosen}: ${JSON.stringify(sinks)}`);
    await h.setViewportSize(PHONE);
    await world.shot(h, "call-two-phone");
    await openPeople(h);
    await world.shot(h, "call-people-phone");
    await h.setViewportSize(DESKTOP);
  } catch (err) {
    await onFailure([host, guest], "keyboard", err);
  } finally {
    for (const p of [host, guest]) await p.close();
  }
});

/** The mean red and green of the remote video's picture on a page. */
function remoteColour(page) {
  return page.evaluate(() => {
    const v = document.querySelector('[data-testid="tile"]:not([data-self]) video');
    if (!v || v.videoWidth === 0) return null;
    const c = document.createElement("canvas");
    c.width = 64;
    c.height = 36;
    const g = c.getContext("2d");
    g.drawImage(v, 0, 0, 64, 36);
    const d = g.getImageData(0, 0, 64, 36).data;
    let r = 0;
    let gr = 0;
    for (let i = 0; i < d.length; i += 4) {
      r += d[i];
      gr += d[i + 1];
    }
    const n = d.length / 4;
    return { r: r / n, g: gr / n };
  });
}

test("effects: a fun effect and a blurred background, picked on the join page and in the call, reach the others", { timeout: 90_000 }, async (t) => {
  const { host, link } = await hostWithRoom("host9", "Fay Effects", "Effects test");
  const guest = await world.person("guest9");
  try {
    const h = host.page;
    // On the join page: the vintage effect on the preview.
    await h.goto(link);
    await h.getByRole("button", { name: "Backgrounds and effects" }).click();
    await h.getByRole("radio", { name: "Vintage", exact: true }).check();
    await world.shot(h, "join-effects-desktop");
    await h.getByRole("button", { name: "Join", exact: true }).click();
    await connected(h);
    await joinAsGuest(guest.page, link, "Gil Guest");
    await connected(guest.page);

    // The fake camera is green; sepia makes the guest's picture of the host red-brown.
    const seen = await until("the guest to see the host's sepia picture", async () => {
      const c = await remoteColour(guest.page);
      return c && c.r > 60 ? c : false;
    }, 40_000);
    console.log(`host's picture on the guest's screen with the vintage effect: ${JSON.stringify(seen)}`);

    // In the call: no effect again, and the picture is green again.
    await moreOption(h, "Backgrounds and effects");
    await h.getByRole("dialog", { name: "Backgrounds and effects" }).getByRole("radio", { name: "No effect" }).check();
    await until("the guest to see the host's plain green picture", async () => {
      const c = await remoteColour(guest.page);
      return c && c.g > c.r + 40 ? c : false;
    }, 40_000);

    // A blurred background needs the segmentation model, which needs the
    // server's Content-Security-Policy to allow WebAssembly.
    const csp = (await fetch(link)).headers.get("content-security-policy") ?? "";
    if (!csp.includes("'wasm-unsafe-eval'")) {
      await h.getByRole("dialog", { name: "Backgrounds and effects" }).getByRole("radio", { name: "Blur", exact: true }).check();
      await h.getByText("Backgrounds aren't available in this browser.").waitFor({ timeout: 20_000 });
      t.diagnostic("SKIPPED the blur check: the server's CSP has no 'wasm-unsafe-eval', so the model can't run (server-side change pending)");
      return;
    }
    await h.getByRole("dialog", { name: "Backgrounds and effects" }).getByRole("radio", { name: "Blur", exact: true }).check();
    await until("the blur to be applied", () => h.evaluate(() => document.querySelector('.effect-choice.selected input')?.value === "blur-strong" && !document.querySelector(".backgrounds .notice")), 30_000);
    await h.waitForTimeout(2000);
    assert.equal(await h.getByText("Backgrounds aren't available in this browser.").count(), 0);
    await h.getByRole("dialog", { name: "Backgrounds and effects" }).getByRole("button", { name: "Close" }).click();
    await world.shot(guest.page, "call-blurred-host-desktop");
  } catch (err) {
    await onFailure([host, guest], "effects", err);
  } finally {
    for (const p of [host, guest]) await p.close();
  }
});

test("a full room: the grid pages on a phone", { timeout: 120_000 }, async () => {
  const { host, link } = await hostWithRoom("host10", "Pia Pages", "Pages test");
  const guests = [];
  try {
    await host.page.setViewportSize(PHONE);
    await joinSignedIn(host.page, link);
    await connected(host.page);
    // Six guests without camera or microphone (cheap on two cores): seven tiles.
    for (let i = 1; i <= 6; i++) {
      const g = await world.person(`pager${i}`, { refuseDevices: true });
      guests.push(g);
      await joinAsGuest(g.page, link, `Guest ${i}`);
    }
    for (const g of guests) await connected(g.page);
    await until("six others on the host's screen", () => host.page.evaluate(() => window.__rooms?.session.participants.size === 6));
    const pager = host.page.getByRole("navigation", { name: "Pages" });
    await pager.getByText("Page 1 of 2").waitFor({ timeout: 10_000 });
    await world.shot(host.page, "call-grid-page1-phone");
    const firstPage = await host.page.locator('[data-testid="tile"]').count();
    await pager.getByRole("button", { name: "Next page" }).click();
    await pager.getByText("Page 2 of 2").waitFor();
    const secondPage = await host.page.locator('[data-testid="tile"]').count();
    assert.equal(firstPage + secondPage, 7, `tiles on the two pages: ${firstPage} + ${secondPage}`);
    await world.shot(host.page, "call-grid-page2-phone");
    await host.page.setViewportSize(DESKTOP);
    await pager.waitFor({ state: "detached" });
    assert.equal(await host.page.locator('[data-testid="tile"]').count(), 7, "all seven fit on one desktop page");
    await world.shot(host.page, "call-grid-7-desktop");
  } catch (err) {
    await onFailure([host, ...guests], "pages", err);
  } finally {
    for (const p of [host, ...guests]) await p.close();
  }
});

test("a dropped connection shows Reconnecting… to everyone in the call, then the call again", { timeout: 120_000 }, async () => {
  const { host, link } = await hostWithRoom("host11", "Rhea Reconnect", "Reconnect test");
  const guest = await world.person("guest11", { viewport: PHONE });
  try {
    await joinSignedIn(host.page, link);
    await connected(host.page);
    await joinAsGuest(guest.page, link, "Ray Guest");
    await connected(guest.page);
    await world.stopServer();
    for (const p of [host.page, guest.page]) await p.getByTestId("reconnecting").filter({ hasText: "Reconnecting…" }).waitFor({ timeout: 15_000 });
    await world.shot(guest.page, "call-reconnecting-phone");
    await world.startServer();
    for (const p of [host.page, guest.page]) {
      await connected(p, 60_000);
      await p.getByTestId("reconnecting").waitFor({ state: "detached", timeout: 10_000 });
    }
    await remoteTiles(guest.page).filter({ hasText: "Rhea Reconnect" }).waitFor({ timeout: 20_000 });
  } catch (err) {
    await onFailure([host, guest], "reconnect", err);
  } finally {
    for (const p of [host, guest]) await p.close();
  }
});

test("a short network drop: the others keep seeing the person, marked reconnecting, and never see them leave", { timeout: 90_000 }, async () => {
  const { host, link } = await hostWithRoom("host12", "Ada Steady", "Drop test");
  const ben = await world.person("ben12");
  // Ben reaches the server through a proxy that can cut his connections.
  const proxy = await tcpProxy(world.port);
  try {
    await joinSignedIn(host.page, link);
    await connected(host.page);
    await joinAsGuest(ben.page, link.replace(world.base, proxy.base), "Ben Flaky");
    await connected(ben.page);
    const count = host.page.getByTestId("connection-status").locator("..");
    await count.getByText("· 2 people").waitFor({ timeout: 10_000 });
    const benTile = remoteTiles(host.page).filter({ hasText: "Ben Flaky" });
    await benTile.waitFor();

    // The network goes for 2.5 s: his socket breaks and can't come back yet.
    proxy.block(true);
    proxy.cut();
    await ben.page.getByTestId("reconnecting").waitFor({ timeout: 10_000 });
    await benTile.getByTestId("tile-reconnecting").filter({ hasText: "Reconnecting…" }).waitFor({ timeout: 5_000 });
    for (let i = 0; i < 5; i++) {
      assert.equal(await count.getByText("· Only you").count(), 0, "Ada's header dropped Ben while he was reconnecting");
      assert.equal(await benTile.count(), 1, "Ben's tile went while he was reconnecting");
      await sleep(400);
    }
    await world.shot(host.page, "call-other-reconnecting-desktop");
    proxy.block(false);

    // He is back, the same participant: the mark goes, and he never left.
    await connected(ben.page, 20_000);
    await benTile.getByTestId("tile-reconnecting").waitFor({ state: "detached", timeout: 10_000 });
    await count.getByText("· 2 people").waitFor();
    assert.equal(await remoteTiles(host.page).count(), 1, "Ada sees one Ben");
  } catch (err) {
    await onFailure([host, ben], "drop", err);
  } finally {
    for (const p of [host, ben]) await p.close();
    await proxy.close();
  }
});
