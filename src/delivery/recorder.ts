import type { Logger } from 'pino';
import { endsOrderedDelivery, type DeliveryQueue, type FinishBatching } from '../queue/delivery-queue.js';
import type { AttemptRecord } from '../store/store.js';

// Attempt results are written in batches: one transaction for many attempts is what lets SQLite
// and PostgreSQL keep up with the sender (a single-row commit costs about as much as 5–10 sends).
// A record waits up to `lingerMs` for others to share its batch; until it is written the delivery
// stays leased, so a crash before the write means the attempt is made again (at least once, with
// the same webhook-id). The end of an ordered delivery waits at most ORDERED_LINGER_MS: the next of
// its key waits for it.
//
// Up to `parallel` batches are written at once (PostgreSQL: on different connections, so round
// trips overlap). Their order does not matter: a delivery has at most one result waiting, since its
// next attempt needs a claim, which needs this result committed first.

/**
 * How long the end of an ordered delivery may wait for company: what every result waited before
 * PostgreSQL's longer linger, so a FIFO key moves on no later than it did, and a busy ordered
 * endpoint's results still share batches rather than being written one by one.
 */
const ORDERED_LINGER_MS = 5;

export class AttemptRecorder {
  private buffer: AttemptRecord[] = [];
  private bufferCommitted: { promise: Promise<void>; resolve: () => void } = deferred();
  /** The timer that makes the buffer due, and when it fires (Date.now()). */
  private timer: NodeJS.Timeout | null = null;
  private timerAt = 0;
  /** The buffer's linger is over (or a result in it cannot wait): the next free write slot takes it. */
  private due = false;
  private readonly writes = new Set<Promise<void>>();

  constructor(
    private readonly queue: Pick<DeliveryQueue, 'finish'>,
    private readonly log: Logger,
    private readonly batching: FinishBatching,
  ) {}

  /** Buffers a result; the promise resolves once it is committed. */
  record(record: AttemptRecord): Promise<void> {
    this.buffer.push(record);
    const committed = this.bufferCommitted.promise;
    if (this.buffer.length >= this.batching.full) this.writeNow();
    else this.dueWithin(endsOrderedDelivery(record) ? Math.min(ORDERED_LINGER_MS, this.batching.lingerMs) : this.batching.lingerMs);
    return committed;
  }

  /** Writes everything recorded so far; resolves when it is committed. */
  async flush(): Promise<void> {
    while (this.buffer.length > 0 || this.writes.size > 0) {
      this.writeNow();
      await Promise.race(this.writes);
    }
  }

  /** Makes the buffer due within `ms`, unless its timer fires sooner already. */
  private dueWithin(ms: number): void {
    const at = Date.now() + ms;
    if (this.timer !== null) {
      if (this.timerAt <= at) return;
      clearTimeout(this.timer);
    }
    this.timerAt = at;
    this.timer = setTimeout(() => this.writeNow(), ms);
  }

  /** The buffer is due: written now, or by the first write slot to come free. */
  private writeNow(): void {
    this.clearTimer();
    this.due = true;
    this.startWrite();
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * Writes the buffer if it is due and a slot is free. A write that ends takes the buffer only if
   * it is due: results still within their linger keep gathering (taking whatever arrived during
   * each write would chain writes of a few results each, the very thing the linger is for).
   */
  private startWrite(): void {
    if (!this.due || this.writes.size >= this.batching.parallel) return;
    this.due = false;
    if (this.buffer.length === 0) return;
    // What arrived while every slot was busy may have armed a timer: the next results start their own linger.
    this.clearTimer();
    const batch = this.buffer;
    const committed = this.bufferCommitted;
    this.buffer = [];
    this.bufferCommitted = deferred();
    const write: Promise<void> = this.write(batch).then(() => {
      committed.resolve();
      this.writes.delete(write);
      this.startWrite();
    });
    this.writes.add(write);
  }

  private async write(batch: AttemptRecord[]): Promise<void> {
    for (let tries = 1; ; tries++) {
      try {
        await this.queue.finish(batch);
        return;
      } catch (error) {
        // The database being away must not lose results we hold: keep trying. If the process dies
        // meanwhile, the leases expire and the deliveries are attempted again.
        this.log.error({ err: error, records: batch.length, tries }, 'writing attempt results failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 100 * tries)));
      }
    }
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
