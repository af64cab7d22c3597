import type { Logger } from 'pino';
import type { Clock, RandomSource } from '../domain/clock.js';
import { newId } from '../domain/ids.js';
import { nextState } from '../domain/next-state.js';
import { classifyOutcome, type AttemptResult } from '../domain/outcome.js';
import { redactHeaders } from '../domain/redaction.js';
import { buildRequest, type OutgoingRequest, type RequestTarget } from '../domain/request.js';
import { DEFAULT_RETRY_POLICY, parseRetryAfterMs } from '../domain/retry-schedule.js';
import type { ClaimedDelivery, EndpointWithSecrets, HookEvent, RetryPolicy } from '../domain/types.js';
import type { AttemptRecord, Store } from '../store/store.js';
import { AttemptRecorder } from './recorder.js';
import type { HttpSender, SendResult } from './sender.js';

// The delivery worker: claims due deliveries from the store under a lease, sends them through
// per-endpoint lanes, and records each outcome. The queue lives in the database; this process
// holds only what it has leased, so a crash loses nothing (leases run out and others take over).

export interface WorkerOptions {
  store: Store;
  sender: HttpSender;
  clock: Clock;
  random: RandomSource;
  log: Logger;
  /** Attempts in flight (or waiting in a lane) at once. */
  concurrency: number;
  /** Attempts in flight at once to one endpoint, so that a slow one cannot take every slot. */
  endpointConcurrency: number;
  leaseMs: number;
  userAgent: string;
  /** Signs deliveries to an event's one-off callbackUrl, which has no endpoint secret. */
  callbackSecret: string;
  /** How long an idle worker waits before looking for due retries (new events wake it at once). */
  idlePollMs?: number;
  /** Called once a delivery's new state is committed (operational events hang off it). */
  onRecorded?: (delivery: ClaimedDelivery, record: AttemptRecord) => void;
}

const DEFAULT_CALLBACK_TIMEOUT_MS = 15_000;
const CLAIM_BATCH = 200;
const LEASE_SWEEP_EVERY_MS = 5_000;

interface Job {
  delivery: ClaimedDelivery;
  event: HookEvent;
  endpoint: EndpointWithSecrets | null;
}

/** One queue per destination: an endpoint, or a callback URL's origin. */
interface Lane {
  inFlight: number;
  waiting: Job[];
}

export class DeliveryWorker {
  readonly owner = newId('key').replace('key_', 'worker_');
  private readonly recorder: AttemptRecorder;
  private readonly lanes = new Map<string, Lane>();
  private held = 0;
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private wakeUp: (() => void) | null = null;
  private wakeRequested = false;
  private waitingForCapacity = false;
  private lastLeaseSweep = 0;
  private readonly idlePollMs: number;

  constructor(private readonly options: WorkerOptions) {
    this.recorder = new AttemptRecorder(options.store, options.log);
    this.idlePollMs = options.idlePollMs ?? 1000;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  /** New work may be due: look now rather than at the next poll. */
  wake(): void {
    this.wakeRequested = true;
    if (!this.waitingForCapacity || !this.running) this.wakeUp?.();
  }

  /** Stops claiming, lets attempts in flight finish, gives back what never started, writes every result. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake();
    await this.loopDone;
    const unstarted: string[] = [];
    for (const lane of this.lanes.values()) {
      unstarted.push(...lane.waiting.map((job) => job.delivery.id));
      this.held -= lane.waiting.length;
      lane.waiting = [];
    }
    await this.options.store.releaseDeliveries(unstarted, this.owner, this.options.clock.now());
    while (this.held > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await this.recorder.flush();
  }

  /** Attempts in flight or waiting in lanes: for metrics and tests. */
  get load(): number {
    return this.held;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const hasCapacity = this.held < this.options.concurrency;
      if (hasCapacity) {
        try {
          await this.sweepLeases();
          if (await this.claimAndDispatch()) continue;
        } catch (error) {
          this.options.log.error({ err: error }, 'claiming deliveries failed');
        }
      }
      await this.idle(hasCapacity);
    }
  }

  private async sweepLeases(): Promise<void> {
    const now = this.options.clock.now();
    if (now - this.lastLeaseSweep < LEASE_SWEEP_EVERY_MS) return;
    this.lastLeaseSweep = now;
    const released = await this.options.store.releaseExpiredLeases(now);
    if (released > 0) this.options.log.warn({ released }, 'took back deliveries whose lease ran out');
  }

