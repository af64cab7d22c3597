import { countByAccount } from '../domain/account-key.js';
import { FINAL_DELIVERY_STATUSES, type ClaimedDelivery, type Delivery, type HookEvent } from '../domain/types.js';
import { queuedDeliveries, type AccountLimit, type AttemptRecord, type IngestOutcome, type NewEvent, type QueueStats, type QueueStore } from '../store/store.js';
import { NODE_DEAD_AFTER_MS } from './liveness.js';

// The delivery queue: everything about a delivery's life between ingest and its last attempt.
// Ingest enqueues through it, the worker claims, finishes and releases through it, and neither
// knows the other. The rows live in the database (QueueStore); what this module adds is per node:
//
// - the hand-off: while this node's worker has nothing older of their account waiting, new
//   deliveries are stored already leased to it and handed over at commit, which spares it a claim
//   (a write and a read). Those to an endpoint paused at ingest are stored parked instead (the
//   store reads the pause in the inserting transaction): never handed over only to be given back,
//   and no wake-up, since they are not due before the pause ends;
// - the one wake-up signal: new deliveries queued here, deliveries made due by hand, and on
//   PostgreSQL a NOTIFY from any node all reach the worker through `wake` and nothing else;
// - the node's liveness: its heartbeat, and taking back what dead nodes held (see liveness.ts).

/** A delivery stored already leased to the local consumer, with its event (no need to load it). */
export interface HandedDelivery {
  delivery: ClaimedDelivery;
  event: HookEvent;
  /** When its lease runs out unless renewed. */
  leaseUntil: number;
}

/** The node's worker as the queue sees it. */
export interface QueueConsumer {
  /** The lease owner its claims and hand-offs are stored under. */
  readonly owner: string;
  readonly leaseMs: number;
  /** Takes room for deliveries about to be handed over (how many per account); false when it has not got it (or stops). */
  reserveSlots(counts: Map<string, number>): boolean;
  /** Gives back room taken by reserveSlots that no delivery filled (duplicates, a rolled-back call, a failure). */
  returnSlots(counts: Map<string, number>): void;
  /** Starts deliveries that were committed under its lease. */
  startHandedOver(handed: HandedDelivery[]): void;
  /** New work may be due: look now rather than at the next poll. */
  wake(): void;
}

/** What a claim took, and whether it left nothing due behind. */
export interface Claimed {
  deliveries: ClaimedDelivery[];
  caughtUp: boolean;
}

/** Accounts with due deliveries considered by one claim at most. */
const DUE_ACCOUNTS_PER_CLAIM = 200;
/**
 * Parked deliveries given back per claim to an endpoint whose pause is over, oldest first: a few
 * times the default attempts in flight per endpoint (16), so a receiver that answers 429 again
 * moves a handful of rows per pause rather than its whole backlog, and a healthy one gets a batch
 * at each claim until none is left.
 */
const UNPARK_PER_ENDPOINT = 64;

