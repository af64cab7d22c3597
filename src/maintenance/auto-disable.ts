import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import type { Endpoint } from '../domain/types.js';
import type { Store } from '../store/store.js';

// Auto-disable (contract): an endpoint whose every attempt has failed for 5 days, with at least
// 10 attempts, is set inactive. Svix's rule; it stops hookd from spending retries on receivers
// that are gone without saying 410.

export const FAILING_FOR_MS = 5 * 24 * 3600 * 1000;
export const MIN_FAILED_ATTEMPTS = 10;
const SWEEP_EVERY_MS = 60_000;

export class AutoDisableSweep {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly onDisabled: (endpoint: Endpoint) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.runOnce().catch((error) => this.log.error({ err: error }, 'auto-disable sweep failed')), SWEEP_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  async runOnce(): Promise<Endpoint[]> {
    const now = this.clock.now();
    const disabled = await this.store.disableFailingEndpoints(
      now - FAILING_FOR_MS,
      MIN_FAILED_ATTEMPTS,
      (failingSince) => `auto: failing since ${new Date(failingSince).toISOString()}`,
      now,
    );
    for (const endpoint of disabled) {
      this.log.warn({ endpointId: endpoint.id, reason: endpoint.disabledReason }, 'endpoint disabled: failing for 5 days');
      this.onDisabled(endpoint);
    }
    return disabled;
  }
}