  /** Returns true when it claimed a full batch (more is probably due). */
  private async claimAndDispatch(): Promise<boolean> {
    const limit = Math.min(this.options.concurrency - this.held, CLAIM_BATCH);
    const now = this.options.clock.now();
    this.wakeRequested = false;
    const claimed = await this.options.store.claimDueDeliveries(this.owner, now, limit, now + this.options.leaseMs);
    if (claimed.length === 0) return false;
    this.held += claimed.length;
    const [events, endpoints] = await Promise.all([
      this.options.store.getEvents([...new Set(claimed.map((d) => d.eventId))]),
      this.options.store.getEndpoints([...new Set(claimed.flatMap((d) => (d.endpointId === null ? [] : [d.endpointId])))]),
    ]);
    const eventById = new Map(events.map((event) => [event.id, event]));
    const endpointById = new Map(endpoints.map((endpoint) => [endpoint.id, endpoint]));
    for (const delivery of claimed) {
      const event = eventById.get(delivery.eventId);
      const endpoint = delivery.endpointId === null ? null : (endpointById.get(delivery.endpointId) ?? null);
      if (event === undefined || (delivery.endpointId !== null && (endpoint === null || !endpoint.active))) {
        this.finishUnsendable(delivery, event === undefined ? 'event_missing' : endpoint === null ? 'endpoint_deleted' : 'endpoint_disabled');
        continue;
      }
      this.enqueue({ delivery, event, endpoint });
    }
    return claimed.length === limit;
  }

  /** A delivery whose event or endpoint is gone (or endpoint disabled) ends without an attempt. */
  private finishUnsendable(delivery: ClaimedDelivery, reason: string): void {
    const now = this.options.clock.now();
    // `failed` rather than canceled: recovering the endpoint later brings these back.
    this.record(delivery, {
      deliveryId: delivery.id,
      endpointId: delivery.endpointId,
      leaseOwner: this.owner,
      attempt: null,
      status: reason === 'endpoint_deleted' || reason === 'event_missing' ? 'canceled' : 'failed',
      nextAttemptAt: null,
      completedAt: now,
      lastStatusCode: delivery.lastStatusCode,
      lastError: reason,
      disableEndpoint: null,
    });
    this.held -= 1;
  }

  private enqueue(job: Job): void {
    const key = job.endpoint?.id ?? `callback:${new URL(job.delivery.url).origin}`;
    let lane = this.lanes.get(key);
    if (lane === undefined) {
      lane = { inFlight: 0, waiting: [] };
      this.lanes.set(key, lane);
    }
    if (lane.inFlight < this.options.endpointConcurrency) {
      this.run(key, lane, job);
    } else if (lane.waiting.length < this.options.endpointConcurrency) {
      lane.waiting.push(job);
    } else {
      // The lane is full: hand the delivery back rather than let it sit on a slot that healthy
      // endpoints could use. It becomes due again once the lane has had time to drain.
      const timeoutMs = job.endpoint?.timeoutMs ?? DEFAULT_CALLBACK_TIMEOUT_MS;
      this.held -= 1;
      void this.options.store
        .releaseDeliveries([job.delivery.id], this.owner, this.options.clock.now() + Math.min(timeoutMs, 5000))
        .catch((error: unknown) => this.options.log.error({ err: error }, 'releasing a delivery failed'));
    }
  }

  private run(key: string, lane: Lane, job: Job): void {
    lane.inFlight += 1;
    void this.paced(job)
      .then(() => this.attempt(job))
      .catch((error: unknown) => this.options.log.error({ err: error, deliveryId: job.delivery.id }, 'attempt crashed'))
      .finally(() => {
        lane.inFlight -= 1;
        this.held -= 1;
        const next = lane.waiting.shift();
        if (next !== undefined) this.run(key, lane, next);
        else if (lane.inFlight === 0) this.lanes.delete(key);
        // The loop waits for capacity when every slot is taken: wake it once a quarter is free
        // again, so that it claims in batches rather than one delivery at a time.
        if (this.waitingForCapacity && this.options.concurrency - this.held >= Math.max(1, this.options.concurrency / 4)) {
          this.wakeUp?.();
        }
      });
  }