export interface DeliveryQueue {
  /**
   * Stores events with their deliveries in one transaction (QueueStore.ingestEvents, without a
   * lease: the queue decides whether to hand them over). Resolves once committed.
   */
  enqueue(events: NewEvent[], dedupeSince: number, now: number): Promise<IngestOutcome[]>;
  /** More deliveries of stored events (a replay): queued, and the workers woken. */
  enqueueDeliveries(deliveries: Delivery[]): Promise<void>;
  /**
   * Leases due deliveries to `owner`, fairly between accounts: `limitsFor` is given the accounts
   * (accountKey) with deliveries due, in the order they are served this time (round robin), and
   * says how many of each to take; each account's are taken oldest due first. `caughtUp`: nothing
   * due was left unclaimed.
   */
  claim(owner: string, now: number, leaseUntil: number, limitsFor: (due: string[]) => AccountLimit[]): Promise<Claimed>;
  /** Writes attempts and their deliveries' next state (retry, done), each only under its lease. */
  finish(records: AttemptRecord[]): Promise<void>;
  /** Gives leased deliveries back, due again at `nextAttemptAt`. */
  release(ids: string[], owner: string, nextAttemptAt: number): Promise<void>;
  /**
   * A worker node starts: its heartbeat is written before it takes any lease. On SQLite, where one
   * process serves a file, every other node is a predecessor that died (or was stopped): what it
   * still held is due again at once, not when its heartbeat or its leases run out. Returns how
   * many deliveries were taken back.
   */
  join(owner: string, now: number): Promise<number>;
  /**
   * The node's heartbeat (every HEARTBEAT_EVERY_MS, src/queue/liveness.ts): `owner` is alive at
   * `now`, and the leases it names in `renew` are extended to `leaseUntil` where it still holds
   * them. Returns the ids it still holds.
   */
  beat(owner: string, now: number, renew: string[], leaseUntil: number): Promise<string[]>;
  /**
   * Crash recovery: deliveries whose lease ran out, and those held by nodes whose heartbeat stopped
   * NODE_DEAD_AFTER_MS ago, are due again, and every node's worker is woken. Returns how many.
   * `beatingSince`: since when `owner`'s own beats have all been written. Other nodes are judged
   * only over a stretch it saw whole: after the database was away, every node's heartbeat looks
   * old until each has beaten again, and none is dead for that.
   */
  recoverLeases(owner: string, now: number, beatingSince: number): Promise<number>;
  /** The earliest time a pending delivery is due, so an idle worker knows when to look again. */
  nextDueAt(): Promise<number | null>;
  stats(now: number): Promise<QueueStats>;
  /** Deliveries became due by other means (a manual retry, a recover): wake the workers of every node. */
  announceDue(): void;
  /** Makes `consumer` this node's worker: it gets the hand-off and the wake-ups. Returns the detach. */
  attach(consumer: QueueConsumer): () => void;
  /** How results are batched for `finish` on this database (see AttemptRecorder). */
  readonly finishBatching: FinishBatching;
}

/** The last result of a delivery in a FIFO chain: the next delivery of its key waits for it. */
export function endsOrderedDelivery(record: AttemptRecord): boolean {
  return record.fifoKey != null && FINAL_DELIVERY_STATUSES.includes(record.status);
}

/** How attempt results are gathered into `finish` calls. */
export interface FinishBatching {
  /** Batches written side by side (connections that pay for it). */
  parallel: number;
  /** How long a result may wait for others to share its batch. */
  lingerMs: number;
  /** A batch this large is written at once. */
  full: number;
}

/**
 * PostgreSQL: 4 batches at once (its pool has 10 connections by default), and a result waits up to
 * 20 ms for company. Each batch is one statement that PostgreSQL plans afresh (a custom plan,
 * 0.4 ms on an idle machine, ~0.9 under load) and whose fixed cost outweighs a few rows: at 600
 * attempts a second, results waiting 5 ms, and each ending write taking what had come meanwhile,
 * made batches of ~5, whose planning was a sixth of PostgreSQL's CPU per attempt
 * (docs/performance.md, section 31). 100 results share that cost well, and fill at 5,000 a second
 * in 20 ms: results held by the worker while they wait take its slots (HOOKD_WORKER_CONCURRENCY).
 * The end of an ordered delivery waits 5 ms at most (AttemptRecorder). SQLite writes on the event
 * loop and plans nothing: a short wait keeps each write short.
 */
const FINISH_BATCHING_POSTGRES: FinishBatching = { parallel: 4, lingerMs: 20, full: 100 };
const FINISH_BATCHING_SQLITE: FinishBatching = { parallel: 1, lingerMs: 5, full: 200 };

export class DatabaseQueue implements DeliveryQueue {
  private consumer: QueueConsumer | null = null;
  /**
   * Whose new deliveries may be handed over without overtaking older ones of their account. null:
   * nobody's (something was queued or given back since the consumer's last claim, or that claim
   * could not see every account with work due). A set: the last claim took all that was due of
   * every account but these, which it held to their share (or to the reserve) and left work of in
   * the queue; their new deliveries queue behind it. Per account, so that one account at its share
   * (hanging attempts on every slot it may hold) does not send every other account's new
   * deliveries through a claim — on PostgreSQL four statements each, where a hand-off needs none.
   */
  private behind: ReadonlySet<string> | null = null;
  /** The account (accountKey) the last claim served last: the next one starts after it. */
  private servedUpTo = '';
  readonly finishBatching: FinishBatching;

