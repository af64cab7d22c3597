import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Clock } from '../domain/clock.js';
import type { ClaimedDelivery } from '../domain/types.js';
import type { DeliveriesTaken } from '../delivery/worker.js';
import type { AttemptRecord, IngestOutcome, Store } from '../store/store.js';
import { VERSION } from '../version.js';
import { TalliedCounter } from './tallied-counter.js';

// What /metrics shows, in Prometheus' text format. One registry per running hookd: tests run
// several servers in one process, and each must count only its own traffic. Counters are bumped
// on the hot paths (ingest, attempt results) without allocating; the queue is read from the
// database when Prometheus scrapes, so it is the queue every node shares.

/**
 * Label values that grow with the provider's data are capped: the first values seen since the
 * start get their own series, later ones are counted under `_other`. Ten thousand endpoints, or a
 * runaway catalog with strict mode off, must not blow up Prometheus.
 */
const MAX_ENDPOINT_SERIES = 1000;
const MAX_EVENT_TYPE_SERIES = 500;

/**
 * The queue's depth is counted over the pending rows' partial indexes, so the count's time grows
 * with the backlog (146 ms early in a 30-minute PostgreSQL soak, 800 ms by its end). A count that
 * took QUEUE_REUSE_FROM_MS or more is reused for QUEUE_REUSE_FACTOR times its own duration (at most
 * QUEUE_REUSE_MAX_MS): however large the backlog and however often Prometheus scrapes, counting
 * takes at most 1/20 of the time. A quicker count (a queue of a few thousand) is never reused.
 */
const QUEUE_REUSE_FROM_MS = 50;
const QUEUE_REUSE_FACTOR = 20;
const QUEUE_REUSE_MAX_MS = 60_000;

/** Seconds; an attempt is bounded by its endpoint's timeout (at most 60 s). */
const ATTEMPT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export interface MetricsOptions {
  store: Store;
  clock: Clock;
  role: string;
  /** HOOKD_WORKER_CONCURRENCY; null on `api` nodes, which have no worker. */
  workerConcurrency: number | null;
  /** Deliveries the worker holds (being attempted, or waiting in an endpoint lane), read at scrape time. */
  workerLoad: () => number;
  /** The deliveries the worker took so far, by how they reached it, read at scrape time. */
  workerTaken: () => Readonly<DeliveriesTaken>;
  onQueueError: (error: unknown) => void;
}

let processRegistry: Registry | null = null;

/**
 * CPU, memory, event loop and GC belong to the process, not to one hookd: they are collected once
 * per process (each collector starts its own event-loop monitor, which must not pile up per server).
 */
