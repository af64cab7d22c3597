import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import { BREAKER_REASON, breakerAfterFailure, endpointSignal, isHalfOpen } from '../domain/endpoint-state.js';
import type { ClaimedDelivery, Endpoint, EndpointControl as StoredControl } from '../domain/types.js';
import type { AttemptRecord, EndpointControlStore } from '../store/store.js';
import type { Job } from './attempt.js';

// The worker's side of receiver control (issue 16): which claimed deliveries may start (none of a
// paused endpoint, one probe of a half-open breaker), and what each answer does to its endpoint
// (a Retry-After pause, one more failure in the breaker's run, a run ended). The rules are
// src/domain/endpoint-state.ts; the state lives in the endpoint's row, read by every node's claim.

export type EndpointChange = { kind: 'paused'; until: number; reason: string } | { kind: 'resumed' };

export interface EndpointControlOptions {
  store: EndpointControlStore;
  clock: Clock;
  log: Logger;
  /** How long a probe holds the half-open endpoint before another may be tried (its lease). */
  probeHoldMs: number;
  /** Called once across nodes per change, by the node whose statement made it. */
  onChange?: (endpoint: Endpoint, change: EndpointChange, cause: ClaimedDelivery) => void;
}

/** A job that is a half-open breaker's one probe. */
export interface ControlledJob extends Job {
  probe?: boolean;
}

export class EndpointControl {
  /**
   * Endpoints whose failures this worker counted since their last answer: a success must end the
   * run even when the endpoint was read (at claim) before those failures.
   */
  private readonly counted = new Set<string>();

  constructor(private readonly options: EndpointControlOptions) {}

  /**
   * Splits claimed jobs into those that may start and those to give back untouched (attempt count
   * unchanged): the deliveries of an endpoint paused meanwhile, and all but one probe of a
   * half-open breaker (none when another worker took the probe).
   */
  async admit(jobs: ControlledJob[]): Promise<{ start: ControlledJob[]; giveBack: ControlledJob[] }> {
    const now = this.options.clock.now();
    const start: ControlledJob[] = [];
    const giveBack: ControlledJob[] = [];
    const probeTaken = new Map<string, boolean>();
    for (const job of jobs) {
      const control = job.endpoint?.control;
      if (job.endpoint === null || control === undefined) {
        start.push(job);
        continue;
      }
      if (control.pausedUntil !== null && control.pausedUntil > now) {
        giveBack.push(job);
        continue;
      }
      if (!isHalfOpen(breakerOf(control), now)) {
        start.push(job);
        continue;
      }
      const id = job.endpoint.id;
      if (probeTaken.has(id)) {
        giveBack.push(job);
        continue;
      }
      const won = await this.options.store.takeEndpointProbe(id, now, now + this.options.probeHoldMs);
      probeTaken.set(id, won);
      if (won) start.push({ ...job, probe: true });
      else giveBack.push(job);
    }
    return { start, giveBack };
  }

  /**
   * Applies what an attempt's answer says about its endpoint; resolves with when the endpoint's
   * lane must stop starting attempts until (a pause began or is in force), or null.
   */
  async afterAttempt(job: ControlledJob, record: AttemptRecord): Promise<number | null> {
    const { endpoint } = job;
    if (endpoint === null || record.attempt === null) return null;
    const now = this.options.clock.now();
    const signal = endpointSignal(record.attempt, now);
    try {
      switch (signal.kind) {
        case 'pause':
          if (await this.options.store.pauseEndpoint(endpoint.id, signal.until, signal.reason, now)) {
            this.changed(endpoint, { kind: 'paused', until: signal.until, reason: signal.reason }, job.delivery);
          }
          return signal.until;
        case 'failure': {
          this.counted.add(endpoint.id);
          const state = await this.options.store.countEndpointFailure(endpoint.id);
          const open = state === null ? null : breakerAfterFailure(state, job.probe === true, now);
          if (state === null || open === null) return null;
          if (await this.options.store.openBreaker(endpoint.id, open.until, open.cooldownMs, state.cooldownMs, BREAKER_REASON)) {
            this.changed(endpoint, { kind: 'paused', until: open.until, reason: BREAKER_REASON }, job.delivery);
          }
          return open.until;
        }
        case 'answered':
          // Only an endpoint that had something to end is written: healthy endpoints cost nothing.
          if (!hasState(endpoint.control) && !this.counted.has(endpoint.id)) return null;
          this.counted.delete(endpoint.id);
          if (await this.options.store.endpointAnswered(endpoint.id, now)) this.changed(endpoint, { kind: 'resumed' }, job.delivery);
          return null;
        case 'none':
          return null;
      }
    } catch (error) {
      // The attempt's own result is recorded regardless; the endpoint's state catches up with the next answer.
      this.options.log.error({ err: error, endpointId: endpoint.id }, 'updating the endpoint state failed');
      return signal.kind === 'pause' ? signal.until : null;
    }
  }

  private changed(endpoint: Endpoint, change: EndpointChange, cause: ClaimedDelivery): void {
    this.options.log.info({ endpointId: endpoint.id, ...change }, change.kind === 'paused' ? 'endpoint paused' : 'endpoint resumed');
    this.options.onChange?.(endpoint, change, cause);
  }
}

function breakerOf(control: StoredControl): { failures: number; cooldownMs: number; pausedUntil: number | null } {
  return { failures: control.breakerFailures, cooldownMs: control.breakerCooldownMs, pausedUntil: control.pausedUntil };
}

function hasState(control: StoredControl | undefined): boolean {
  return control !== undefined && (control.pausedUntil !== null || control.breakerFailures > 0 || control.breakerCooldownMs > 0);
}
