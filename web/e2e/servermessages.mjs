// The sentences the server can send to a person, read from the Go source:
// what the i18n test checks has a German and a French translation. Go
// formats ("Try %d and %d") are answered as client templates ("Try {} and
// {}") that t() matches by pattern (src/i18n/patterns.ts).

import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";

const INTERNAL = resolve(import.meta.dirname, "../../internal");

const STR = String.raw`("(?:[^"\\\n]|\\.)*"|` + "`[^`]*`)";

/**
 * The ways the Go code makes a message for a person; each regex's first
 * group is a string literal. A new way of making one belongs here.
 */
const MESSAGE_PATTERNS = [
  // rooms.Errorf(rooms.ECODE, "…", …) and Errorf(ECODE, "…") inside rooms.
  new RegExp(String.raw`\bErrorf\(\s*(?:rooms\.)?E[A-Z]+,\s*` + STR, "g"),
  // badMessage("…"), outOfOrder("…") in signal.
  new RegExp(String.raw`\b(?:badMessage|outOfOrder)\(\s*` + STR, "g"),
  // &protocolError{code, "…"} in signal.
  new RegExp(String.raw`&protocolError\{\s*\w+,\s*` + STR, "g"),
  // errorMsg{…, Message: "…"} and noticeMsg{…, Message: "…"} in signal.
  new RegExp(String.raw`\bMessage:\s*` + STR, "g"),
  // Messages handed on whole: DisconnectUser(u, "…"), visiblePerson(…, "…"),
  // groupAsAdmin(w, r, "…").
  new RegExp(String.raw`\b(?:DisconnectUser|visiblePerson|groupAsAdmin)\([^()"]*,\s*` + STR + String.raw`\s*\)`, "g"),
  // rooms.ErrorMessage's words for internal errors.
  new RegExp(String.raw`\breturn\s+("Something went wrong[^"]*")`, "g"),
];

/**
 * Words the server puts into its messages' %s: what a text field is
 * (CleanText), what needs an account ("Sign in to %s."), who a room is
 * open to (audienceName). t() translates them on their own.
 */
const FRAGMENT_PATTERNS = [
  new RegExp(String.raw`\bCleanText\([^,()]+(?:\([^()]*\))?,\s*` + STR, "g"),
  new RegExp(String.raw`\b(?:accountOnly|signedIn)\(w, r, ` + STR + String.raw`\)`, "g"),
  new RegExp(String.raw`\breturn\s+("the (?:group|event|host)'s [a-z]+")`, "g"),
];

function goFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return goFiles(p);
    return name.endsWith(".go") && !name.endsWith("_test.go") ? [p] : [];
  });
}

function literal(s) {
  return s.startsWith("`") ? s.slice(1, -1) : JSON.parse(s);
}

function collect(patterns) {
  const found = new Map();
  for (const f of goFiles(INTERNAL)) {
    const src = readFileSync(f, "utf8");
    for (const re of patterns) {
      for (const m of src.matchAll(re)) {
        const text = literal(m[1]);
        const line = src.slice(0, m.index).split("\n").length;
        // "%s" alone passes on a message made elsewhere (and found there).
        if (text && text !== "%s" && !found.has(text)) found.set(text, `${relative(INTERNAL, f)}:${line}`);
      }
    }
  }
  return found;
}

/** Every message the server can send: sentence → where it is made. */
export function serverMessages() {
  return collect(MESSAGE_PATTERNS);
}

/** Every word the server fills into a message's %s. */
export function serverFragments() {
  return collect(FRAGMENT_PATTERNS);
}

/** A Go format or a client template, with every placeholder as "{}". */
export function shape(text) {
  return text.replace(/%[-+# 0]*\d*(?:\.\d+)?[sdvqf]/g, "{}").replace(/\{\w+\}/g, "{}");
}