function processMetrics(): Registry {
  if (processRegistry === null) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** What the delivery's state became: its final status, or `retrying` when another attempt is scheduled. */
function outcomeOf(record: AttemptRecord): string {
  return record.status === 'pending' ? 'retrying' : record.status;
}

const STATUS_CLASSES = ['other', '1xx', '2xx', '3xx', '4xx', '5xx'];

/** `2xx` … `5xx` for a response, the error word (`timeout`, `connection_refused`, …) otherwise. */
function resultOf(attempt: NonNullable<AttemptRecord['attempt']>): string {
  if (attempt.statusCode !== null) return STATUS_CLASSES[Math.floor(attempt.statusCode / 100)] ?? 'other';
  return attempt.error ?? 'network';
}

export class HookdMetrics {
  private readonly registry = new Registry();
  private readonly registers = [this.registry];

  private readonly ingestedByType = new TalliedCounter(this.registry, {
    name: 'hookd_events_ingested_total',
    help: 'Events stored by this node (idempotent repeats not included), by type.',
    labelNames: ['type'],
    maxFirstLabelValues: MAX_EVENT_TYPE_SERIES,
  });

  private readonly deliveries = new TalliedCounter(this.registry, {
    name: 'hookd_deliveries_total',
    help:
      "Delivery state changes recorded by this node's worker: succeeded, failed (retries exhausted), dropped, canceled, " +
      'aborted (the receiver asked), or retrying (an attempt failed and another is scheduled). endpoint is the endpoint id, or "callback".',
    labelNames: ['endpoint', 'outcome'],
    maxFirstLabelValues: MAX_ENDPOINT_SERIES,
  });

  private readonly attempts = new TalliedCounter(this.registry, {
    name: 'hookd_attempts_total',
    help:
      "Attempts made by this node, to HTTP receivers and brokers alike, by result: the status class (2xx…5xx; a broker's acknowledgement is 2xx) or the error (timeout, connection_refused, dns, auth, not_found, unroutable, rejected, …).",
    labelNames: ['result'],
    maxFirstLabelValues: 50,
  });

  private readonly attemptDuration = new Histogram({
    name: 'hookd_attempt_duration_seconds',
    help: "How long each attempt took, from sending the request (or publishing the message) to the end of the response, the broker's acknowledgement or the error.",
    buckets: ATTEMPT_BUCKETS,
    registers: this.registers,
  });

  private readonly queueDepth = new Gauge({
    name: 'hookd_queue_depth',
    help:
      "Deliveries in the shared queue (every node's): due = waiting for a worker now, scheduled = retries waiting for " +
      'their time, sending = leased to a worker, waiting = ordered (fifo) deliveries waiting for the one before them. The same on every node: aggregate with max, not sum.',
    labelNames: ['state'],
    registers: this.registers,
  });

  private readonly oldestDueAge = new Gauge({
    name: 'hookd_oldest_due_delivery_age_seconds',
    help: 'How long the longest-waiting due delivery has been due (0 when none is). Growing means the workers are not keeping up.',
    registers: this.registers,
  });

  private readonly databaseUp = new Gauge({
    name: 'hookd_database_up',
    help: '1 when the queue could be read from the database at this scrape; 0 otherwise, and the queue gauges are then absent or NaN.',
    registers: this.registers,
  });

  private queueRefresh: Promise<void> | null = null;
  /** performance.now() until which the last count stands for the queue; the oldest due age still moves with the clock. */
  private queueCountedUntil = 0;
  private oldestDueAt: number | null = null;

  constructor(private readonly options: MetricsOptions) {
    // Started with the server, so that process CPU time and event-loop delay count from then on.
    processMetrics();
    new Gauge({
      name: 'hookd_info',
      help: 'Always 1; the labels tell the version, role and database of this node.',
      labelNames: ['version', 'role', 'database'],
      registers: this.registers,
    }).set({ version: VERSION, role: options.role, database: options.store.dialect }, 1);
    this.registerWorkerGauges();
  }

  /** An ingest commit of the publisher (the events API, operations, operational events, endpoint tests). */
  eventsIngested(outcomes: readonly IngestOutcome[]): void {
    // A conflict anywhere rolls the whole call back: nothing of it was stored.
    if (outcomes.some((outcome) => outcome.outcome === 'conflict')) return;
    for (const outcome of outcomes) {
      if (outcome.outcome === 'created') this.ingestedByType.inc(outcome.event.type);
    }
  }

  /** A delivery's new state, committed by this node's worker, with the attempt that led to it (if any). */
  deliveryRecorded(delivery: ClaimedDelivery, record: AttemptRecord): void {
    this.deliveries.inc(delivery.endpointId ?? 'callback', outcomeOf(record));
    if (record.attempt === null) return;
    this.attempts.inc(resultOf(record.attempt));
    this.attemptDuration.observe(record.attempt.durationMs / 1000);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition: this hookd's metrics, then the process's. */
  async exposition(): Promise<string> {
    await this.refreshQueue();
    return (await this.registry.metrics()) + (await processMetrics().metrics());
  }

  /** Reads the queue for this scrape, unless a recent count stands (QUEUE_REUSE_FACTOR); concurrent scrapes share one read. */
  private async refreshQueue(): Promise<void> {
    if (performance.now() < this.queueCountedUntil) {
      this.setOldestDueAge(this.options.clock.now());
      return;
    }
    this.queueRefresh ??= this.readQueue().finally(() => (this.queueRefresh = null));
    return this.queueRefresh;
  }

  private async readQueue(): Promise<void> {
    try {
      const now = this.options.clock.now();
      const started = performance.now();
      const stats = await this.options.store.queueStats(now);
      const tookMs = performance.now() - started;
      this.queueCountedUntil = tookMs < QUEUE_REUSE_FROM_MS ? 0 : performance.now() + Math.min(QUEUE_REUSE_MAX_MS, QUEUE_REUSE_FACTOR * tookMs);
      this.queueDepth.set({ state: 'due' }, stats.due);
      this.queueDepth.set({ state: 'scheduled' }, stats.scheduled);
      this.queueDepth.set({ state: 'sending' }, stats.sending);
      this.queueDepth.set({ state: 'waiting' }, stats.waiting);
      this.oldestDueAt = stats.oldestDueAt;
      this.setOldestDueAge(now);
      this.databaseUp.set(1);
    } catch (error) {
      // The scrape still answers while the database is away: process and worker metrics stay useful.
      this.queueCountedUntil = 0;
      this.queueDepth.reset();
      this.oldestDueAge.set(Number.NaN);
      this.databaseUp.set(0);
      this.options.onQueueError(error);
    }
  }

  private setOldestDueAge(now: number): void {
    this.oldestDueAge.set(this.oldestDueAt === null ? 0 : Math.max(0, now - this.oldestDueAt) / 1000);
  }

  /** The in-flight body budget's use and size (HOOKD_MAX_INFLIGHT_BODY_BYTES), read at each scrape. */
  observeInflightBodies(budget: { readonly usedBytes: number; readonly limitBytes: number }): void {
    new Gauge({
      name: 'hookd_inflight_body_bytes',
      help: 'Bytes of request bodies this node is receiving or holding parsed now; at HOOKD_MAX_INFLIGHT_BODY_BYTES, new bodies get 503.',
      registers: this.registers,
      collect() {
        this.set(budget.usedBytes);
      },
    });
    new Gauge({
      name: 'hookd_inflight_body_limit_bytes',
      help: 'HOOKD_MAX_INFLIGHT_BODY_BYTES: the most bytes of request bodies this node holds at once.',
      registers: this.registers,
    }).set(budget.limitBytes);
  }

  private registerWorkerGauges(): void {
    const { workerConcurrency: concurrency, workerLoad: load, workerTaken: taken } = this.options;
    if (concurrency === null) return;
    new Counter({
      name: 'hookd_worker_deliveries_taken_total',
      help:
        "Deliveries this node's worker took, by how they reached it: hand_off (stored by this node's ingest and started at once), " +
        'claim (a first attempt claimed from the queue), retry (a later attempt claimed). New deliveries claimed rather than handed over waited for a claim.',
      labelNames: ['via'],
      registers: this.registers,
      collect() {
        const { handOff, claim, retry } = taken();
        this.reset();
        this.inc({ via: 'hand_off' }, handOff);
        this.inc({ via: 'claim' }, claim);
        this.inc({ via: 'retry' }, retry);
      },
    });
    new Gauge({
      name: 'hookd_worker_in_flight',
      help: "Deliveries this node's worker holds: being attempted, or waiting in an endpoint lane.",
      registers: this.registers,
      collect() {
        this.set(load());
      },
    });
    new Gauge({
      name: 'hookd_worker_concurrency',
      help: "How many deliveries this node's worker may hold at once (HOOKD_WORKER_CONCURRENCY).",
      registers: this.registers,
    }).set(concurrency);
    new Gauge({
      name: 'hookd_worker_saturation',
      help: 'hookd_worker_in_flight / hookd_worker_concurrency: near 1, the worker is the bottleneck.',
      registers: this.registers,
      collect() {
        this.set(load() / concurrency);
      },
    });
  }
}
