import type { Logger } from 'pino';
import type { Clock, RandomSource } from '../domain/clock.js';
import { accountKey } from '../domain/account-key.js';
import { newId } from '../domain/ids.js';
import type { ClaimedDelivery, Endpoint, HookEvent } from '../domain/types.js';
import type { DeliveryQueue, HandedDelivery, QueueConsumer } from '../queue/delivery-queue.js';
import type { AttemptRecord, EndpointControlStore, Store } from '../store/store.js';
import { Admission, type AfterClaim, type WakeOn } from './admission.js';
import type { CallbackSecrets } from './callback-secrets.js';
import { makeAttempt, type AttemptContext, type Job } from './attempt.js';
import { EndpointControl, type ControlledJob, type EndpointChange, type LaneEffect } from './endpoint-control.js';
import { Heartbeat } from './heartbeat.js';
import { HeldLeases } from './held-leases.js';
import { Lane, Pace } from './lane.js';
import { OAuth2Tokens } from './oauth2-tokens.js';
import { AttemptRecorder } from './recorder.js';
import type { BrokerSender } from './destinations/broker-sender.js';
import type { HttpSender } from './sender.js';

// The delivery worker: claims due deliveries from the queue under a lease (or starts new ones the
// queue handed over at ingest), sends them through per-endpoint lanes, and records each outcome.
// The queue lives in the database; this process holds only what it has leased, so a crash loses
// nothing: its heartbeat stops and live nodes take over (or it takes back its own on restart).

/** What the worker reads and reserves besides the queue: each delivery's event and endpoint, and rate-limit slots. */
export type DeliveryTargets = Pick<Store, 'getEvents' | 'getEndpoints' | 'reserveRateSlot'> & EndpointControlStore;

export interface DeliveriesTaken {
  handOff: number;
  claim: number;
  retry: number;
}

export interface WorkerOptions {
  queue: DeliveryQueue;
  targets: DeliveryTargets;
  sender: HttpSender;
  /** Publishes to endpoints whose destination is a broker (RabbitMQ, NATS, Redis). */
  brokers: BrokerSender;
  clock: Clock;
  random: RandomSource;
  log: Logger;
  /** Deliveries held at once: waiting in a lane, in flight, or with their result being written. */
  concurrency: number;
  /** Attempts in flight at once to one endpoint, so that a slow one cannot take every slot. */
  endpointConcurrency: number;
  leaseMs: number;
  userAgent: string;
  /** Sign deliveries to an event's one-off callbackUrl, which has no endpoint secret: its account's, or the provider's. */
  callbackSecrets: CallbackSecrets;
  /** How long an idle worker waits before looking for due retries (new events wake it at once). */
  idlePollMs?: number;
  /** Called once a delivery's new state is committed (operational events hang off it). */
  onRecorded?: (delivery: ClaimedDelivery, record: AttemptRecord) => void;
  /** Called when an answer paused or resumed an endpoint (once across nodes). */
  onEndpointChange?: (endpoint: Endpoint, change: EndpointChange, cause: ClaimedDelivery) => void;
}

/** How often lanes are checked for a destination that turned slow, and idle ones forgotten. */
const LANE_CHECK_EVERY_MS = 250;
const FORGET_IDLE_LANE_MS = 60_000;
/** The longest a retry's wake-up timer is set for (Worker.wakeAt). */
const MAX_RETRY_WAKE_MS = 60_000;

export class DeliveryWorker implements QueueConsumer {
  readonly owner = newId('key').replace('key_', 'worker_');
  private readonly recorder: AttemptRecorder;
  private readonly lanes = new Map<string, Lane<Job>>();
  private readonly admission: Admission;
  private readonly attemptContext: AttemptContext;
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  /** Ends the current idle wait; null while the loop is not waiting. */
  private wakeUp: (() => void) | null = null;
  /** Callers of claimLoopRan, answered when the loop next waits. */
  private loopWaiters: Array<() => void> = [];
  /** Deliveries handed over by the queue this turn, started together at its end. */
  private handedOver: HandedDelivery[] = [];
  private detach: () => void = () => undefined;
  private lastLaneCheck = 0;
  /** How long attempts typically take, across destinations: what "slow" is measured against. */
  private readonly typical = new Pace();
  private readonly idlePollMs: number;
  /** The earliest retry this worker scheduled, and the timer that wakes the loop for it (wakeAt). */
  private retryWake: { at: number; timer: NodeJS.Timeout } | null = null;
  /** What this worker holds, so that its heartbeat renews leases about to run out. */
  private readonly held = new HeldLeases();
  private readonly heartbeat: Heartbeat;
  private readonly control: EndpointControl;