  /**
   * rateLimitPerSecond: attempts to one endpoint start at least 1/rate seconds apart, across every
   * node — the slot is reserved in the database, so two nodes never take the same one.
   */
  private async paced(job: Job): Promise<void> {
    const rate = job.endpoint?.rateLimitPerSecond ?? null;
    if (rate === null || job.endpoint === null) return;
    const now = this.options.clock.now();
    // Whole milliseconds: limits above 1000 per second are spaced 1 ms apart.
    const startAt = await this.options.store.reserveRateSlot(job.endpoint.id, now, Math.max(1, Math.round(1000 / rate)));
    if (startAt > now) await new Promise((resolve) => setTimeout(resolve, startAt - now));
  }

  private record(delivery: ClaimedDelivery, record: AttemptRecord): void {
    const committed = this.recorder.record(record);
    const onRecorded = this.options.onRecorded;
    if (onRecorded !== undefined) void committed.then(() => onRecorded(delivery, record));
  }

  private targetOf(job: Job): { target: RequestTarget; secrets: string[]; policy: RetryPolicy; timeoutMs: number } {
    const { endpoint, delivery } = job;
    if (endpoint === null) {
      return {
        target: { url: delivery.url, method: 'POST', headers: {}, queryParams: {}, body: { format: 'standard' } },
        secrets: [this.options.callbackSecret],
        policy: DEFAULT_RETRY_POLICY,
        timeoutMs: DEFAULT_CALLBACK_TIMEOUT_MS,
      };
    }
    const now = this.options.clock.now();
    const { previous, previousExpiresAt } = endpoint.secrets;
    const inGrace = previous !== null && previousExpiresAt !== null && previousExpiresAt > now;
    return {
      target: endpoint,
      secrets: inGrace ? [endpoint.secrets.current, previous] : [endpoint.secrets.current],
      policy: endpoint.retry,
      timeoutMs: endpoint.timeoutMs,
    };
  }

  private async attempt(job: Job): Promise<void> {
    const { delivery, event } = job;
    const { target, secrets, policy, timeoutMs } = this.targetOf(job);
    const startedAt = this.options.clock.now();
    let request: OutgoingRequest;
    try {
      request = buildRequest({
        target,
        event,
        deliveryId: delivery.id,
        secrets,
        timestampSeconds: Math.floor(startedAt / 1000),
        userAgent: this.options.userAgent,
      });
    } catch (error) {
      // A template whose output is too large for this event: the request cannot be built, now or later.
      this.options.log.warn({ deliveryId: delivery.id, err: error }, 'could not build the request');
      request = { method: target.method, url: delivery.url, headers: {}, body: null };
      return this.recordResult(job, request, startedAt, policy, {
        statusCode: null,
        error: 'invalid_request',
        responseHeaders: {},
        responseBody: null,
        durationMs: 0,
      });
    }
    const sent = await this.options.sender.send(request, timeoutMs);
    return this.recordResult(job, request, startedAt, policy, sent);
  }

  private recordResult(job: Job, request: OutgoingRequest, startedAt: number, policy: RetryPolicy, sent: SendResult): void {
    const { delivery } = job;
    const result: AttemptResult =
      sent.statusCode !== null ? { kind: 'response', statusCode: sent.statusCode } : { kind: 'error', error: sent.error ?? 'network' };
    const verdict = classifyOutcome(result, { dropOn4xx: policy.dropOn4xx });
    const now = this.options.clock.now();
    const next = nextState(
      {
        verdict,
        policy,
        attemptsMade: delivery.attempts + 1,
        singleAttempt: delivery.singleAttempt,
        retryAfterMs: parseRetryAfterMs(sent.responseHeaders['retry-after'], now),
        now,
      },
      this.options.random,
    );
    this.record(delivery, {
      deliveryId: delivery.id,
      endpointId: delivery.endpointId,
      leaseOwner: this.owner,
      attempt: {
        id: newId('att', startedAt),
        deliveryId: delivery.id,
        startedAt,
        durationMs: sent.durationMs,
        statusCode: sent.statusCode,
        error: sent.error,
        requestHeaders: redactHeaders(request.headers),
        responseHeaders: sent.responseHeaders,
        responseBody: sent.responseBody,
      },
      ...next,
      lastStatusCode: sent.statusCode,
      lastError: sent.error,
    });
  }

  /** Waits for a wake-up (new work, or free capacity when there was none) or the idle poll. */
  private idle(hasCapacity: boolean): Promise<void> {
    if (!this.running || (hasCapacity && this.wakeRequested)) return Promise.resolve();
    this.waitingForCapacity = !hasCapacity;
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeUp = null;
        this.waitingForCapacity = false;
        resolve();
      };
      const timer = setTimeout(done, this.idlePollMs);
      this.wakeUp = done;
    });
  }
}
