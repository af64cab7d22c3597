// Throttling of failed authentication per client address, in this node's memory: a client guessing
// keys gets FAILURE_LIMIT tries a window, then 429 until the window ends — for every request from
// that address, a correct key included, so a guess that happens to be right cannot be told apart
// from a wrong one while throttled.

export const FAILURE_LIMIT = 20;
export const FAILURE_WINDOW_MS = 60_000;
/** Addresses tracked at once; the oldest is forgotten beyond it, so a flood of addresses cannot exhaust memory. */
export const MAX_TRACKED_ADDRESSES = 10_000;

interface Failures {
  count: number;
  /** When the window opened by the first failure ends. */
  windowEndsAt: number;
}

export class FailedAuthThrottle {
  /** In insertion order: the first entry is the oldest window. */
  private readonly byAddress = new Map<string, Failures>();

  constructor(private readonly maxTracked = MAX_TRACKED_ADDRESSES) {}

  /** Null when the address may try; otherwise the seconds until its window ends. */
  waitSeconds(address: string, now: number): number | null {
    const failures = this.current(address, now);
    if (failures === null || failures.count < FAILURE_LIMIT) return null;
    return Math.max(1, Math.ceil((failures.windowEndsAt - now) / 1000));
  }

  noteFailure(address: string, now: number): void {
    const failures = this.current(address, now);
    if (failures !== null) {
      failures.count++;
      return;
    }
    if (this.byAddress.size >= this.maxTracked) this.byAddress.delete(this.byAddress.keys().next().value!);
    this.byAddress.set(address, { count: 1, windowEndsAt: now + FAILURE_WINDOW_MS });
  }

  get trackedAddresses(): number {
    return this.byAddress.size;
  }

  /** The address's open window, or null (an ended window is dropped). */
  private current(address: string, now: number): Failures | null {
    const failures = this.byAddress.get(address);
    if (failures === undefined) return null;
    if (failures.windowEndsAt <= now) {
      this.byAddress.delete(address);
      return null;
    }
    return failures;
  }
}
