// When the worker takes new work: its slots, and what ends its idle wait. A pure state machine —
// no timers, no I/O — that the worker feeds with what happened (a claim returned, a delivery's
// result was committed, a wake-up came) and asks what to do next. Table tests drive it
// (admission.test.ts); the worker's claim loop is the imperative shell around it.
//
// A slot is held from the moment a delivery is claimed or handed over until its result is
// committed (or it is given back), so that results waiting to be written are bounded like
// attempts in flight.

/** Deliveries claimed at once at most, so that one claim stays one short statement. */
export const CLAIM_BATCH = 200;

/**
 * What the idle loop waits for: new work (it has free slots and nothing was due); new work or a
 * quarter of its slots freed since it last claimed (lanes were full: claiming again at once would
 * hand the new ones back too, and claiming at every completion would make many tiny claims); or
 * a quarter of its slots free (every slot is taken; then new work cannot be started anyway).
 */
export type WakeOn = 'newWork' | 'slotsFreed' | 'freeSlots';

/** What a claim's result means for the loop: claim again at once, or wait (and for what). */
export type AfterClaim = 'claimMore' | 'caughtUp' | 'lanesFull';

export class Admission {
  private held = 0;
  /** What ends the current idle wait early, or null while the loop is not waiting. */
  private waitingFor: WakeOn | null = null;
  /** Slots freed since the loop began its idle wait. */
  private freedSinceWait = 0;
  /** A wake-up came since the last claim began: waiting for new work would miss it. */
  private wakeRequested = false;

  constructor(readonly concurrency: number) {}

  /** Deliveries held: waiting in a lane, in flight, or with their result being written. */
  get load(): number {
    return this.held;
  }

  /** How many to claim now (0: every slot is taken, wait for free ones). */
  claimLimit(): number {
    return Math.max(0, Math.min(this.concurrency - this.held, CLAIM_BATCH));
  }

  /** A claim is about to be made: wake-ups from before it are answered by it. */
  claiming(): void {
    this.wakeRequested = false;
  }

  /** A claim of up to `limit` returned `count` deliveries, now held. */
  claimed(count: number, limit: number): AfterClaim {
    this.held += count;
    return count === limit ? 'claimMore' : 'caughtUp';
  }

  /** Room for `count` deliveries handed over at ingest; false when the slots are not free. */
  reserve(count: number): boolean {
    if (this.held + count > this.concurrency) return false;
    this.held += count;
    return true;
  }

  /** Deliveries given back to the queue (full lanes, shutdown) free their slots without waking the loop. */
  handedBack(count: number): void {
    this.held -= count;
  }

  /**
   * A delivery's result is committed (or its slot was never used): its slot is free. Returns
   * whether to end the idle wait — once a quarter of the slots is free again, so that the loop
   * claims in batches rather than one delivery at a time.
   */
  released(): boolean {
    this.held -= 1;
    this.freedSinceWait += 1;
    const quarter = Math.max(1, this.concurrency / 4);
    return (
      (this.waitingFor === 'slotsFreed' && this.freedSinceWait >= quarter) ||
      (this.waitingFor === 'freeSlots' && this.concurrency - this.held >= quarter)
    );
  }

  /** New work may be due. Returns whether to end the idle wait now (not while every slot is taken). */
  wake(running: boolean): boolean {
    this.wakeRequested = true;
    return this.waitingFor !== 'freeSlots' || !running;
  }

  /** What the loop waits for after an iteration that ended with `afterClaim` (null: no claim, every slot taken). */
  waitFor(afterClaim: AfterClaim | null): WakeOn {
    if (afterClaim === null) return 'freeSlots';
    return afterClaim === 'lanesFull' ? 'slotsFreed' : 'newWork';
  }

  /** The loop would wait for `wakeOn`; false when it must not (stopping, or a wake-up it would miss). */
  startWaiting(wakeOn: WakeOn, running: boolean): boolean {
    if (!running || (wakeOn !== 'freeSlots' && this.wakeRequested)) return false;
    this.waitingFor = wakeOn;
    this.freedSinceWait = 0;
    return true;
  }

  stopWaiting(): void {
    this.waitingFor = null;
  }
}
