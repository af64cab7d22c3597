import type { Logger } from 'pino';
import type { Operations } from './operations.js';

// Runs the operations sweep on worker nodes. Timeouts are stored, not timers: after a restart the
// next sweep fires whatever expired meanwhile, once each.

const SWEEP_EVERY_MS = 250;

export class OperationTimeoutSweep {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly operations: Operations,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), SWEEP_EVERY_MS);
    this.timer.unref();
  }

  /** A sweep never overlaps the previous one. */
  private tick(): void {
    if (this.running !== null) return;
    this.running = this.operations
      .sweep()
      .then((fired) => {
        if (fired > 0) this.log.info({ fired }, 'operations timed out');
      })
      .catch((error: unknown) => this.log.error({ err: error }, 'operations sweep failed'))
      .finally(() => {
        this.running = null;
      });
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
