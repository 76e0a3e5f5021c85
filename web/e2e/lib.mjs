// Shared setup of the browser tests: the real server binary (../bin/rooms,
// built by `make build`, or ROOMS_BIN) on free ports with a temporary data
// directory, and Debian's Chromium with a fake camera and microphone. Each
// test file starts one server and one browser and shares them among its
// tests; each person is a browser context of their own (their own cookies).

import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createServer, connect } from "node:net";
import { createSocket } from "node:dgram";
import { chromium } from "playwright-core";

export const WEB = resolve(import.meta.dirname, "..");
export const BINARY = process.env.ROOMS_BIN ? resolve(process.env.ROOMS_BIN) : resolve(WEB, "../bin/rooms");
export const RESULTS = join(WEB, "test-results");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--use-fake-device-for-media-stream",
  "--use-fake-ui-for-media-stream",
  "--autoplay-policy=no-user-gesture-required",
];

/**
 * Debian's Chromium for pages of the server at base. executablePath may
 * be a wrapper (one that starts Chromium in a network namespace). Camera
 * and microphone need a secure origin: loopback is one; another address
 * is treated as one here.
 */
export function launchChromium(base, executablePath = CHROMIUM) {
  const args = [...CHROMIUM_ARGS];
  if (!new URL(base).hostname.startsWith("127.")) args.push(`--unsafely-treat-insecure-origin-as-secure=${base}`);
  return chromium.launch({ executablePath, args, headless: true });
}

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls fn until it answers something truthy, or fails with what it last saw. */
export async function until(what, fn, timeoutMs = 20_000, everyMs = 200) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}; last saw ${JSON.stringify(last)}`);
    await sleep(everyMs);
  }
}

/** A TCP port nobody listens on right now. */
function freeTcpPort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/** A UDP port nobody is bound to right now (the media port is UDP). */
function freeUdpPort() {
  return new Promise((ok, fail) => {
    const s = createSocket("udp4");
    s.once("error", fail);
    s.bind(0, () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/**
 * One test file's world: a server and a browser. Call start() in before()
 * and stop() in after().
 */
export class World {
  /**
   * extraArgs are more server flags, such as ["-capacity", "2"]; host is
   * the address the server listens on (a test's own network namespace
   * may give it another than loopback).
   */
  constructor(name, { extraArgs = [], host = "127.0.0.1" } = {}) {
    this.name = name;
    this.extraArgs = extraArgs;
    this.host = host;
    this.log = "";
    this.server = null;
    this.browser = null;
    this.base = "";
    this.dataDir = "";
    this.contexts = new Set();
  }

  async start() {
    mkdirSync(RESULTS, { recursive: true });
    assert.ok(existsSync(BINARY), `${BINARY} is missing: run 'make build' from the repository root first`);
    this.port = await freeTcpPort();
    this.mediaPort = await freeUdpPort();
    // ICE over TCP, the fallback where UDP is blocked, has its own port.
    this.mediaTcpPort = await freeTcpPort();
    this.dataDir = mkdtempSync(join(tmpdir(), "rooms-e2e-"));
    this.base = `http://${this.host}:${this.port}`;
    await this.startServer();
    this.browser = await launchChromium(this.base);
  }

  async startServer() {
    // Every person of a test comes from 127.0.0.1: without the exemption
    // the sign-up and guest limits per address would refuse the later ones.
    const args = ["-addr", `${this.host}:${this.port}`, "-data", this.dataDir, "-media-port", String(this.mediaPort), "-media-tcp-port", String(this.mediaTcpPort), "-rate-limit-exempt", "127.0.0.1/32", ...this.extraArgs];
    this.server = spawn(BINARY, args, {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const keep = (chunk) => {
      this.log += chunk;
      if (this.log.length > 200_000) this.log = this.log.slice(-100_000);
    };
    this.server.stdout.on("data", keep);
    this.server.stderr.on("data", keep);
    let exited = null;
    this.server.once("exit", (code, signal) => (exited = { code, signal }));
    await until(
      "GET /healthz to answer 200",
      async () => {
        if (exited) assert.fail(`the server exited (${JSON.stringify(exited)}) before it was ready:\n${this.log}`);
        try {
          return (await fetch(`${this.base}/healthz`)).status === 200;
        } catch {
          return false;
        }
      },
      30_000,
      100,
    );
  }

  async stopServer() {
    const server = this.server;
    if (!server || server.exitCode !== null) return;
    const exited = new Promise((r) => server.once("exit", r));
    server.kill("SIGTERM");
    const timer = setTimeout(() => server.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  }

  /** Makes an account a moderator with the operator command (the server is restarted around it). */
  async grantModerator(email) {
    await this.stopServer();
    // Go flags come before the arguments: -data DIR, then the email.
    execFileSync(BINARY, ["admin", "grant-moderator", "-data", this.dataDir, email], { stdio: "pipe" });
    await this.startServer();
  }

  async stop() {
    for (const c of this.contexts) await c.close().catch(() => {});
    await this.browser?.close().catch(() => {});
    writeFileSync(join(RESULTS, `server-${this.name}.log`), this.log);
    await this.stopServer();
    if (this.dataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }

  /**
   * A person: a page in its own browser context. With refuseDevices, the
   * page is refused camera and microphone as when a person clicks "Block";
   * browser is another Chromium than the world's (one in its own network).
   */
  async person(label, { refuseDevices = false, viewport = DESKTOP, locale = "en-US", browser = this.browser } = {}) {
    const context = await browser.newContext({ viewport, locale });
    this.contexts.add(context);
    if (refuseDevices) {
      await context.addInitScript(() => {
        navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException("Permission denied", "NotAllowedError"));
      });
    }
    const page = await context.newPage();
    page.on("console", (m) => {
      // The browser logs every 404 it is answered, expected or not.
      if (m.text().startsWith("Failed to load resource")) return;
      if (m.type() === "error" || m.type() === "warning") console.log(`[${label} console.${m.type()}] ${m.text()}`);
    });
    page.on("pageerror", (e) => console.log(`[${label} pageerror] ${e.message}`));
    const world = this;
    return {
      label,
      context,
      page,
      user: null,
      /** Signs up through the API (fast); the context's cookies are the session. */
      async signUp(displayName) {
        const email = `${displayName.replace(/\W+/g, ".").toLowerCase()}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
        const res = await context.request.post(`${world.base}/api/auth/signup`, {
          data: { displayName, email, password: "correct horse battery staple" },
        });
        assert.equal(res.status(), 201, `sign up ${displayName}: ${await res.text()}`);
        this.user = (await res.json()).user;
        return this.user;
      },
      /** A REST call with this person's cookies; answers the parsed body. */
      async api(method, path, data) {
        const res = await context.request.fetch(`${world.base}${path}`, { method, data, headers: { Origin: world.base } });
        const text = await res.text();
        assert.ok(res.ok(), `${method} ${path}: ${res.status()} ${text}`);
        return text ? JSON.parse(text) : null;
      },
      async close() {
        world.contexts.delete(context);
        await context.close().catch(() => {});
      },
    };
  }

  async shot(page, name) {
    await page.screenshot({ path: join(RESULTS, `${name}.png`) });
  }
}

/**
 * A TCP proxy on loopback to the server's HTTP port: pages opened through
 * it reach the API and the signalling socket through it, and cut() drops
 * every connection at once, without a goodbye, as a network switch does.
 * Media does not pass through it (it goes to the media port directly).
 */
export async function tcpProxy(targetPort) {
  const sockets = new Set();
  let blocked = false;
  const server = createServer((client) => {
    if (blocked) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(targetPort, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {});
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return {
    base: `http://127.0.0.1:${server.address().port}`,
    cut() {
      for (const s of sockets) s.resetAndDestroy();
    },
    /** While blocked, new connections are refused (reset) at once. */
    block(on) {
      blocked = on;
    },
    close() {
      this.cut();
      return new Promise((ok) => server.close(ok));
    },
  };
}

export const tiles = (page) => page.locator('[data-testid="tile"]');
export const remoteTiles = (page) => page.locator('[data-testid="tile"]:not([data-self])');
export const connected = (page, timeout = 20_000) =>
  page.getByTestId("connection-status").filter({ hasText: "Connected" }).waitFor({ timeout });

/** Opens a room link and joins as the signed-in account (no name asked). */
export async function joinSignedIn(page, link) {
  await page.goto(link);
  await page.getByRole("button", { name: "Join", exact: true }).click();
}

/** Opens a room link and joins as a guest with a name. */
export async function joinAsGuest(page, link, name) {
  await page.goto(link);
  await page.getByLabel("Your name").fill(name);
  await page.getByRole("button", { name: "Join", exact: true }).click();
}

/** Opens the call's people panel (if it is not open yet). */
export async function openPeople(page) {
  const button = page.getByRole("button", { name: "People", exact: true });
  if ((await button.getAttribute("aria-pressed")) !== "true") await button.click();
  await page.getByRole("heading", { name: "People", exact: true }).waitFor();
}

/** Clicks an entry of the call's "More options" menu. */
export async function moreOption(page, name) {
  await page.getByRole("button", { name: "More options" }).click();
  await page.getByRole("menu", { name: "More options" }).getByRole("menuitem", { name }).click();
}

/** A short description of what has keyboard focus on a page ("body" when nothing has). */
export function focusedElement(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return "body";
    const name = el.getAttribute("aria-label") || el.textContent?.trim() || el.getAttribute("title") || "";
    return `<${el.tagName.toLowerCase()}${el.getAttribute("role") ? ` role=${el.getAttribute("role")}` : ""}> ${name.slice(0, 60)}`;
  });
}

/** Waits until the element a locator finds has keyboard focus; fails saying what has it instead. */
export async function expectFocus(locator, what) {
  const deadline = Date.now() + 5_000;
  for (;;) {
    if (await locator.evaluate((el) => el === document.activeElement).catch(() => false)) return;
    if (Date.now() > deadline) assert.fail(`keyboard focus should be on ${what}, but is on ${await focusedElement(locator.page())}`);
    await sleep(100);
  }
}

/** Whether two bounding boxes overlap. */
export function overlaps(a, b) {
  return !!a && !!b && a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}
