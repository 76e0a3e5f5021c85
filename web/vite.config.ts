import { defineConfig } from "vite";
import { copyFileSync, createReadStream, existsSync, mkdirSync, writeFileSync } from "node:fs";
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

// The background effects run MediaPipe's selfie segmentation in the
// browser: its loader script, WebAssembly and model come from the npm
// package and are served from /mediapipe/ on our own origin, so nothing is
// fetched from anywhere else at run time. Only the SIMD build is shipped
// (every browser we support has WebAssembly SIMD).
const MEDIAPIPE_DIR = resolve(import.meta.dirname, "node_modules/@mediapipe/selfie_segmentation");
const MEDIAPIPE_FILES = [
  "selfie_segmentation.js",
  "selfie_segmentation.binarypb",
  "selfie_segmentation.tflite",
  "selfie_segmentation_landscape.tflite",
  "selfie_segmentation_solution_simd_wasm_bin.js",
  "selfie_segmentation_solution_simd_wasm_bin.wasm",
  "selfie_segmentation_solution_simd_wasm_bin.data",
];
const mediapipe = {
  name: "rooms-mediapipe",
  // Development: serve the files straight from node_modules.
  configureServer(server: { middlewares: { use: (fn: (req: { url?: string }, res: NodeJS.WritableStream & { setHeader: (k: string, v: string) => void }, next: () => void) => void) => void } }) {
    server.middlewares.use((req, res, next) => {
      const name = req.url?.startsWith("/mediapipe/") ? req.url.slice("/mediapipe/".length).split("?")[0] : "";
      if (!name || !MEDIAPIPE_FILES.includes(name)) return next();
      if (name.endsWith(".wasm")) res.setHeader("Content-Type", "application/wasm");
      createReadStream(resolve(MEDIAPIPE_DIR, name)).pipe(res);
    });
  },
  // Build: copy them into dist/mediapipe.
  closeBundle() {
    const out = resolve(import.meta.dirname, "dist/mediapipe");
    mkdirSync(out, { recursive: true });
    for (const f of MEDIAPIPE_FILES) {
      const from = resolve(MEDIAPIPE_DIR, f);
      if (existsSync(from)) copyFileSync(from, resolve(out, f));
    }
  },
};

// The Go server (make run) listens on :8080 by default; `npm run dev`
// proxies the API and the signalling socket to it.
const server = process.env.ROOMS_SERVER ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [keepDist, mediapipe],
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
