// The call's stage: everyone as tiles, in a grid with pages, or in speaker
// view with one large tile (a screen share, the pinned person, or whoever
// speaks) and a strip of the others.

import { useEffect, useRef, useState } from "preact/hooks";
import type { Participant, TrackSetting } from "../protocol";
import { t } from "../i18n";
import { Tile } from "./Tile";

/** One tile to show: a person's camera or their screen. */
export interface StageItem {
  key: string;
  participant: Participant;
  stream: MediaStream | null;
  self: boolean;
  screen: boolean;
}

export type ViewMode = "grid" | "speaker";

interface Props {
  items: StageItem[];
  view: ViewMode;
  /** The participant id to show large in speaker view. */
  featured: string | null;
  speaking: ReadonlySet<string>;
  reactions: ReadonlyMap<string, { emoji: string; key: number }>;
  /** Told which remote tiles show and how big, whenever that changes. */
  onLayout?: (tracks: TrackSetting[]) => void;
  /** The participant we pinned: shown large, in speaker view, before anyone speaking or sharing. */
  pinned?: string | null;
  /** Pins a participant (null unpins). */
  onPin?: (id: string | null) => void;
}

/**
 * How many tiles fit on one page: as many 16:9 tiles at least 200 pixels
 * wide as the grid holds (49 at most), six on a phone held upright; the
 * speaker view's strip holds a few.
 */
function perPage(view: ViewMode, grid: { w: number; h: number }): number {
  const w = grid.w || window.innerWidth;
  const h = grid.h || window.innerHeight - 160;
  if (view === "speaker") return w < 700 ? 3 : w < 1200 ? 4 : 6;
  if (h > w * 1.1) return h > 600 ? 6 : 4;
  const cols = Math.max(2, Math.floor((w + GAP) / (200 + GAP)));
  const rows = Math.max(2, Math.floor((h + GAP) / (200 * (9 / 16) + GAP)));
  return Math.min(49, cols * rows);
}

