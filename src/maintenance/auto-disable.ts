import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import type { Endpoint } from '../domain/types.js';
import type { Store } from '../store/store.js';

// Auto-disable (contract): an endpoint whose every attempt has failed for a window
// (HOOKD_AUTO_DISABLE_AFTER, 5 days by default), with at least 10 attempts, is set inactive.
// Svix's rule; it stops hookd from spending retries on receivers that are gone without saying 410.

export const MIN_FAILED_ATTEMPTS = 10;
const SWEEP_EVERY_MS = 60_000;
/** A short window is swept more often (half of it, not under a second), so it is honoured to within half. */
const SHORTEST_SWEEP_MS = 1000;

export function sweepIntervalMs(failingForMs: number): number {
  return Math.min(SWEEP_EVERY_MS, Math.max(SHORTEST_SWEEP_MS, Math.floor(failingForMs / 2)));
}

export class AutoDisableSweep {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly onDisabled: (endpoint: Endpoint) => void,
    /** How long every attempt must have failed (HOOKD_AUTO_DISABLE_AFTER). */
    private readonly failingForMs: number,
  ) {}

  start(): void {
    const every = sweepIntervalMs(this.failingForMs);
    this.timer = setInterval(() => void this.runOnce().catch((error) => this.log.error({ err: error }, 'auto-disable sweep failed')), every);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  async runOnce(): Promise<Endpoint[]> {
    const now = this.clock.now();
    const disabled = await this.store.disableFailingEndpoints(
      now - this.failingForMs,
      MIN_FAILED_ATTEMPTS,
      (failingSince) => `auto: failing since ${new Date(failingSince).toISOString()}`,
      now,
    );
    for (const endpoint of disabled) {
      this.log.warn(
        { endpointId: endpoint.id, reason: endpoint.disabledReason, failingForMs: this.failingForMs },
        'endpoint disabled: every attempt failed for the auto-disable window',
      );
      this.onDisabled(endpoint);
    }
    return disabled;
  }
}