  constructor(private readonly store: QueueStore) {
    // PostgreSQL writes over several connections, so batches written side by side overlap their
    // round trips; SQLite writes synchronously, one at a time whatever we do.
    this.finishBatching = store.dialect === 'postgres' ? FINISH_BATCHING_POSTGRES : FINISH_BATCHING_SQLITE;
  }

  attach(consumer: QueueConsumer): () => void {
    this.consumer = consumer;
    this.behind = null;
    const unsubscribe = this.store.onNewWork(() => this.wake());
    return () => {
      unsubscribe();
      if (this.consumer === consumer) this.consumer = null;
    };
  }

  async enqueue(events: NewEvent[], dedupeSince: number, now: number): Promise<IngestOutcome[]> {
    const consumer = this.consumer;
    // Ordered deliveries are never handed over (the store stores them pending, perhaps waiting): claimed in their turn.
    const counts = countByAccount(events.flatMap((item) => item.deliveries.filter(isHandable)));
    const handOff = consumer !== null && counts.size > 0 && this.reserve(consumer, counts);
    if (!handOff) {
      const outcomes = await this.store.ingestEvents(events, dedupeSince, now);
      // Parked deliveries are not due: nothing to wake for (the end of their pause wakes the worker).
      if (isStored(outcomes) && events.some((item, i) => queuedDeliveries(item, outcomes[i]!).length > 0)) this.wake();
      return outcomes;
    }
    const lease = { owner: consumer.owner, until: now + consumer.leaseMs };
    let outcomes: IngestOutcome[];
    try {
      outcomes = await this.store.ingestEvents(
        events.map((item) => ({ ...item, lease })),
        dedupeSince,
        now,
      );
    } catch (error) {
      consumer.returnSlots(counts);
      throw error;
    }
    // A call with a conflict was rolled back whole: its other events say `created` but none of
    // them is stored, and none of their deliveries may be started.
    const handed: HandedDelivery[] = [];
    if (isStored(outcomes)) {
      for (const [index, item] of events.entries()) {
        // Those parked (their endpoint is paused) were stored without the lease: their slots go back.
        for (const delivery of queuedDeliveries(item, outcomes[index]!).filter(isHandable)) {
          handed.push({
            delivery: { ...delivery, status: 'sending', singleAttempt: delivery.singleAttempt ?? false },
            event: item.event,
            leaseUntil: lease.until,
          });
        }
      }
    }
    for (const [account, count] of countByAccount(handed.map(({ delivery }) => delivery))) counts.set(account, counts.get(account)! - count);
    consumer.returnSlots(counts);
    if (handed.length > 0) consumer.startHandedOver(handed);
    if (isStored(outcomes) && events.some((item, i) => outcomes[i]?.outcome === 'created' && !item.deliveries.every(isHandable))) this.wake();
    return outcomes;
  }

  async enqueueDeliveries(deliveries: Delivery[]): Promise<void> {
    await this.store.insertDeliveries(deliveries);
    if (deliveries.length > 0) this.wake();
  }

