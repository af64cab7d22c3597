import type { Logger } from 'pino';
import type { AttemptRecord, Store } from '../store/store.js';

// Attempt results are written in batches: one transaction for many attempts is what lets SQLite
// and PostgreSQL keep up with the sender (a single-row commit costs about as much as 5–10 sends).
// A record waits at most `maxDelayMs`; until it is written the delivery stays leased, so a crash
// before the flush means the attempt is made again (at least once, with the same webhook-id).

export class AttemptRecorder {
  private buffer: AttemptRecord[] = [];
  private bufferCommitted: { promise: Promise<void>; resolve: () => void } = deferred();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly maxBatch = 200,
    private readonly maxDelayMs = 5,
  ) {}

  /** Buffers a result; the promise resolves once it is committed. */
  record(record: AttemptRecord): Promise<void> {
    this.buffer.push(record);
    const committed = this.bufferCommitted.promise;
    if (this.buffer.length >= this.maxBatch) {
      void this.flush();
    } else {
      this.timer ??= setTimeout(() => void this.flush(), this.maxDelayMs);
    }
    return committed;
  }

  /** Writes everything recorded so far; resolves when it is committed. */
  flush(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.buffer;
    const committed = this.bufferCommitted;
    this.buffer = [];
    this.bufferCommitted = deferred();
    // Flushes are chained so that two batches for the same delivery commit in order.
    this.flushing = this.flushing.then(async () => {
      if (batch.length > 0) await this.write(batch);
      committed.resolve();
    });
    return this.flushing;
  }

  private async write(batch: AttemptRecord[]): Promise<void> {
    for (let tries = 1; ; tries++) {
      try {
        await this.store.recordAttempts(batch);
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
