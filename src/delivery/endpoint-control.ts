import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import { BREAKER_REASON, breakerAfterFailure, endpointSignal, halvedConcurrency, isHalfOpen, raisedConcurrency } from '../domain/endpoint-state.js';
import type { ClaimedDelivery, Endpoint, EndpointControl as StoredControl } from '../domain/types.js';
import type { AttemptRecord, EndpointControlStore } from '../store/store.js';
import type { Job } from './attempt.js';

// The worker's side of receiver control (issue 16): which claimed deliveries may start (none of a
// paused endpoint, one probe of a half-open breaker), and what each answer does to its endpoint
// (a Retry-After pause, one more failure in the breaker's run, a run ended, AIMD concurrency after
// a 429 without Retry-After). The rules are
// src/domain/endpoint-state.ts; the state lives in the endpoint's row, read by every node's claim.

export type EndpointChange = { kind: 'paused'; until: number; reason: string } | { kind: 'resumed' };

export interface EndpointControlOptions {
  store: EndpointControlStore;
  clock: Clock;
  log: Logger;
  /** How long a probe holds the half-open endpoint before another may be tried (its lease). */
  probeHoldMs: number;
  /** The configured attempts in flight per endpoint: what AIMD halves from and climbs back to. */
  maxConcurrency: number;
  /** Called once across nodes per change, by the node whose statement made it. */
  onChange?: (endpoint: Endpoint, change: EndpointChange, cause: ClaimedDelivery) => void;
}

/** What an answer means for its endpoint's lane on this node. */
export interface LaneEffect {
  /** Start nothing before then (null: no pause). */
  pausedUntil: number | null;
  /** At most this many attempts in flight (AIMD); undefined: unchanged. */
  slots?: number;
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
  /** Endpoints this worker throttled (AIMD) since they were read: their successes count toward a step up. */
  private readonly throttled = new Set<string>();

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
   * Applies what an attempt's answer says about its endpoint; resolves with what its lane must do:
   * stop starting attempts until `pausedUntil` (a pause began or is in force), and run at most
   * `slots` at once (AIMD; undefined: unchanged).
   */
  async afterAttempt(job: ControlledJob, record: AttemptRecord): Promise<LaneEffect> {
    const { endpoint } = job;
    if (endpoint === null || record.attempt === null) return { pausedUntil: null };
    const now = this.options.clock.now();
    const signal = endpointSignal(record.attempt, now);
    try {
      switch (signal.kind) {
        case 'pause':
          if (await this.options.store.pauseEndpoint(endpoint.id, signal.until, signal.reason, now)) {
            this.changed(endpoint, { kind: 'paused', until: signal.until, reason: signal.reason }, job.delivery);
          }
          return { pausedUntil: signal.until };
        case 'failure': {
          this.counted.add(endpoint.id);
          if (this.isThrottled(endpoint)) await this.options.store.restartConcurrencyRun(endpoint.id);
          const state = await this.options.store.countEndpointFailure(endpoint.id);
          const open = state === null ? null : breakerAfterFailure(state, job.probe === true, now);
          if (state === null || open === null) return { pausedUntil: null };
          if (await this.options.store.openBreaker(endpoint.id, open.until, open.cooldownMs, state.cooldownMs, BREAKER_REASON)) {
            this.changed(endpoint, { kind: 'paused', until: open.until, reason: BREAKER_REASON }, job.delivery);
          }
          return { pausedUntil: open.until };
        }
        case 'throttle':
          await this.answered(job, now);
          return { pausedUntil: null, slots: await this.halve(endpoint) };
        case 'answered':
          await this.answered(job, now);
          return { pausedUntil: null, slots: signal.success && this.isThrottled(endpoint) ? await this.countSuccess(endpoint) : undefined };
        case 'none':
          return { pausedUntil: null };
      }
    } catch (error) {
      // The attempt's own result is recorded regardless; the endpoint's state catches up with the next answer.
      this.options.log.error({ err: error, endpointId: endpoint.id }, 'updating the endpoint state failed');
      return { pausedUntil: signal.kind === 'pause' ? signal.until : null };
    }
  }

  /** The receiver answered: its failure run ends, and a pause that is over (or a probe's) with it. */
  private async answered(job: ControlledJob, now: number): Promise<void> {
    const endpoint = job.endpoint!;
    // Only an endpoint that had something to end is written: healthy endpoints cost nothing.
    if (!hasState(endpoint.control) && !this.counted.has(endpoint.id)) return;
    this.counted.delete(endpoint.id);
    if (await this.options.store.endpointAnswered(endpoint.id, now)) this.changed(endpoint, { kind: 'resumed' }, job.delivery);
  }

  /** AIMD, decrease: the limit in force halved (another node's change meanwhile wins); the lane's new slots. */
  private async halve(endpoint: Endpoint): Promise<number | undefined> {
    const run = await this.options.store.restartConcurrencyRun(endpoint.id);
    if (run === null) return undefined;
    const maximum = this.options.maxConcurrency;
    const halved = halvedConcurrency(Math.min(maximum, run.limit ?? maximum));
    if (halved >= maximum) return undefined;
    this.throttled.add(endpoint.id);
    await this.options.store.setConcurrencyLimit(endpoint.id, halved, run.limit);
    return halved;
  }

  /** AIMD, increase: one more success of a throttled endpoint; every SUCCESSES_PER_STEP, one more slot. */
  private async countSuccess(endpoint: Endpoint): Promise<number | undefined> {
    const maximum = this.options.maxConcurrency;
    const run = await this.options.store.countThrottledSuccess(endpoint.id);
    if (run === null) {
      this.throttled.delete(endpoint.id);
      return maximum;
    }
    const raised = raisedConcurrency(run.limit, run.successes, maximum);
    if (raised === undefined || !(await this.options.store.setConcurrencyLimit(endpoint.id, raised, run.limit))) return undefined;
    if (raised === null) this.throttled.delete(endpoint.id);
    return raised ?? maximum;
  }

  private isThrottled(endpoint: Endpoint): boolean {
    return this.throttled.has(endpoint.id) || (endpoint.control?.concurrencyLimit ?? null) !== null;
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