/** The size of an element (its content box), kept up to date; pass the setter as the element's ref. */
function useElementSize<T extends HTMLElement>(): [(el: T | null) => void, { w: number; h: number }] {
  const [el, setEl] = useState<T | null>(null);
  const [size, setSize] = useState({ w: 0, h: 0 });
  useEffect(() => {
    if (!el || typeof ResizeObserver === "undefined") return;
    const ro = new ResizeObserver((entries) => {
      const r = entries[0]?.contentRect;
      if (r) setSize({ w: Math.floor(r.width), h: Math.floor(r.height) });
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [el]);
  return [setEl, size];
}

const GAP = 8;

/**
 * The tile size that shows n tiles as large as possible in a w×h area:
 * 16:9 tiles in landscape; in a portrait area (a phone) the tiles fill one
 * or two columns.
 */
export function tileSize(n: number, w: number, h: number): { tw: number; th: number } {
  if (n === 0 || w <= 0 || h <= 0) return { tw: 0, th: 0 };
  if (h > w * 1.1) {
    const cols = n <= 3 ? 1 : 2;
    const rows = Math.ceil(n / cols);
    return { tw: Math.floor((w - GAP * (cols - 1)) / cols), th: Math.floor((h - GAP * (rows - 1)) / rows) };
  }
  const aspect = 16 / 9;
  let best = { tw: 0, th: 0 };
  for (let cols = 1; cols <= n; cols++) {
    const rows = Math.ceil(n / cols);
    const cellW = (w - GAP * (cols - 1)) / cols;
    const cellH = (h - GAP * (rows - 1)) / rows;
    const tw = Math.min(cellW, cellH * aspect);
    if (tw > best.tw) best = { tw: Math.floor(tw), th: Math.floor(tw / aspect) };
  }
  return best;
}

/**
 * Pinning moves the tile to another part of the stage, where it is a new
 * element: the Pin button that was pressed keeps focus there.
 */
function usePinRefocus(pinned: string | null): (id: string) => void {
  const pending = useRef<string | null>(null);
  useEffect(() => {
    const id = pending.current;
    pending.current = null;
    if (!id || (document.activeElement && document.activeElement !== document.body)) return;
    document.querySelector<HTMLElement>(`[data-testid="tile"][data-participant-id="${CSS.escape(id)}"] [data-pin]`)?.focus();
  }, [pinned]);
  return (id) => {
    pending.current = id;
  };
}

function useWindowSize(): void {
  const [, setSize] = useState(0);
  useEffect(() => {
    const onResize = () => setSize((n) => n + 1);
    window.addEventListener("resize", onResize);
    return () => window.removeEventListener("resize", onResize);
  }, []);
}

export function Stage({ items, view: chosen, featured, speaking, reactions, onLayout, pinned = null, onPin }: Props) {
  useWindowSize();
  const [gridRef, gridSize] = useElementSize<HTMLDivElement>();
  const [featuredRef, featuredSize] = useElementSize<HTMLDivElement>();
  const pinnedItem = pinned ? items.find((i) => !i.self && !i.screen && i.participant.id === pinned) : undefined;
  // A pinned person or a screen share is shown large, as in other meeting apps.
  const view: ViewMode = pinnedItem || items.some((i) => i.screen) ? "speaker" : chosen;
  const [page, setPage] = useState(0);
  const refocusPin = usePinRefocus(pinned);

  const bigItem =
    view === "speaker"
      ? (pinnedItem ?? items.find((i) => i.screen && !i.self) ?? items.find((i) => i.screen) ?? items.find((i) => i.key === featured) ?? items.find((i) => !i.self) ?? items[0])
      : undefined;
  const rest = bigItem ? items.filter((i) => i !== bigItem) : items;
  const size = perPage(view, gridSize);
  const pages = Math.max(1, Math.ceil(rest.length / size));
  const current = Math.min(page, pages - 1);
  const shown = rest.slice(current * size, current * size + size);
  const selfItem = items.find((i) => i.self);
  const otherItem = items.find((i) => !i.self);
  const pair = view === "grid" && items.length === 2 && !!selfItem && !!otherItem && !otherItem.screen;
  const grid = tileSize(shown.length, gridSize.w, gridSize.h);

  // What the server should send: the big tile large, the visible ones at
  // their size, nothing for tiles on other pages.
  const dpr = Math.min(2, window.devicePixelRatio || 1);
  const layout: TrackSetting[] = [];
  for (const i of items) {
    if (i.self) continue;
    const big = pair ? i === otherItem : i === bigItem;
    const visible = big || shown.includes(i);
    let w = 0;
    let h = 0;
    if (big) [w, h] = [featuredSize.w, featuredSize.h];
    else if (visible && view === "grid") [w, h] = [grid.tw, grid.th];
    else if (visible) [w, h] = [200, 112];
    const key = i.screen ? { trackId: i.stream?.getVideoTracks()[0]?.id ?? i.key } : { participant: i.participant.id };
    layout.push({ ...key, visible, width: Math.round(w * dpr), height: Math.round(h * dpr) });
  }
  const layoutKey = JSON.stringify(layout);
  useEffect(() => onLayout?.(layout), [layoutKey]);

  const tile = (i: StageItem, large = false, style?: Record<string, string>) => (
    <Tile
      style={style}
      key={i.key}
      participant={i.participant}
      stream={i.stream}
      self={i.self}
      screen={i.screen}
      large={large}
      speaking={!i.screen && speaking.has(i.participant.id)}
      reaction={i.screen ? undefined : reactions.get(i.participant.id)}
      pinned={i === pinnedItem}
      onPin={
        onPin && !i.self && !i.screen
          ? () => {
              refocusPin(i.participant.id);
              onPin(i === pinnedItem ? null : i.participant.id);
            }
          : undefined
      }
    />
  );

  const pager = pages > 1 && (
    <nav class="pager" aria-label={t("Pages")}>
      <button type="button" class="small" disabled={current === 0} onClick={() => setPage(current - 1)}>
        {t("Previous page")}
      </button>
      <span aria-live="polite">{t("Page {n} of {m}", { n: current + 1, m: pages })}</span>
      <button type="button" class="small" disabled={current >= pages - 1} onClick={() => setPage(current + 1)}>
        {t("Next page")}
      </button>
    </nav>
  );

  // Two people: the other one fills the stage, ourselves in a corner, as
  // phone calls and other meeting apps do.
  if (pair && selfItem && otherItem) {
    return (
      <main class="stage pair" aria-label={t("People in the call")}>
        <div class="featured" ref={featuredRef}>
          {tile(otherItem, true)}
        </div>
        <div class="pip">{tile(selfItem)}</div>
      </main>
    );
  }

  if (view === "speaker" && bigItem) {
    return (
      <main class="stage speaker" aria-label={t("People in the call")}>
        <div class="featured" ref={featuredRef}>
          {tile(bigItem, true)}
        </div>
        {rest.length > 0 && <div class="filmstrip">{shown.map((i) => tile(i))}</div>}
        {pager}
      </main>
    );
  }
  const style = grid.tw > 0 ? { width: `${grid.tw}px`, height: `${grid.th}px` } : undefined;
  return (
    <main class="stage">
      <div class="grid" ref={gridRef} data-count={shown.length} aria-label={t("People in the call")} role="group">
        {shown.map((i) => tile(i, false, style))}
      </div>
      {pager}
    </main>
  );
}
