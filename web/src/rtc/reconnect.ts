// Coming back after the signalling socket drops: first by resuming our
// place in the call, then by joining again, unless the REST API says that
// trying again is no use.

import { ApiError, getDropInRoom, getMe, getRoom } from "../api";

/** Reconnect delays after a dropped socket: about half a minute in all. */
export const RETRY_DELAYS_MS = [300, 1000, 2000, 3000, 5000, 5000, 5000, 5000];

/**
 * Resume attempts after the socket drops in a call, all within the six
 * seconds the server keeps our place (docs/protocol.md, "Reconnecting").
 */
export const RESUME_DELAYS_MS = [100, 500, 1000, 2000, 2000];

/** Tries spaced by a list of delays, one waiting at a time, until the list runs out. */
export class Backoff {
  private readonly delaysMs: readonly number[];
  private tries = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private waiting: (() => void) | null = null;

  constructor(delaysMs: readonly number[]) {
    this.delaysMs = delaysMs;
  }

  /** Whether schedule would run another try. */
  hasTriesLeft(): boolean {
    return this.delaysMs[this.tries] !== undefined;
  }

  /** Runs fn after the next delay; answers false, doing nothing, when the tries ran out. */
  schedule(fn: () => void): boolean {
    const delay = this.delaysMs[this.tries];
    if (delay === undefined) return false;
    this.tries++;
    this.waiting = fn;
    this.timer = setTimeout(() => this.fire(), delay);
    return true;
  }

  /** Makes the waiting try now rather than later (the network came back, say). */
  hurry(): void {
    if (this.timer === null) return;
    clearTimeout(this.timer);
    this.fire();
  }

  /** Forgets the waiting try, if any; the tries made still count. */
  cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.waiting = null;
  }

  /** Gives back every try, after one succeeded. */
  reset(): void {
    this.tries = 0;
  }

  private fire(): void {
    const fn = this.waiting;
    this.timer = null;
    this.waiting = null;
    fn?.();
  }
}

/**
 * Asks the REST API whether the room or our session is gone for good:
 * answers why in plain words, or null when another try may work.
 */
export async function whyRefused(token: string, dropInId: string | null): Promise<string | null> {
  try {
    if (dropInId) {
      await getDropInRoom(dropInId);
      return null;
    }
    const room = await getRoom(token);
    const me = await getMe();
    if (!me.user && me.guest?.roomId !== room.id) {
      return "Your session has ended. Please join the room again.";
    }
    return null;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return "This room doesn't exist";
    if (err instanceof ApiError && err.status === 410) return "This room has ended";
    return null; // the network or the server: worth another try
  }
}
