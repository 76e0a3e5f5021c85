// Background effects, computed in the browser: the camera's frames go
// through MediaPipe's selfie segmentation (shipped with the app under
// /mediapipe/, nothing fetched elsewhere) and are drawn on a canvas with
// the background blurred or replaced; a few fun effects are plain canvas
// filters. The canvas's stream is what others see.

import { t } from "../i18n";

export type EffectId = "none" | "blur" | "blur-strong" | "beach" | "space" | "sunset" | "vintage" | "comic" | "party";

export interface Effect {
  id: EffectId;
  label: string;
  /** Needs the segmentation model (the background is told from the person). */
  segment: boolean;
  /** A CSS background for the picker's swatch. */
  swatch: string;
}

export const EFFECTS: Effect[] = [
  { id: "none", label: "No effect", segment: false, swatch: "linear-gradient(135deg,#4a5563,#2a2f36)" },
  { id: "blur", label: "Slight blur", segment: true, swatch: "radial-gradient(circle,#9aa7b8,#5b6572)" },
  { id: "blur-strong", label: "Blur", segment: true, swatch: "radial-gradient(circle,#c3ccd6,#7b8591)" },
  { id: "beach", label: "Beach", segment: true, swatch: "linear-gradient(#7cc6f2 0 55%,#2f8fc9 55% 70%,#f1d9a0 70%)" },
  { id: "space", label: "Space", segment: true, swatch: "radial-gradient(circle at 70% 30%,#6b4fa8 0 12%,#0b1030 13%)" },
  { id: "sunset", label: "Sunset", segment: true, swatch: "linear-gradient(#ff9a5a,#ff5e7e 50%,#3b2a5a 51%)" },
  { id: "vintage", label: "Vintage", segment: false, swatch: "linear-gradient(135deg,#c9a978,#7a5a3a)" },
  { id: "comic", label: "Comic", segment: false, swatch: "linear-gradient(135deg,#ffd400,#ff2d87)" },
  { id: "party", label: "Party", segment: false, swatch: "conic-gradient(#ff4d4d,#ffd24d,#4dff88,#4dc3ff,#b84dff,#ff4d4d)" },
];

// The largest frame we draw: enough for a tile, light enough for the CPU.
const MAX_WIDTH = 960;
const FRAME_MS = 1000 / 24;

interface Segmenter {
  onResults(fn: (r: { image: CanvasImageSource; segmentationMask: CanvasImageSource }) => void): void;
  setOptions(o: { modelSelection?: number; selfieMode?: boolean }): void;
  initialize(): Promise<void>;
  send(i: { image: HTMLVideoElement }): Promise<void>;
  close(): Promise<void>;
}

declare global {
  interface Window {
    SelfieSegmentation?: new (config: { locateFile: (file: string) => string }) => Segmenter;
  }
}

let segmenterPromise: Promise<Segmenter> | null = null;

