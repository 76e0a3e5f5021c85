import { defineConfig } from "vite";
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";

// The Go server embeds web/dist, so the directory must exist in a fresh
// clone: git keeps it through dist/.gitkeep, which the build empties and
// re-creates here.
const keepDist = {
  name: "rooms-keep-dist",
  closeBundle() {
    writeFileSync(resolve(import.meta.dirname, "dist/.gitkeep"), "");
  },
};

// The Go server (make run) listens on :8080 by default; `npm run dev`
// proxies the API and the signalling socket to it.
const server = process.env.ROOMS_SERVER ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [keepDist],
  // Preact's automatic JSX runtime, without a framework plugin: the
  // transform only needs to know where jsx() comes from.
  oxc: {
    jsx: { runtime: "automatic", importSource: "preact" },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
  },
  server: {
    proxy: {
      "/api": { target: server, ws: true },
      "/healthz": { target: server },
    },
  },
});
