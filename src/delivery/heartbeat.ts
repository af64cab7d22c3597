import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import type { DeliveryQueue } from '../queue/delivery-queue.js';
import { HEARTBEAT_EVERY_MS, renewWithinMs } from '../queue/liveness.js';
import type { HeldLeases } from './held-leases.js';

// A worker node's heartbeat (src/queue/liveness.ts has the intervals). Each beat tells the queue
// the node is alive, renews the leases of deliveries it holds that would otherwise run out, and
// takes back what dead nodes held and any lease that ran out. The next beat is timed from the end
// of the last, so a slow database never has two under way.

export interface HeartbeatOptions {
  queue: DeliveryQueue;
  owner: string;
  clock: Clock;
  log: Logger;
  leaseMs: number;
  held: HeldLeases;
}

export class Heartbeat {
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<void> = Promise.resolve();
  private running = false;
  /** Since when every beat has been written (null after one failed): see DeliveryQueue.recoverLeases. */
  private beatingSince: number | null = null;

  constructor(private readonly options: HeartbeatOptions) {}

  /**
   * Joins the queue (its first heartbeat, before any lease is taken), then beats until stopped.
   * Never throws: a database away at start is reached by a later beat.
   */
  async start(): Promise<void> {
    const { queue, owner, clock, log } = this.options;
    this.running = true;
    try {
      const now = clock.now();
      const released = await queue.join(owner, now);
      this.beatingSince = now;
      if (released > 0) log.warn({ released }, 'took back deliveries that an earlier process held when it stopped');
    } catch (error) {
      log.error({ err: error }, 'writing the heartbeat failed');
    }
    this.schedule();
  }

  /** Stops beating once the beat under way (if any) is written. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.beating;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.beating = this.beat().finally(() => this.schedule());
    }, HEARTBEAT_EVERY_MS);
  }

  private async beat(): Promise<void> {
    const { queue, owner, clock, log, leaseMs, held } = this.options;
    try {
      const now = clock.now();
      const renew = held.dueForRenewal(now, renewWithinMs(leaseMs));
      const leaseUntil = now + leaseMs;
      held.renewed(renew, await queue.beat(owner, now, renew, leaseUntil), leaseUntil);
      this.beatingSince ??= now;
      const released = await queue.recoverLeases(owner, clock.now(), this.beatingSince);
      if (released > 0) log.warn({ released }, 'took back deliveries whose node died or whose lease ran out');
    } catch (error) {
      this.beatingSince = null;
      log.error({ err: error }, 'writing the heartbeat failed');
    }
  }
}
