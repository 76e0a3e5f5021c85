// Every sentence the client shows through t() or plural() has a German and
// a French translation (a missing one would show English).

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

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