  async claim(owner: string, now: number, leaseUntil: number, limitsFor: (due: string[]) => AccountLimit[]): Promise<Claimed> {
    // Parking (src/store/shared/parking.ts): endpoints whose pause is over get a trickle of their
    // parked work back, and the due rows of paused endpoints at the head of each account's queue are
    // parked, so the claim below does not step over them, now or at every claim after.
    await this.store.unparkResumed(now, UNPARK_PER_ENDPOINT);
    const due = await this.store.dueAccounts(now, this.servedUpTo, DUE_ACCOUNTS_PER_CLAIM);
    const limits = limitsFor(due);
    await this.store.parkPausedDue(now, limits);
    const deliveries = limits.length === 0 ? [] : await this.store.claimDueDeliveriesOf(owner, now, limits, leaseUntil);
    // The next claim serves first the accounts after the last one served by this one.
    if (limits.length > 0) this.servedUpTo = limits[limits.length - 1]!.account;
    const taken = countByAccount(deliveries);
    // Caught up when every account with work due was given room for more than it had.
    const caughtUp =
      due.length < DUE_ACCOUNTS_PER_CLAIM &&
      limits.length === due.length &&
      limits.every((entry) => (taken.get(entry.account) ?? 0) < entry.limit);
    if (owner === this.consumer?.owner) {
      const given = new Map(limits.map((entry) => [entry.account, entry.limit]));
      this.behind =
        due.length < DUE_ACCOUNTS_PER_CLAIM ? new Set(due.filter((account) => (taken.get(account) ?? 0) >= (given.get(account) ?? 0))) : null;
    }
    return { deliveries, caughtUp };
  }

  async finish(records: AttemptRecord[]): Promise<void> {
    await this.store.recordAttempts(records);
    // A FIFO chain's delivery ended: the next of its key may be due now (PostgreSQL also tells other nodes).
    if (records.some(endsOrderedDelivery)) this.wake();
  }

  release(ids: string[], owner: string, nextAttemptAt: number): Promise<void> {
    // The consumer gives work back (its lanes are full, or it stops): it is not keeping up, so new
    // deliveries queue until a claim finds it caught up again.
    if (owner === this.consumer?.owner && ids.length > 0) this.behind = null;
    return this.store.releaseDeliveries(ids, owner, nextAttemptAt);
  }

  async join(owner: string, now: number): Promise<number> {
    await this.store.beat(owner, now);
    if (this.store.dialect !== 'sqlite') return 0;
    const released = await this.store.releaseLeasesOfDeadNodes(owner, Number.MAX_SAFE_INTEGER);
    if (released > 0) this.wake();
    return released;
  }

  async beat(owner: string, now: number, renew: string[], leaseUntil: number): Promise<string[]> {
    await this.store.beat(owner, now);
    return this.store.renewLeases(renew, owner, leaseUntil);
  }

  async recoverLeases(owner: string, now: number, beatingSince: number): Promise<number> {
    const deadBefore = now - NODE_DEAD_AFTER_MS;
    let released = await this.store.releaseExpiredLeases(now);
    if (beatingSince <= deadBefore) released += await this.store.releaseLeasesOfDeadNodes(owner, deadBefore);
    if (released > 0) this.announceDue();
    return released;
  }

  async nextDueAt(): Promise<number | null> {
    // Parked work counts from when its endpoint's pause ends (on PostgreSQL the pause is in the
    // endpoints table, so every node wakes then, whichever node paused or resumed it).
    const [due, parked] = await Promise.all([this.store.nextDueAt(), this.store.nextParkedAt()]);
    return due === null || parked === null ? (due ?? parked) : Math.min(due, parked);
  }

  stats(now: number): Promise<QueueStats> {
    return this.store.queueStats(now);
  }

  announceDue(): void {
    this.wake();
    void this.store.announceNewWork();
  }

  /** The one wake-up: deliveries were queued, so until a claim has taken them none is handed over ahead of them. */
  private wake(): void {
    this.behind = null;
    this.consumer?.wake();
  }

  private reserve(consumer: QueueConsumer, counts: Map<string, number>): boolean {
    const behind = this.behind;
    if (behind === null || [...counts.keys()].some((account) => behind.has(account))) return false;
    if (consumer.reserveSlots(counts)) return true;
    // These will be queued, and later ones must not overtake them.
    this.behind = null;
    return false;
  }
}

/** Whether a delivery may be handed to the local worker at ingest: not an ordered one, which may have to wait. */
function isHandable(delivery: Delivery): boolean {
  return delivery.fifoKey == null;
}

/** Whether a call's events were committed: one conflict rolls back the whole call. */
function isStored(outcomes: IngestOutcome[]): boolean {
  return !outcomes.some((outcome) => outcome.outcome === 'conflict');
}