/** Loads the segmentation model once: MediaPipe's loader script from our own origin. */
function loadSegmenter(): Promise<Segmenter> {
  segmenterPromise ??= new Promise<Segmenter>((resolve, reject) => {
    const ready = async () => {
      try {
        const Ctor = window.SelfieSegmentation;
        if (!Ctor) throw new Error("no SelfieSegmentation");
        const seg = new Ctor({ locateFile: (file) => `/mediapipe/${file}` });
        seg.setOptions({ modelSelection: 1, selfieMode: false });
        await seg.initialize();
        resolve(seg);
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    };
    if (window.SelfieSegmentation) {
      void ready();
      return;
    }
    const script = document.createElement("script");
    script.src = "/mediapipe/selfie_segmentation.js";
    script.async = true;
    script.onload = () => void ready();
    script.onerror = () => reject(new Error("the segmentation script did not load"));
    document.head.appendChild(script);
  }).catch((err: unknown) => {
    segmenterPromise = null;
    throw err;
  });
  return segmenterPromise;
}

/** Draws one of the picture backgrounds, at the canvas's size. */
function paintBackground(id: EffectId, w: number, h: number): HTMLCanvasElement {
  const c = document.createElement("canvas");
  c.width = w;
  c.height = h;
  const g = c.getContext("2d");
  if (!g) return c;
  if (id === "beach") {
    let grad = g.createLinearGradient(0, 0, 0, h * 0.6);
    grad.addColorStop(0, "#5fb4ee");
    grad.addColorStop(1, "#bfe6fb");
    g.fillStyle = grad;
    g.fillRect(0, 0, w, h);
    g.fillStyle = "#fff3b0";
    g.beginPath();
    g.arc(w * 0.8, h * 0.2, h * 0.09, 0, Math.PI * 2);
    g.fill();
    grad = g.createLinearGradient(0, h * 0.55, 0, h * 0.72);
    grad.addColorStop(0, "#1f7fbf");
    grad.addColorStop(1, "#53b6d9");
    g.fillStyle = grad;
    g.fillRect(0, h * 0.55, w, h * 0.17);
    g.fillStyle = "#f1d9a0";
    g.fillRect(0, h * 0.72, w, h * 0.28);
  } else if (id === "space") {
    const grad = g.createRadialGradient(w * 0.5, h * 0.5, 0, w * 0.5, h * 0.5, w * 0.7);
    grad.addColorStop(0, "#1b1f4a");
    grad.addColorStop(1, "#05060f");
    g.fillStyle = grad;
    g.fillRect(0, 0, w, h);
    // Stars from a fixed seed, so the picture does not flicker.
    let seed = 7;
    const rand = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    for (let i = 0; i < 220; i++) {
      g.fillStyle = `rgba(255,255,255,${0.3 + rand() * 0.7})`;
      g.fillRect(rand() * w, rand() * h, 1 + rand() * 1.5, 1 + rand() * 1.5);
    }
    const p = g.createRadialGradient(w * 0.78, h * 0.28, h * 0.02, w * 0.78, h * 0.28, h * 0.16);
    p.addColorStop(0, "#b79cf0");
    p.addColorStop(1, "#4b2f8a");
    g.fillStyle = p;
    g.beginPath();
    g.arc(w * 0.78, h * 0.28, h * 0.14, 0, Math.PI * 2);
    g.fill();
  } else if (id === "sunset") {
    const grad = g.createLinearGradient(0, 0, 0, h);
    grad.addColorStop(0, "#ffb36b");
    grad.addColorStop(0.45, "#ff6f7d");
    grad.addColorStop(1, "#6b3f8f");
    g.fillStyle = grad;
    g.fillRect(0, 0, w, h);
    g.fillStyle = "rgba(255,240,200,0.85)";
    g.beginPath();
    g.arc(w * 0.3, h * 0.55, h * 0.12, 0, Math.PI * 2);
    g.fill();
    g.fillStyle = "#3b2a5a";
    g.beginPath();
    g.moveTo(0, h);
    g.lineTo(0, h * 0.7);
    g.lineTo(w * 0.2, h * 0.55);
    g.lineTo(w * 0.4, h * 0.68);
    g.lineTo(w * 0.65, h * 0.5);
    g.lineTo(w, h * 0.66);
    g.lineTo(w, h);
    g.fill();
  }
  return c;
}

/** A CSS filter for the fun effects; the party one moves with time. */
function funFilter(id: EffectId, now: number): string {
  if (id === "vintage") return "sepia(0.85) contrast(1.1) brightness(1.05)";
  if (id === "comic") return "saturate(2.2) contrast(1.7)";
  if (id === "party") return `hue-rotate(${Math.round((now / 8) % 360)}deg) saturate(1.6)`;
  return "none";
}

/**
 * The effects of one page: at most one camera is processed at a time. The
 * processed track replaces the camera's in the call; the camera itself
 * stays with this object until stop().
 */
export class VideoEffects {
  effect: EffectId = "none";
  /** Plain words when the background effects could not start. */
  problem: string | null = null;
  private camera: MediaStreamTrack | null = null;
  private output: MediaStreamTrack | null = null;
  private video: HTMLVideoElement | null = null;
  private canvas: HTMLCanvasElement | null = null;
  private ctx: CanvasRenderingContext2D | null = null;
  private background: HTMLCanvasElement | null = null;
  private segmenter: Segmenter | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private busy = false;

  /** The camera track being processed, or null when no effect runs. */
  get source(): MediaStreamTrack | null {
    return this.camera;
  }

  /**
   * Applies an effect to a camera track. Answers the track to send (the
   * camera itself for "none"), or throws with plain words.
   */
  async apply(camera: MediaStreamTrack, effect: EffectId): Promise<MediaStreamTrack> {
    const def = EFFECTS.find((e) => e.id === effect);
    if (!def || effect === "none") {
      const raw = this.camera ?? camera;
      this.stopProcessing();
      this.effect = "none";
      return raw;
    }
    if (def.segment) {
      try {
        this.segmenter = await loadSegmenter();
        this.segmenter.onResults((r) => this.drawSegmented(r.image, r.segmentationMask));
        this.problem = null;
      } catch (err) {
        console.warn("rooms: background effects unavailable", err);
        this.problem = t("Backgrounds aren't available in this browser.");
        throw new Error(this.problem);
      }
    }
    if (this.camera !== camera) this.startProcessing(camera);
    this.effect = effect;
    const { width, height } = this.size();
    this.background = paintBackground(effect, width, height);
    return this.output as MediaStreamTrack;
  }

  /** Stops processing; answers the camera track that was processed, if any. */
  stop(): MediaStreamTrack | null {
    const raw = this.camera;
    this.stopProcessing();
    this.effect = "none";
    return raw;
  }

  private size(): { width: number; height: number } {
    const s = this.camera?.getSettings() ?? {};
    const w = s.width ?? 640;
    const h = s.height ?? 360;
    const scale = Math.min(1, MAX_WIDTH / w);
    return { width: Math.round(w * scale), height: Math.round(h * scale) };
  }

  private startProcessing(camera: MediaStreamTrack): void {
    this.stopProcessing();
    this.camera = camera;
    const { width, height } = this.size();
    const video = document.createElement("video");
    video.muted = true;
    video.playsInline = true;
    video.srcObject = new MediaStream([camera]);
    void video.play().catch(() => {});
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    this.video = video;
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    const out = canvas.captureStream(24).getVideoTracks()[0];
    if (!out) throw new Error("no canvas track");
    this.output = out;
    this.timer = setInterval(() => void this.tick(), FRAME_MS);
  }

  private stopProcessing(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.output?.stop();
    this.output = null;
    if (this.video) this.video.srcObject = null;
    this.video = this.canvas = this.ctx = null;
    this.camera = null;
  }

  private async tick(): Promise<void> {
    const { video, ctx, canvas, camera, output } = this;
    if (!video || !ctx || !canvas || !camera || !output || this.busy) return;
    // Camera off in the call (the sent track disabled): let the camera rest too.
    camera.enabled = output.enabled;
    if (!output.enabled || video.readyState < 2) return;
    const def = EFFECTS.find((e) => e.id === this.effect);
    if (def?.segment && this.segmenter) {
      this.busy = true;
      try {
        await this.segmenter.send({ image: video });
      } catch (err) {
        console.warn("rooms: segmentation failed", err);
      } finally {
        this.busy = false;
      }
      return;
    }
    ctx.filter = funFilter(this.effect, performance.now());
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    ctx.filter = "none";
    if (this.effect === "party") this.confetti(ctx, canvas.width, canvas.height);
  }

  private drawSegmented(image: CanvasImageSource, mask: CanvasImageSource): void {
    const { ctx, canvas } = this;
    if (!ctx || !canvas) return;
    const { width: w, height: h } = canvas;
    ctx.save();
    ctx.clearRect(0, 0, w, h);
    // The person: the mask, then the picture where the mask is.
    ctx.filter = "blur(2px)";
    ctx.drawImage(mask, 0, 0, w, h);
    ctx.filter = "none";
    ctx.globalCompositeOperation = "source-in";
    ctx.drawImage(image, 0, 0, w, h);
    // The background, behind.
    ctx.globalCompositeOperation = "destination-over";
    if (this.effect === "blur" || this.effect === "blur-strong") {
      ctx.filter = `blur(${this.effect === "blur" ? 6 : 14}px)`;
      ctx.drawImage(image, 0, 0, w, h);
      ctx.filter = "none";
    } else if (this.background) {
      ctx.drawImage(this.background, 0, 0, w, h);
    }
    ctx.restore();
  }

  private confetti(ctx: CanvasRenderingContext2D, w: number, h: number): void {
    const now = performance.now() / 1000;
    const colors = ["#ff4d4d", "#ffd24d", "#4dff88", "#4dc3ff", "#b84dff"];
    for (let i = 0; i < 40; i++) {
      const x = ((i * 97) % 100) / 100;
      const speed = 0.08 + ((i * 31) % 10) / 60;
      const y = (now * speed + i / 40) % 1;
      ctx.fillStyle = colors[i % colors.length] ?? "#fff";
      ctx.fillRect(x * w, y * h, 6, 10);
    }
  }
}

/** The page's one effects processor. */
export const effects = new VideoEffects();
