// Every sentence the client shows through t() or plural(), and every
// message the server can send, has a German and a French translation (a
// missing one would show English); and, in a real browser, German and
// French people see and hear their language.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { World, connected, joinAsGuest } from "./lib.mjs";
import { serverFragments, serverMessages, shape } from "./servermessages.mjs";

const SRC = resolve(import.meta.dirname, "../src");

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === "i18n" ? [] : files(p);
    return /\.tsx?$/.test(name) ? [p] : [];
  });
}

/** The English sentences used in the source. */
function sentences() {
  const found = new Set();
  const call = /\b(?:t|plural)\(\s*(?:[^,"()]+,\s*)?("(?:[^"\\]|\\.)*")(?:\s*,\s*("(?:[^"\\]|\\.)*"))?/g;
  const label = /label:\s*("(?:[^"\\]|\\.)*")/g;
  for (const f of files(SRC)) {
    const src = readFileSync(f, "utf8");
    for (const re of [call, label]) {
      for (const m of src.matchAll(re)) for (const g of m.slice(1)) if (g) found.add(JSON.parse(g));
    }
  }
  return found;
}

/** The keys of a dictionary file. */
function keys(lang) {
  const src = readFileSync(join(SRC, "i18n", `${lang}.ts`), "utf8");
  return new Set([...src.matchAll(/^\s+("(?:[^"\\]|\\.)*"):/gm)].map((m) => JSON.parse(m[1])));
}

for (const lang of ["de", "fr"]) {
  test(`every sentence has a ${lang} translation`, () => {
    const have = keys(lang);
    const missing = [...sentences()].filter((s) => !have.has(s));
    assert.deepEqual(missing, [], `missing in ${lang}.ts`);
  });
}

// --- The server's messages ----------------------------------------------

/**
 * Server messages only a broken client can cause: the shape of the
 * protocol's and the API's requests, which the client always sends right.
 * They are meant for whoever writes a client, and are shown in English if
 * ever. Every other message the server can send needs a translation.
 */
const DEVELOPER_MESSAGES = new Set([
  // Signalling (internal/signal): malformed or out-of-order messages.
  "That message is not valid JSON.",
  "Messages must be JSON text.",
  "binary message",
  "Unknown message type.",
  "The first message must be join.",
  "You have already joined.",
  "A field has the wrong type.",
  "An offer needs an sdp.",
  "Too many sources in one offer.",
  "Too many media tracks in one offer.",
  "An answer needs an sdp.",
  "There is no offer waiting for an answer.",
  'A candidate needs a candidate and pc "pub" or "sub".',
  "A mute message needs audio and video.",
  "A hand message needs raised: true or false.",
  "trackSettings needs between 1 and 256 tracks.",
  "Each track setting needs a trackId or a participant, visible, and sizes from 0 to 16384.",
  "resume needs a participant and a token.",
  "resume may only be the first message on a new connection.",
  // REST API (internal/httpapi, internal/rooms, the store): request bodies
  // and enum values the client's forms never get wrong.
  "The request body is empty; it must be a JSON object.",
  "The request body is not valid JSON for this request: %s.",
  "The request body must hold one JSON object.",
  "There is no such API endpoint.",
  "Give either userId or guestId.",
  "Say who: userId is missing.",
  "A guest's id is empty.",
  "The kind must be standalone, group or event.",
  "Who can see the room must be link, friends, group or event.",
  "Who can join must be anyone, signed_in or audience.",
  "A room must be standalone, a group's or an event's.",
  "A %s room must have exactly the group or event of its kind.",
]);

/** The templates t() matches server messages against (src/i18n/patterns.ts). */
function serverPatterns() {
  const src = readFileSync(join(SRC, "i18n", "patterns.ts"), "utf8");
  return [...src.matchAll(/^\s+("(?:[^"\\]|\\.)*"),$/gm)].map((m) => JSON.parse(m[1]));
}

test("the server's messages are found in the Go source", () => {
  const found = serverMessages();
  // A guard on the extraction itself: a few messages of each kind.
  for (const m of ["An account with this email already exists.", "This room is only open to %s.", "The host removed you from this room.", "A chat message needs some text."]) {
    assert.ok(found.has(m), `not extracted: ${m}`);
  }
  for (const m of DEVELOPER_MESSAGES) assert.ok(found.has(m), `allowlisted but no longer sent by the server: ${m}`);
  assert.ok(serverFragments().has("The group name"));
});

for (const lang of ["de", "fr"]) {
  test(`every message the server can send has a ${lang} translation`, () => {
    const have = keys(lang);
    const patterns = new Map(serverPatterns().map((p) => [shape(p), p]));
    const missing = [];
    for (const [message, where] of serverMessages()) {
      if (DEVELOPER_MESSAGES.has(message)) continue;
      if (message.includes("%")) {
        // A message with filled-in parts needs a template in patterns.ts.
        const template = patterns.get(shape(message));
        if (!template) missing.push(`${where}: no template in patterns.ts for ${JSON.stringify(message)}`);
        else if (!have.has(template)) missing.push(`${where}: ${JSON.stringify(template)}`);
      } else if (!have.has(message)) {
        missing.push(`${where}: ${JSON.stringify(message)}`);
      }
    }
    for (const [fragment, where] of serverFragments()) if (!have.has(fragment)) missing.push(`${where}: ${JSON.stringify(fragment)}`);
    assert.deepEqual(missing, [], `missing in ${lang}.ts`);
  });
}

// --- In a browser ----------------------------------------------------------

describe("in a browser", () => {
  const world = new World("i18n");
  before(() => world.start());
  after(() => world.stop());

  async function onFailure(people, name, err) {
    for (const p of people) await world.shot(p.page, `failure-${name}-${p.label}`).catch(() => {});
    console.log(`--- server log ---\n${world.log.slice(-10_000)}`);
    throw err;
  }

  test("German: an unnamed room is titled in German, a device problem and the server's refusals are shown in German", { timeout: 60_000 }, async () => {
    const ada = await world.person("ada");
    // Klaus blocks his camera and microphone: the lobby tells him so.
    const klaus = await world.person("klaus", { locale: "de-DE", refuseDevices: true });
    try {
      await ada.signUp("Ada Host");
      const { room: open } = await ada.api("POST", "/api/rooms", { name: "" });
      const { room: friendsOnly } = await ada.api("POST", "/api/rooms", { name: "", visibility: "friends", joinPolicy: "audience" });

      // Signing up with an email in use: the server's refusal, in German.
      await klaus.page.goto(`${world.base}/`);
      const form = klaus.page.getByRole("form", { name: "Registrieren" });
      await form.getByLabel("Anzeigename").fill("Klaus Gast");
      await form.getByLabel("E-Mail").fill(ada.user.email);
      await form.getByLabel("Passwort").fill("correct horse battery staple");
      await form.getByRole("button", { name: "Registrieren" }).click();
      await form.getByRole("alert").filter({ hasText: "Es gibt bereits ein Konto mit dieser E-Mail-Adresse." }).waitFor({ timeout: 10_000 });

      // The unnamed room's title, in the lobby heading and the page title.
      await klaus.signUp("Klaus Gast");
      await klaus.page.goto(`${world.base}/r/${open.token}`);
      await klaus.page.getByRole("heading", { level: 1, name: "Raum von Ada Host" }).waitFor({ timeout: 10_000 });
      assert.match(await klaus.page.title(), /^Raum von Ada Host/);
      assert.doesNotMatch(await klaus.page.locator("body").innerText(), /Ada Host's room/);
      // A device problem is put together from sentences, translated one by
      // one; it is shown and announced.
      const problem =
        "Du hast Kamera und Mikrofon nicht erlaubt. Das kannst du in den Website-Einstellungen deines Browsers ändern. Du kannst trotzdem beitreten; die anderen sehen deinen Namen.";
      await klaus.page.getByTestId("announcer").filter({ hasText: problem }).waitFor({ state: "attached", timeout: 10_000 });
      await klaus.page.getByRole("alert").filter({ hasText: problem }).waitFor();

      // A room only for the host's friends: the join page says so up
      // front, in German, with no Join button.
      await klaus.page.goto(`${world.base}/r/${friendsOnly.token}`);
      const end = klaus.page.getByTestId("end-screen");
      await end.getByText("Du kannst diesem Raum nicht beitreten").waitFor({ timeout: 15_000 });
      await end.getByText("Nur die Freunde des Hosts können diesem Raum beitreten.").waitFor();
      assert.equal(await klaus.page.getByRole("button", { name: "Beitreten", exact: true }).count(), 0, "a Join button for a room Klaus can't join");
      await world.shot(klaus.page, "i18n-refused-de");
    } catch (err) {
      await onFailure([ada, klaus], "i18n-de", err);
    } finally {
      await ada.close();
      await klaus.close();
    }
  });

  test("French: the call's announcements are in French, with names and counts", { timeout: 60_000 }, async () => {
    const host = await world.person("host", { locale: "fr-FR" });
    const zoe = await world.person("zoe");
    try {
      await host.signUp("Hélène Hôte");
      const { room } = await host.api("POST", "/api/rooms", { name: "Le salon du jeudi" });
      const announcer = host.page.getByTestId("announcer");
      await host.page.goto(`${world.base}/r/${room.token}`);
      await host.page.getByRole("button", { name: "Rejoindre", exact: true }).click();
      await host.page.getByTestId("connection-status").filter({ hasText: "Connecté" }).waitFor({ timeout: 20_000 });
      await announcer.filter({ hasText: "Vous avez rejoint le salon. Personne d'autre n'est encore là." }).waitFor({ state: "attached", timeout: 10_000 });

      await joinAsGuest(zoe.page, `${world.base}/r/${room.token}`, "Zoé Gast");
      await connected(zoe.page);
      await announcer.filter({ hasText: "Zoé Gast a rejoint l'appel" }).waitFor({ state: "attached", timeout: 15_000 });

      await zoe.close();
      await announcer.filter({ hasText: "Zoé Gast a quitté l'appel" }).waitFor({ state: "attached", timeout: 30_000 });
    } catch (err) {
      await onFailure([host, zoe], "i18n-fr", err);
    } finally {
      await host.close();
      await zoe.close();
    }
  });
});
