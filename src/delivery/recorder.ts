import type { Logger } from 'pino';
import type { DeliveryQueue } from '../queue/delivery-queue.js';
import type { AttemptRecord } from '../store/store.js';

// Attempt results are written in batches: one transaction for many attempts is what lets SQLite
// and PostgreSQL keep up with the sender (a single-row commit costs about as much as 5–10 sends).
// A record waits at most `maxDelayMs`; until it is written the delivery stays leased, so a crash
// before the write means the attempt is made again (at least once, with the same webhook-id).
//
// Up to `parallelWrites` batches are written at once (PostgreSQL: on different connections, so
// round trips overlap). Their order does not matter: a delivery has at most one result waiting,
// since its next attempt needs a claim, which needs this result committed first.

export class AttemptRecorder {
  private buffer: AttemptRecord[] = [];
  private bufferCommitted: { promise: Promise<void>; resolve: () => void } = deferred();
  private timer: NodeJS.Timeout | null = null;
  private readonly writes = new Set<Promise<void>>();

  constructor(
    private readonly queue: Pick<DeliveryQueue, 'finish'>,
    private readonly log: Logger,
    private readonly parallelWrites = 1,
    private readonly maxBatch = 200,
    private readonly maxDelayMs = 5,
  ) {}

  /** Buffers a result; the promise resolves once it is committed. */
  record(record: AttemptRecord): Promise<void> {
    this.buffer.push(record);
    const committed = this.bufferCommitted.promise;
    if (this.buffer.length >= this.maxBatch) {
      this.startWrite();
    } else {
      this.timer ??= setTimeout(() => this.startWrite(), this.maxDelayMs);
    }
    return committed;
  }

  /** Writes everything recorded so far; resolves when it is committed. */
  async flush(): Promise<void> {
    while (this.buffer.length > 0 || this.writes.size > 0) {
      this.startWrite();
      await Promise.race(this.writes);
    }
  }

  /** Writes the buffer now, unless every write slot is busy: then the first to finish takes it. */
  private startWrite(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.buffer.length === 0 || this.writes.size >= this.parallelWrites) return;
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