  constructor(private readonly options: WorkerOptions) {
    this.recorder = new AttemptRecorder(options.queue, options.log, options.queue.finishBatching);
    this.idlePollMs = options.idlePollMs ?? 1000;
    this.admission = new Admission(options.concurrency);
    const { sender, brokers, clock, random, log, userAgent, callbackSecrets } = options;
    // OAuth tokens are cached per node: in memory, for this worker's attempts.
    const tokens = new OAuth2Tokens(sender, clock);
    this.attemptContext = { sender, brokers, tokens, clock, random, log, userAgent, callbackSecrets, owner: this.owner };
    this.control = new EndpointControl({
      store: options.targets,
      clock,
      log,
      probeHoldMs: options.leaseMs,
      maxConcurrency: options.endpointConcurrency,
      onChange: options.onEndpointChange,
    });
    this.heartbeat = new Heartbeat({ queue: options.queue, owner: this.owner, clock, log, leaseMs: options.leaseMs, held: this.held });
  }

  get leaseMs(): number {
    return this.options.leaseMs;
  }

  /**
   * Starts its heartbeat, then becomes its node's queue consumer (hand-offs and wake-ups) and
   * starts claiming: the node's heartbeat is written before it takes any lease.
   */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.heartbeat.start().then(() => {
      if (!this.running) return;
      this.detach = this.options.queue.attach(this);
      return this.loop();
    });
  }

  /**
   * Retries come due at their time, not at the loop's next idle poll (up to idlePollMs late): a
   * retry this worker schedules sets a timer for `at` if it is the earliest it knows. When the
   * timer fires, the loop claims, and the next time anything is due (any node's retry, a pause's
   * end) is read once from the queue, to set the timer again.
   */
  private wakeAt(at: number): void {
    if (!this.running || (this.retryWake !== null && this.retryWake.at <= at)) return;
    if (this.retryWake !== null) clearTimeout(this.retryWake.timer);
    // Bounded: a timer far ahead is set again by the next retry or at the next fire.
    const delay = Math.min(Math.max(0, at - this.options.clock.now()), MAX_RETRY_WAKE_MS);
    const timer = setTimeout(() => {
      this.retryWake = null;
      this.wake();
      void this.wakeAtNextDue();
    }, delay);
    timer.unref();
    this.retryWake = { at, timer };
  }

  private async wakeAtNextDue(): Promise<void> {
    const now = this.options.clock.now();
    // A database away: the idle poll goes on finding the work.
    const next = await this.options.queue.nextDueAt().catch(() => null);
    // Due already: the claim the wake-up started takes it, or it waits for a free slot.
    if (next !== null && next > now) this.wakeAt(next);
  }

  /** New work may be due: look now rather than at the next poll. */
  wake(): void {
    if (this.admission.wake(this.running)) this.wakeUp?.();
  }

  /**
   * Resolves once the claim loop has run and waits for a wake-up (at once if it waits now): from
   * then on nothing new starts until something wakes it. Tests use it to prove that nothing
   * happens, instead of sleeping.
   */
  claimLoopRan(): Promise<void> {
    if (this.wakeUp !== null || !this.running) return Promise.resolve();
    return new Promise((resolve) => this.loopWaiters.push(resolve));
  }

  /** Stops claiming, lets attempts in flight finish, gives back what never started, writes every result. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.retryWake !== null) clearTimeout(this.retryWake.timer);
    this.retryWake = null;
    this.detach();
    this.wake();
    await this.loopDone;
    for (const waiter of this.loopWaiters.splice(0)) waiter();
    const unstarted: string[] = [];
    for (const lane of this.lanes.values()) {
      const waiting = lane.waiting.splice(0);
      unstarted.push(...waiting.map((job) => job.delivery.id));
      for (const job of waiting) this.admission.handedBack(accountKey(job.delivery.accountId), 1);
    }
    for (const deliveryId of unstarted) this.held.drop(deliveryId);
    await this.options.queue.release(unstarted, this.owner, this.options.clock.now());
    while (this.admission.load > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await this.recorder.flush();
    // Beating until every result is written: an attempt that outlives its lease keeps it to the end.
    await this.heartbeat.stop();
  }

  /** Deliveries this worker holds: waiting in lanes, in flight, or with results not yet committed. */
  get load(): number {
    return this.admission.load;
  }

  /** How the deliveries this worker took reached it, so far (see `deliveriesTaken`). */
  private readonly taken: DeliveriesTaken = { handOff: 0, claim: 0, retry: 0 };

  /**
   * Deliveries taken so far: handed over at ingest, claimed for their first attempt, claimed for a
   * later one. New deliveries claimed rather than handed over waited for a claim.
   */
  get deliveriesTaken(): Readonly<DeliveriesTaken> {
    return this.taken;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      this.checkLanes();
      let afterClaim: AfterClaim | null = null;
      if (this.admission.claimLimit() > 0) {
        afterClaim = 'caughtUp';
        try {
          afterClaim = await this.claimAndDispatch();
          if (afterClaim === 'claimMore') continue;
        } catch (error) {
          this.options.log.error({ err: error }, 'claiming deliveries failed');
        }
      }
      await this.idle(this.admission.waitFor(afterClaim));
    }
  }

  /** Claims what is due, each account within its fair share (admission.ts), and starts it; says what the loop should do next. */
  private async claimAndDispatch(): Promise<AfterClaim> {
    const limit = this.admission.claimLimit();
    const now = this.options.clock.now();
    this.admission.claiming();
    const leaseUntil = now + this.options.leaseMs;
    const { deliveries: claimed, caughtUp } = await this.options.queue.claim(this.owner, now, leaseUntil, (due) =>
      this.admission.accountLimits(due),
    );
    const after = this.admission.claimed(
      claimed.map((delivery) => accountKey(delivery.accountId)),
      limit,
      caughtUp,
    );
    if (claimed.length === 0) return after;
    for (const delivery of claimed) {
      if (delivery.attempts === 0) this.taken.claim += 1;
      else this.taken.retry += 1;
    }
    const lanesFull = await this.dispatch(claimed, null, leaseUntil).catch((error: unknown) => {
      // Their lease runs out and they are claimed again; meanwhile their slots are free.
      for (const delivery of claimed) this.release(delivery);
      throw error;
    });
    // When lanes are full, claiming again at once would hand the new ones back too: wait until an
    // attempt finishes (or new work arrives). Otherwise, more is probably due after a full batch.
    return lanesFull ? 'lanesFull' : after;
  }

  /** Room for deliveries the queue is about to hand over: taken only while stopping is not under way and slots are free. */
  reserveSlots(counts: Map<string, number>): boolean {
    return this.running && this.admission.reserve(counts);
  }

  returnSlots(counts: Map<string, number>): void {
    for (const [account, count] of counts) {
      for (let unused = count; unused > 0; unused--) this.releaseSlot(account);
    }
  }

  startHandedOver(handed: HandedDelivery[]): void {
    // Hand-overs of one turn of the event loop are started together (one endpoint lookup for all).
    if (this.handedOver.length === 0) setImmediate(() => this.startAllHandedOver());
    this.handedOver.push(...handed);
  }

  private startAllHandedOver(): void {
    const handed = this.handedOver;
    this.handedOver = [];
    this.taken.handOff += handed.length;
    const events = [...new Map(handed.map(({ event }) => [event.id, event])).values()];
    void this.dispatch(
      handed.map(({ delivery }) => delivery),
      events,
      // The earliest of them: renewed no later than any needs it.
      Math.min(...handed.map(({ leaseUntil }) => leaseUntil)),
    ).catch((error: unknown) => {
      // Their lease runs out and they are claimed again, by this worker or another.
      this.options.log.error({ err: error }, 'starting handed-over deliveries failed');
      for (const { delivery } of handed) this.release(delivery);
    });
  }

  /**
   * Starts claimed deliveries in their lanes (`events` when known, else loaded), held under leases
   * that run until `leaseUntil`; returns whether some lanes were full and their deliveries handed back.
   */
  private async dispatch(claimed: ClaimedDelivery[], known: HookEvent[] | null, leaseUntil: number): Promise<boolean> {
    const readAt = this.options.clock.now();
    const [events, endpoints] = await Promise.all([
      known ?? this.options.targets.getEvents([...new Set(claimed.map((d) => d.eventId))]),
      this.options.targets.getEndpoints([...new Set(claimed.flatMap((d) => (d.endpointId === null ? [] : [d.endpointId])))]),
    ]);
    const eventById = new Map(events.map((event) => [event.id, event]));
    const endpointById = new Map(endpoints.map((endpoint) => [endpoint.id, endpoint]));
    const handBack = new Map<Lane<Job>, Job[]>();
    const sendable: ControlledJob[] = [];
    for (const delivery of claimed) {
      const event = eventById.get(delivery.eventId);
      const endpoint = delivery.endpointId === null ? null : (endpointById.get(delivery.endpointId) ?? null);
      if (event === undefined || (delivery.endpointId !== null && (endpoint === null || !endpoint.active))) {
        // A deleted or disabled endpoint's client-certificate or broker connections are not needed any more.
        if (delivery.endpointId !== null) {
          this.options.sender.forgetEndpoint(delivery.endpointId);
          this.options.brokers.forgetEndpoint(delivery.endpointId);
        }
        this.finishUnsendable(delivery, event === undefined ? 'event_missing' : endpoint === null ? 'endpoint_deleted' : 'endpoint_disabled');
        continue;
      }
      sendable.push({ delivery, event, endpoint });
    }
    const { start, giveBack } = await this.control.admit(sendable);
    this.giveBack(giveBack);
    for (const job of start) {
      this.held.hold(job.delivery.id, leaseUntil);
      const lane = this.enqueue(job, readAt);
      if (lane !== null) handBack.set(lane, [...(handBack.get(lane) ?? []), job]);
    }
    for (const [lane, jobs] of handBack) this.handBack(lane, jobs);
    return handBack.size > 0;
  }

  /**
   * Gives back deliveries that may not start (their endpoint is paused, or its probe is out),
   * attempt count unchanged: due now, the claim skips them until their endpoint's pause is over.
   */
  private giveBack(jobs: Job[]): void {
    if (jobs.length === 0) return;
    for (const job of jobs) this.admission.handedBack(accountKey(job.delivery.accountId), 1);
    void this.options.queue
      .release(
        jobs.map((job) => job.delivery.id),
        this.owner,
        this.options.clock.now(),
      )
      .catch((error: unknown) => this.options.log.error({ err: error }, 'releasing deliveries failed'));
  }

  /** A delivery whose event or endpoint is gone (or endpoint disabled) ends without an attempt. */
  private finishUnsendable(delivery: ClaimedDelivery, reason: string): void {
    const now = this.options.clock.now();
    // `failed` rather than canceled: recovering the endpoint later brings these back.
    void this.record(delivery, {
      deliveryId: delivery.id,
      endpointId: delivery.endpointId,
      fifoKey: delivery.fifoKey ?? null,
      leaseOwner: this.owner,
      attempt: null,
      status: reason === 'endpoint_deleted' || reason === 'event_missing' ? 'canceled' : 'failed',
      nextAttemptAt: null,
      completedAt: now,
      lastStatusCode: delivery.lastStatusCode,
      lastError: reason,
      disableEndpoint: null,
    }).then(() => this.release(delivery));
  }

  /**
   * Starts the job or lets it wait in its lane; returns the lane when it is full or paused (hand the
   * job back). `readAt`: when the job's endpoint was read.
   */
  private enqueue(job: Job, readAt: number): Lane<Job> | null {
    const key = job.endpoint?.id ?? `callback:${new URL(job.delivery.url).origin}`;
    let lane = this.lanes.get(key);
    if (lane === undefined) {
      lane = new Lane(this.options.endpointConcurrency);
      this.lanes.set(key, lane);
    }
    // The endpoint's row, read after this lane paused, says whether the pause still holds: it may
    // have been resumed (the resume route, on any node).
    if (lane.pausedAt <= readAt && job.endpoint?.control?.pausedUntil == null) lane.pausedUntil = 0;
    // Likewise its concurrency: AIMD's limit, changed by answers here or on other nodes.
    if (lane.slotsSetAt <= readAt && job.endpoint !== null) lane.slots = Math.min(this.options.endpointConcurrency, job.endpoint.control?.concurrencyLimit ?? this.options.endpointConcurrency);
    if (lane.pausedUntil > this.options.clock.now()) return lane;
    if (lane.hasFreeSlot) {
      this.run(lane, job);
    } else if (lane.waiting.length < lane.waitingRoom(this.options.concurrency, this.typical)) {
      lane.waiting.push(job);
    } else {
      return lane;
    }
    return null;
  }

  /**
   * Gives deliveries of a full lane back to the queue rather than let them sit on slots that
   * healthy endpoints could use. They become due again when the lane could have reached them.
   */
  private handBack(lane: Lane<Job>, jobs: Job[]): void {
    for (const job of jobs) {
      this.admission.handedBack(accountKey(job.delivery.accountId), 1);
      this.held.drop(job.delivery.id);
    }
    const now = this.options.clock.now();
    // A paused lane's deliveries are due at once: the claim skips them while the endpoint's pause
    // lasts (resuming it early brings them back).
    const dueAt = lane.pausedUntil > now ? now : now + lane.handBackDelayMs(jobs.length);
    void this.options.queue
      .release(
        jobs.map((job) => job.delivery.id),
        this.owner,
        dueAt,
      )
      .catch((error: unknown) => this.options.log.error({ err: error }, 'releasing deliveries failed'));
  }

  /**
   * A lane that turned slow (its endpoint hangs) keeps only what it can start soon; the rest goes
   * back. Lanes idle for a while are forgotten (callback URLs may have any number of origins).
   */
  private checkLanes(): void {
    const now = performance.now();
    if (now - this.lastLaneCheck < LANE_CHECK_EVERY_MS) return;
    this.lastLaneCheck = now;
    for (const [key, lane] of this.lanes) {
      const room = lane.waitingRoom(this.options.concurrency, this.typical);
      if (lane.waiting.length > room) this.handBack(lane, lane.waiting.splice(room));
      else if (lane.idleFor(FORGET_IDLE_LANE_MS)) this.lanes.delete(key);
    }
  }

  private run(lane: Lane<Job>, job: Job): void {
    const finished = lane.start();
    let durationMs = 0;
    let recorded: Promise<void> = Promise.resolve();
    void this.paced(job)
      .then(() => this.attempt(job))
      .then((attempted) => {
        durationMs = attempted.durationMs;
        recorded = attempted.recorded;
        if (attempted.effect.slots !== undefined) {
          lane.slots = attempted.effect.slots;
          lane.slotsSetAt = this.options.clock.now();
        }
        if (attempted.effect.pausedUntil !== null) this.pause(lane, attempted.effect.pausedUntil);
      })
      .catch((error: unknown) => this.options.log.error({ err: error, deliveryId: job.delivery.id }, 'attempt crashed'))
      .finally(() => {
        // The endpoint's slot is free as soon as its answer is in; the worker's slot once the
        // result is committed, so that results waiting to be written are bounded like attempts.
        finished(durationMs);
        this.typical.add(durationMs);
        // As many as the lane has room for now (AIMD may have given it another slot), none while paused.
        if (lane.pausedUntil <= this.options.clock.now()) {
          while (lane.hasFreeSlot && lane.waiting.length > 0) this.run(lane, lane.waiting.shift()!);
        }
        void recorded.then(() => {
          this.held.drop(job.delivery.id);
          this.release(job.delivery);
        });
      });
  }

  /** The endpoint is paused: its lane starts nothing more, and what waits in it goes back to the queue. */
  private pause(lane: Lane<Job>, until: number): void {
    lane.pausedUntil = Math.max(lane.pausedUntil, until);
    lane.pausedAt = this.options.clock.now();
    if (lane.waiting.length > 0) this.handBack(lane, lane.waiting.splice(0));
  }

  /** A delivery's result is on record (or its slot was never used): its worker slot is free. */
  private release(delivery: ClaimedDelivery): void {
    this.releaseSlot(accountKey(delivery.accountId));
  }

  private releaseSlot(account: string): void {
    if (this.admission.released(account)) this.wakeUp?.();
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
    const startAt = await this.options.targets.reserveRateSlot(job.endpoint.id, now, Math.max(1, Math.round(1000 / rate)));
    if (startAt > now) await new Promise((resolve) => setTimeout(resolve, startAt - now));
  }

  /** Queues the result for the next batched write; resolves once it is committed. */
  private record(delivery: ClaimedDelivery, record: AttemptRecord): Promise<void> {
    const committed = this.recorder.record(record);
    const retryAt = record.status === 'pending' ? record.nextAttemptAt : null;
    if (retryAt !== null) void committed.then(() => this.wakeAt(retryAt), () => undefined);
    const onRecorded = this.options.onRecorded;
    if (onRecorded !== undefined) void committed.then(() => onRecorded(delivery, record));
    return committed;
  }

  /**
   * Makes the attempt and records it: how long the request took, when its result is committed, and
   * what the answer does to its endpoint's lane (a pause, fewer or more slots), settled before the
   * lane starts its next attempt.
   */
  private async attempt(job: ControlledJob): Promise<{ durationMs: number; recorded: Promise<void>; effect: LaneEffect }> {
    const { durationMs, record } = await makeAttempt(job, this.attemptContext);
    const recorded = this.record(job.delivery, record);
    return { durationMs, recorded, effect: await this.control.afterAttempt(job, record) };
  }

  /** Waits for a wake-up (see WakeOn) or the idle poll, which is what picks up retries coming due. */
  private idle(wakeOn: WakeOn): Promise<void> {
    if (!this.admission.startWaiting(wakeOn, this.running)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeUp = null;
        this.admission.stopWaiting();
        resolve();
      };
      const timer = setTimeout(done, this.idlePollMs);
      this.wakeUp = done;
      for (const ranAndWaits of this.loopWaiters.splice(0)) ranAndWaits();
    });
  }
}
