// When the worker takes new work: its slots, and what ends its idle wait. A pure state machine —
// no timers, no I/O — that the worker feeds with what happened (a claim returned, a delivery's
// result was committed, a wake-up came) and asks what to do next. Table tests drive it
// (admission.test.ts); the worker's claim loop is the imperative shell around it.
//
// A slot is held from the moment a delivery is claimed or handed over until its result is
// committed (or it is given back), so that results waiting to be written are bounded like
// attempts in flight.
//
// Slots are shared fairly between accounts (provider-level deliveries are one account, ''): each
// account with work — holding slots here, or with deliveries due in the queue — may take its
// share, concurrency / accounts with work. What others leave unused is lent, but never the last
// RESERVE_FRACTION of the slots: a slot held by a hanging attempt cannot be taken back until the
// attempt times out, so without a reserve one account alone could fill every slot and an account
// whose work comes next would wait for those timeouts.

import type { AccountLimit } from '../store/store.js';

/** Deliveries claimed at once at most, so that one claim stays one short statement. */
export const CLAIM_BATCH = 200;

/**
 * What the idle loop waits for: new work (it has free slots and nothing was due); new work or a
 * quarter of its slots freed since it last claimed (lanes were full: claiming again at once would
 * hand the new ones back too, and claiming at every completion would make many tiny claims); or
 * a quarter of its slots free (every slot is taken; then new work cannot be started anyway).
 */
export type WakeOn = 'newWork' | 'slotsFreed' | 'freeSlots';

/**
 * What a claim's result means for the loop: claim again at once, or wait (and for what).
 * `sharesFull`: work is due but its accounts have their share of the slots; like `lanesFull`,
 * claim again once some slots are freed (or new work comes).
 */
export type AfterClaim = 'claimMore' | 'caughtUp' | 'lanesFull' | 'sharesFull';

/** The part of the slots one account never borrows: what an account whose work comes next starts with. */
export const RESERVE_FRACTION = 1 / 8;

export class Admission {
  private held = 0;
  /** Slots held per account (accountKey); accounts holding none are not kept. */
  private readonly heldBy = new Map<string, number>();
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

  /** Slots held by one account's deliveries. */
  heldByAccount(account: string): number {
    return this.heldBy.get(account) ?? 0;
  }

  /**
   * How many deliveries of each account in `due` (accounts with deliveries due, in the order they
   * are served) to take now, `free` at most in all. First each gets what it lacks of its share, then
   * what is left is lent, up to the reserve (see RESERVE_FRACTION). Accounts given 0 are left out.
   */
  accountLimits(due: string[], free = this.claimLimit()): AccountLimit[] {
    const withWork = new Set([...this.heldBy.keys(), ...due]);
    const share = Math.max(1, Math.floor(this.concurrency / Math.max(1, withWork.size)));
    const mostHeld = this.mostHeld();
    const limits = due.map((account) => ({ account, limit: 0 }));
    for (const ceiling of [Math.min(share, mostHeld), mostHeld]) {
      for (const entry of limits) {
        const room = Math.max(0, Math.min(free, ceiling - this.heldByAccount(entry.account) - entry.limit));
        entry.limit += room;
        free -= room;
      }
    }
    return limits.filter((entry) => entry.limit > 0);
  }

  /** A claim is about to be made: wake-ups from before it are answered by it. */
  claiming(): void {
    this.wakeRequested = false;
  }

  /**
   * A claim of up to `limit` returned deliveries of `accounts` (one entry per delivery), now held;
   * `caughtUp`: it left nothing due behind (no account was held to its share).
   */
  claimed(accounts: string[], limit: number, caughtUp = true): AfterClaim {
    for (const account of accounts) this.hold(account, 1);
    if (accounts.length === limit) return 'claimMore';
    return caughtUp ? 'caughtUp' : 'sharesFull';
  }

  /**
   * Room for deliveries handed over at ingest (`count` per account); false when the slots are not
   * free or an account would take more than a claim would give it.
   */
  reserve(counts: Map<string, number>): boolean {
    const limits = new Map(this.accountLimits([...counts.keys()], this.concurrency - this.held).map((entry) => [entry.account, entry.limit]));
    for (const [account, count] of counts) if (count > (limits.get(account) ?? 0)) return false;
    for (const [account, count] of counts) this.hold(account, count);
    return true;
  }

  /** Deliveries given back to the queue (full lanes, shutdown) free their slots without waking the loop. */
  handedBack(account: string, count: number): void {
    this.hold(account, -count);
  }

  private hold(account: string, count: number): void {
    this.held += count;
    const now = this.heldByAccount(account) + count;
    if (now > 0) this.heldBy.set(account, now);
    else this.heldBy.delete(account);
  }

  /**
   * A delivery's result is committed (or its slot was never used): its slot is free. Returns
   * whether to end the idle wait — once a quarter of the slots is free again, so that the loop
   * claims in batches rather than one delivery at a time. While several accounts hold slots, the
   * free ones may be few (the reserve, when one account hangs on the rest) and another account's
   * next delivery must not wait for a quarter of all the slots: a quarter of the reserve is enough.
   */
  released(account: string): boolean {
    const competing = this.heldBy.size > 1;
    this.hold(account, -1);
    this.freedSinceWait += 1;
    const batch = competing ? Math.max(1, Math.floor((this.concurrency * RESERVE_FRACTION) / 4)) : Math.max(1, this.concurrency / 4);
    return (
      (this.waitingFor === 'slotsFreed' && this.freedSinceWait >= batch) ||
      (this.waitingFor === 'freeSlots' && this.concurrency - this.held >= batch)
    );
  }

  /** What one account may hold at most, borrowing: every slot but the reserve (one slot is always lendable). */
  private mostHeld(): number {
    return Math.max(1, this.concurrency - Math.floor(this.concurrency * RESERVE_FRACTION));
  }

  /** New work may be due. Returns whether to end the idle wait now (not while every slot is taken). */
  wake(running: boolean): boolean {
    this.wakeRequested = true;
    return this.waitingFor !== 'freeSlots' || !running;
  }

  /** What the loop waits for after an iteration that ended with `afterClaim` (null: no claim, every slot taken). */
  waitFor(afterClaim: AfterClaim | null): WakeOn {
    if (afterClaim === null) return 'freeSlots';
    return afterClaim === 'lanesFull' || afterClaim === 'sharesFull' ? 'slotsFreed' : 'newWork';
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
