// One queue per destination (an endpoint, or a callback URL's origin): at most `slots` attempts in
// flight, and a waiting line sized by how the destination answers compared with the others.
//
// A destination that answers about as fast as the rest may hold many claimed deliveries: handing
// them back to the database would only cost writes and delay them. One that is much slower than
// the rest, or hangs, would hold worker slots that healthy endpoints need, so it keeps only what
// it can start within WAITING_BUDGET_MS; the rest goes back to the queue, due again when the lane
// could have reached it.
//
// Durations are measured inside this process, so a busy event loop makes every destination look
// slower at once; that is why "slow" is relative to the typical attempt, plus an absolute bound
// for attempts that have not answered at all.

/** How long a claimed delivery of a slow destination may wait in its lane for its turn. */
export const WAITING_BUDGET_MS = 200;
/** An attempt in flight this long means the destination hangs, whatever the others do. */
const STUCK_MS = 1000;
/** Slower than this many times the typical attempt (and than SLOW_FLOOR_MS) is slow. */
const SLOW_FACTOR = 4;
const SLOW_FLOOR_MS = 50;
/** A delivery handed back is due again no sooner than this (no hot claim/release loop)… */
const MIN_HAND_BACK_MS = 1000;
/** …and no later than this, so that a destination that recovers is soon back at full speed. */
const MAX_HAND_BACK_MS = 60_000;
/** Weight of the newest attempt in a moving average of durations. */
const SMOOTHING = 0.2;

/** A moving average of attempt durations in milliseconds; null before the first. */
export class Pace {
  averageMs: number | null = null;

  add(durationMs: number): void {
    this.averageMs = this.averageMs === null ? durationMs : this.averageMs + SMOOTHING * (durationMs - this.averageMs);
  }
}

export class Lane<T> {
  /** When `slots` was last set by an answer (wall-clock ms): endpoint rows read before it are stale. */
  slotsSetAt = 0;

  private readonly startedAt = new Set<{ at: number }>();
  private readonly pace = new Pace();
  /** Where the lane's hand-back schedule has reached (performance.now() ms). */
  private handBackUntil = 0;
  /** When an attempt last started or finished (performance.now() ms). */
  private lastActiveAt: number;
  readonly waiting: T[] = [];
  /** The destination is paused until then (wall-clock ms, set by the worker): nothing starts before. */
  pausedUntil = 0;
  /** When it was paused (wall-clock ms, after the pause was stored): endpoint rows read later are the truth. */
  pausedAt = 0;

  constructor(
    /** Attempts in flight at once; lowered and raised again for a receiver that asks for less (AIMD). */
    public slots: number,
    /** A monotonic clock in milliseconds (injected by tests). */
    private readonly now: () => number = () => performance.now(),
  ) {
    this.lastActiveAt = now();
  }

  get hasFreeSlot(): boolean {
    return this.startedAt.size < this.slots;
  }

  /** Nothing in flight or waiting for `ms`: the lane (and what it learnt) may be forgotten. */
  idleFor(ms: number): boolean {
    return this.startedAt.size === 0 && this.waiting.length === 0 && this.now() - this.lastActiveAt >= ms;
  }

  /** Marks an attempt as started; call the function returned with its duration when it has finished. */
  start(): (durationMs: number) => void {
    const token = { at: this.now() };
    this.startedAt.add(token);
    this.lastActiveAt = token.at;
    return (durationMs) => {
      this.startedAt.delete(token);
      this.pace.add(durationMs);
      this.lastActiveAt = this.now();
    };
  }

  /** How long the oldest attempt in flight has been running. */
  private runningMs(now: number): number {
    let oldest = now;
    for (const token of this.startedAt) oldest = Math.min(oldest, token.at);
    return now - oldest;
  }

  /** How many deliveries may wait here, at most `limit`, when attempts typically take `typical` ms. */
  waitingRoom(limit: number, typical: Pace): number {
    const running = this.runningMs(this.now());
    const average = this.pace.averageMs;
    if (running < STUCK_MS) {
      // Unknown yet: as many as may be in flight, until the first answers tell how fast it is.
      if (average === null) return Math.min(limit, this.slots);
      if (average <= Math.max(SLOW_FLOOR_MS, SLOW_FACTOR * (typical.averageMs ?? average))) return limit;
    }
    const pace = Math.max(average ?? 0, running, 1);
    return Math.min(limit, Math.floor(WAITING_BUDGET_MS / pace) * this.slots);
  }

  /**
   * `count` deliveries found the lane full and are handed back: after how long should they be due
   * again? When the deliveries handed back before them could have been attempted at the lane's pace.
   */
  handBackDelayMs(count: number): number {
    const now = this.now();
    const from = Math.max(this.handBackUntil, now + MIN_HAND_BACK_MS);
    const pace = Math.max(this.pace.averageMs ?? 0, this.runningMs(now));
    this.handBackUntil = Math.min(now + MAX_HAND_BACK_MS, from + (count * pace) / this.slots);
    return Math.round(Math.min(from, now + MAX_HAND_BACK_MS) - now);
  }
}
