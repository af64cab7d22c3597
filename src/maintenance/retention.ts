import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import type { PurgeCounts, Store } from '../store/store.js';

// HOOKD_RETENTION_DAYS: events, deliveries and attempts older than this are deleted (and the
// endpoint stats rollups of those minutes), and keys that
// expired longer ago than this (portal sessions pile up otherwise), in small
// batches with pauses between them, so that the purge never holds the database long enough to
// slow delivery down. Events with deliveries still to make are kept until those finish.
// On PostgreSQL attempts live in one partition per day instead: each sweep drops the days past
// retention whole and makes sure the days ahead exist, so that inserts always find their partition.

const SWEEP_EVERY_MS = 10 * 60_000;
const BATCH = 500;
const PAUSE_BETWEEN_BATCHES_MS = 20;
/** Attempt partitions made ahead: a week of sweeps that fail or do not run before an insert would miss its day. */
export const ATTEMPT_PARTITION_DAYS_AHEAD = 7;

export class RetentionSweep {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<PurgeCounts> | null = null;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly retentionDays: number,
  ) {}

  start(): void {
    // At once too: a node started after days down must not wait ten minutes for today's partition.
    void this.preparePartitions();
    this.timer = setInterval(() => void this.runOnce().catch((error) => this.log.error({ err: error }, 'retention sweep failed')), SWEEP_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Purges everything past retention, batch by batch; returns the totals. */
  runOnce(): Promise<PurgeCounts> {
    this.running ??= this.purge().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async purge(): Promise<PurgeCounts> {
    const cutoff = this.clock.now() - this.retentionDays * 86_400_000;
    await this.preparePartitions();
    const total: PurgeCounts = { events: 0, deliveries: 0, attempts: await this.dropAttempts(cutoff), operations: 0, keys: 0, rollups: 0 };
    for (;;) {
      const batch = await this.store.purgeBefore(cutoff, BATCH);
      for (const key of Object.keys(total) as Array<keyof PurgeCounts>) total[key] += batch[key];
      if (batch.events < BATCH && batch.operations < BATCH && batch.keys < BATCH && batch.rollups < BATCH) break;
      await new Promise((resolve) => setTimeout(resolve, PAUSE_BETWEEN_BATCHES_MS));
    }
    if (total.events + total.attempts + total.operations + total.keys + total.rollups > 0) this.log.info({ ...total, retentionDays: this.retentionDays }, 'purged old data');
    return total;
  }

  // The partition steps take a short exclusive lock on attempts and may time out waiting for it:
  // logged, and tried again next sweep, without holding up the rest of the purge.

  private async preparePartitions(): Promise<void> {
    try {
      const created = await this.store.prepareAttemptPartitions(this.clock.now(), ATTEMPT_PARTITION_DAYS_AHEAD);
      if (created > 0) this.log.info({ created }, 'created attempt partitions ahead');
    } catch (error) {
      this.log.warn({ err: error }, 'creating attempt partitions ahead failed; next sweep tries again');
    }
  }

  private async dropAttempts(cutoff: number): Promise<number> {
    try {
      return await this.store.dropAttemptsBefore(cutoff);
    } catch (error) {
      this.log.warn({ err: error }, 'dropping old attempt partitions failed; next sweep tries again');
      return 0;
    }
  }
}
