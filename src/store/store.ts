import type { SealCounts } from './shared/sealing.js';
import type {
  Account,
  ApiKey,
  Attempt,
  ClaimedDelivery,
  Delivery,
  DeliveryStatus,
  Endpoint,
  EndpointSecrets,
  EndpointSigningKeys,
  EndpointSpec,
  EndpointWithSecrets,
  EventType,
  HookEvent,
  KeyKind,
  Operation,
  OperationStatus,
} from '../domain/types.js';
import type { BreakerState } from '../domain/endpoint-state.js';

// The Store is the only way the rest of hookd touches the database, as one narrow interface per
// concern (keys, events, endpoints, deliveries, the queue, operations, maintenance); each adapter
// implements them in one file per concern. Times are unix milliseconds; callers pass `now` so that
// adapters never read the clock.

export interface Page {
  limit: number;
  /** Opaque, from a previous page's nextCursor. */
  cursor: string | null;
}

export interface PageOf<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ApiKeyRecord extends ApiKey {
  revoked: boolean;
}

export interface NewApiKey {
  id: string;
  kind: KeyKind;
  accountId: string | null;
  name: string | null;
  keyHash: string;
  createdAt: number;
  expiresAt: number | null;
  rateLimitPerSecond: number | null;
}

export interface AccountPatch {
  name?: string | null;
  enabled?: boolean;
  metadata?: Record<string, unknown>;
}

export interface EventTypeFilter {
  category?: string;
  includeArchived?: boolean;
}

export interface EndpointFilter {
  /** Endpoints of exactly this account; `null` for provider-level ones only. */
  accountId?: string | null;
  /** Endpoints whose subscription includes this type (patterns matched). */
  eventType?: string;
  active?: boolean;
}

export interface NewEvent {
  event: HookEvent;
  /** Deliveries to create with the event, unless the event turns out to be a duplicate. */
  deliveries: Delivery[];
  /** Whether the id was given by the client (idempotency applies). */
  clientId: boolean;
  /**
   * Store the deliveries already claimed (`sending`) under this lease rather than `pending`: they
   * are handed straight to the local worker, which would otherwise claim them a moment later.
   * Like a claim, the lease runs out if that worker dies, and any worker takes them over.
   */
  lease?: DeliveryLease | null;
}

/** A created event's outcome; `parked`: ids of deliveries stored parked (of this event's or others'), named on the outcome when some are its own. */
export function createdOutcome(item: NewEvent, parked: ReadonlySet<string>): IngestOutcome {
  const ids = parked.size === 0 ? [] : item.deliveries.filter((delivery) => parked.has(delivery.id)).map((delivery) => delivery.id);
  return { outcome: 'created', event: item.event, deliveries: item.deliveries.length, ...(ids.length > 0 ? { parked: ids } : {}) };
}

/** The deliveries an ingest outcome stored queued (leased or due), not parked: none unless its event was created. */
export function queuedDeliveries(item: NewEvent, outcome: IngestOutcome): Delivery[] {
  if (outcome.outcome !== 'created') return [];
  const parked = outcome.parked;
  return parked === undefined ? item.deliveries : item.deliveries.filter((delivery) => !parked.includes(delivery.id));
}

export interface DeliveryLease {
  owner: string;
  until: number;
}

export type IngestOutcome =
  | {
      outcome: 'created';
      event: HookEvent;
      deliveries: number;
      /**
       * Its deliveries stored parked, neither leased nor due, because their endpoint was paused at
       * `now` (shared/parking.ts): the claim that ends the pause brings them back. Absent: none.
       */
      parked?: readonly string[];
    }
  /** The same client id within the idempotency window: nothing new was stored. */
  | { outcome: 'duplicate'; event: HookEvent; deliveries: number }
  /** The id was used before the idempotency window: it cannot be reused while that event is kept. */
  | { outcome: 'conflict'; event: HookEvent };

export interface EventFilter {
  type?: string;
  accountId?: string;
  correlationId?: string;
  since?: number;
  until?: number;
}

export interface DeliveryFilter {
  endpointId?: string;
  eventId?: string;
  status?: DeliveryStatus;
  correlationId?: string;
  accountId?: string;
}

/** What a worker learned from one attempt, to write back under its lease. */
export interface AttemptRecord {
  deliveryId: string;
  /** The delivery's endpoint (null for a callbackUrl): its health is updated with the attempt. */
  endpointId: string | null;
  /** The delivery's FIFO chain (Delivery.fifoKey): when it ends, the next delivery of the chain becomes due. */
  fifoKey?: string | null;
  leaseOwner: string;
  /** Null when the delivery ends without an attempt (its endpoint was deleted or disabled meanwhile). */
  attempt: Attempt | null;
  /** The delivery's state after this attempt. */
  status: DeliveryStatus;
  nextAttemptAt: number | null;
  completedAt: number | null;
  lastStatusCode: number | null;
  lastError: string | null;
  /** Disables the delivery's endpoint with this reason, in the same transaction (410 Gone). */
  disableEndpoint: string | null;
}

export interface EndpointStats {
  /** Attempts by outcome: `succeeded` (2xx) or `failed` (anything else). */
  attempts: { total: number; succeeded: number; failed: number };
  /** Attempt durations in milliseconds, from the rollups' latency histogram (see latency-histogram.ts); null without attempts. */
  latencyMs: { p50: number | null; p90: number | null; p99: number | null };
}

export interface EndpointStatsQuery {
  /** Each window's start: the window runs from the minute holding it to now. */
  windows: readonly number[];
  series: { since: number; until: number; bucketMs: number } | null;
}

export interface EndpointStatsReport {
  /** In the query's order. */
  windows: EndpointStats[];
  series: AttemptBucket[];
}

/** The shared queue at one moment, for metrics: every node's deliveries, not only this one's. */
export interface QueueStats {
  /** Pending deliveries whose time has come (waiting for a worker). */
  due: number;
  /** Pending deliveries whose next attempt is later (retries waiting for their time). */
  scheduled: number;
  /** Deliveries leased to a worker right now (being attempted). */
  sending: number;
  /** Deliveries of a `fifo` endpoint waiting for the one before them in their ordering key's chain. */
  waiting: number;
  /** The earliest `nextAttemptAt` among due deliveries; null when none is due. */
  oldestDueAt: number | null;
}

/** The attempts to an endpoint that started in one time bucket. */
export interface AttemptBucket {
  /** The bucket's first millisecond. */
  start: number;
  total: number;
  succeeded: number;
  /** Nearest-rank percentiles of the bucket's attempt durations, from its latency histogram like EndpointStats. */
  latencyMs: { p50: number; p99: number };
}

export interface OperationFilter {
  status?: OperationStatus;
  type?: string;
  accountId?: string;
}

export interface PurgeCounts {
  events: number;
  deliveries: number;
  attempts: number;
  operations: number;
  /** API keys that expired before the cutoff (portal sessions, mostly): no use to anyone any more. */
  keys: number;
  /** Endpoint stats rollup rows (per endpoint and minute) of minutes before the cutoff. */
  rollups: number;
}

/**
 * The statements of the delivery queue (see src/queue/delivery-queue.ts, the only caller besides
 * tests): a delivery's life from ingest to its last attempt, and the signal that work is due.
 */
/** An account has as many endpoints as it may have (HOOKD_ACCOUNT_MAX_ENDPOINTS). */
export class EndpointLimitReached extends Error {
  constructor(readonly limit: number) {
    super(`an account may have at most ${limit} endpoints`);
  }
}

/** How many of one account's due deliveries a claim may take (account '': provider-level). */
export interface AccountLimit {
  account: string;
  limit: number;
}

export interface QueueStore {
  readonly dialect: 'sqlite' | 'postgres';
  /**
   * Events with their deliveries in one transaction: the 202 is sent only after it commits. If any
   * outcome is a conflict, the transaction is rolled back and nothing of the call is stored.
   * Deliveries to an endpoint paused at `now` (not ordered ones) are stored parked, whatever their
   * event's lease says: read in the same transaction as the insert, so the pause is never stale.
   */
  ingestEvents(events: NewEvent[], dedupeSince: number, now: number): Promise<IngestOutcome[]>;
  insertDeliveries(deliveries: Delivery[]): Promise<void>;
  /** Atomically leases up to `limit` due pending deliveries to `owner`, oldest due first. */
  claimDueDeliveries(owner: string, now: number, limit: number, leaseUntil: number): Promise<ClaimedDelivery[]>;
  /**
   * Fair shares between accounts: up to `max` accounts (accountKey: '' for provider-level) with
   * pending deliveries due at `now`, in key order after `after`, then round from the first.
   */
  dueAccounts(now: number, after: string, max: number): Promise<string[]>;
  /** Like claimDueDeliveries, with a limit per account: each account's due deliveries oldest first. */
  claimDueDeliveriesOf(owner: string, now: number, limits: AccountLimit[], leaseUntil: number): Promise<ClaimedDelivery[]>;
  /** Writes attempts and their deliveries' new state, in one transaction; only under a held lease. */
  recordAttempts(records: AttemptRecord[]): Promise<void>;
  /** Gives leased deliveries back (shutdown, or a lane too full): pending again at `nextAttemptAt`. */
  releaseDeliveries(ids: string[], owner: string, nextAttemptAt: number): Promise<void>;
  /** Crash recovery: deliveries whose lease ran out become pending. Returns how many. */
  releaseExpiredLeases(now: number): Promise<number>;
  /**
   * The heartbeat of the node whose worker claims as `owner`: it was alive at `now`. Its row in
   * `nodes` is written (created on the first beat, with `now` as its start).
   */
  beat(owner: string, now: number): Promise<void>;
  /** Extends to `until` the leases `owner` still holds among `ids`; returns those ids (the others were lost). */
  renewLeases(ids: string[], owner: string, until: number): Promise<string[]>;
  /**
   * Crash recovery: deliveries leased by nodes other than `owner` whose heartbeat is older than
   * `deadBefore` become pending, and those nodes are forgotten. Returns how many deliveries.
   */
  releaseLeasesOfDeadNodes(owner: string, deadBefore: number): Promise<number>;
  /** The earliest `nextAttemptAt` of pending deliveries, so an idle worker knows when to look again. */
  nextDueAt(): Promise<number | null>;
  /**
   * Parking (src/store/shared/parking.ts): parks the due deliveries of paused endpoints among the
   * first `limit` + a few due rows of each account, before those accounts are claimed. Returns how many.
   */
  parkPausedDue(now: number, limits: AccountLimit[]): Promise<number>;
  /** Un-parks, oldest first, up to `perEndpoint` parked deliveries of each endpoint not paused at `now`. Returns how many. */
  unparkResumed(now: number, perEndpoint: number): Promise<number>;
  /** When parked work may be claimed again (its endpoint's pause ends), so an idle worker wakes then; null: none parked. */
  nextParkedAt(): Promise<number | null>;
  /** Queue depth as of `now`, read from the partial indexes of pending and leased rows. */
  queueStats(now: number): Promise<QueueStats>;
  /**
   * Calls the listener when deliveries became due on any node (PostgreSQL LISTEN/NOTIFY). The
   * embedded store serves one node, whose queue wakes its worker directly: it never calls.
   */
  onNewWork(listener: () => void): () => void;
  /** Tells other nodes that deliveries became due (PostgreSQL NOTIFY; nothing on SQLite). */
  announceNewWork(): Promise<void>;
}

/** Settings (small server-wide values such as the callback signing secret), API keys and accounts. */
export interface KeyStore {
  getSetting(name: string): Promise<string | null>;
  /** Stores `value` unless the setting exists; returns the value that is stored. */
  initSetting(name: string, value: string): Promise<string>;
  replaceSetting(name: string, value: string): Promise<void>;

  createKey(key: NewApiKey): Promise<ApiKey>;
  findKeyByHash(keyHash: string): Promise<ApiKeyRecord | null>;
  listKeys(page: Page): Promise<PageOf<ApiKey>>;
  /** Returns false when there is no such live key. */
  revokeKey(id: string, now: number): Promise<boolean>;
  touchKeys(ids: string[], now: number): Promise<void>;
  countLiveKeys(kind: KeyKind): Promise<number>;

  // Accounts: created the first time an id is used.
  ensureAccount(id: string, now: number): Promise<Account>;
  getAccount(id: string): Promise<Account | null>;
  listAccounts(page: Page): Promise<PageOf<Account>>;
  putAccount(id: string, patch: AccountPatch, now: number): Promise<Account>;
  /**
   * The account's callback signing secret, `candidate` stored first if it has none yet (one
   * conditional write: when several nodes race, the first one's is kept and every caller gets it).
   * Null when there is no such account.
   */
  initAccountCallbackSecret(id: string, candidate: string): Promise<string | null>;
  /** The account's callback signing secret; null when it has none yet or there is no such account. */
  getAccountCallbackSecret(id: string): Promise<string | null>;
  /** Writes the secret back sealed with the current key (`hookd secrets reseal`). */
  replaceAccountCallbackSecret(id: string, secret: string): Promise<void>;
}

/** The catalog of event types, and stored events (written by QueueStore.ingestEvents). */
export interface EventStore {
  createEventType(eventType: EventType): Promise<EventType | null>;
  /** Creates or refreshes built-in types. */
  upsertBuiltInEventTypes(eventTypes: EventType[]): Promise<void>;
  getEventType(name: string): Promise<EventType | null>;
  listEventTypes(filter: EventTypeFilter, page: Page): Promise<PageOf<EventType>>;
  replaceEventType(eventType: EventType): Promise<EventType | null>;

  getEvent(id: string): Promise<HookEvent | null>;
  getEvents(ids: string[]): Promise<HookEvent[]>;
  listEvents(filter: EventFilter, page: Page): Promise<PageOf<HookEvent>>;
}

export interface EndpointStore {
  /** Throws EndpointLimitReached when the endpoint's account already has `maxPerAccount` endpoints. */
  createEndpoint(endpoint: EndpointWithSecrets, maxPerAccount?: number): Promise<Endpoint>;
  getEndpoint(id: string): Promise<EndpointWithSecrets | null>;
  getEndpoints(ids: string[]): Promise<EndpointWithSecrets[]>;
  listEndpoints(filter: EndpointFilter, page: Page): Promise<PageOf<Endpoint>>;
  updateEndpoint(id: string, spec: EndpointSpec, now: number): Promise<Endpoint | null>;
  setEndpointSecrets(id: string, secrets: EndpointSecrets, now: number): Promise<boolean>;
  /** Replaces the ed25519 key pair (a rotation, a reseal). False when the endpoint is gone. */
  setEndpointSigningKeys(id: string, keys: EndpointSigningKeys, now: number): Promise<boolean>;
  /** Stores a first ed25519 key pair; false (nothing written) when the endpoint already has one or is gone. */
  addEndpointSigningKeys(id: string, keys: EndpointSigningKeys, now: number): Promise<boolean>;
  /** Deletes the endpoint and cancels its pending deliveries. */
  deleteEndpoint(id: string, now: number): Promise<boolean>;
  /**
   * The endpoint's attempts, read from its per-minute rollups in one statement: for each window,
   * those from the minute holding its `since` on; and the series, if asked, those in [since, until)
   * grouped in buckets of `bucketMs` starting at `since`, oldest first, buckets without attempts
   * left out (for charts; `since`, `until` and `bucketMs` are whole minutes).
   */
  endpointStats(endpointId: string, query: EndpointStatsQuery): Promise<EndpointStatsReport>;
  /** Active endpoints that may hear an event of this account: the account's own and the provider-level ones. */
  findCandidateEndpoints(accountId: string | null): Promise<Endpoint[]>;
}

/**
 * Receiver control of a whole endpoint (see domain/endpoint-state.ts): its pause and circuit
 * breaker, in columns of the endpoint row that every node's claim reads. Each change is one
 * conditional statement, so when several nodes see the same thing only one of them changes it
 * (and emits the operational event).
 */
export interface EndpointControlStore {
  /** Pauses the endpoint until `until` (a pause in force is lengthened); true when a pause began (none was in force at `now`). */
  pauseEndpoint(id: string, until: number, reason: string, now: number): Promise<boolean>;
  /** One more failed attempt in the breaker's run; the breaker as it is now (null: endpoint gone). */
  countEndpointFailure(id: string): Promise<BreakerState | null>;
  /**
   * Opens the breaker until `until` with `cooldownMs`, unless it changed since it was read with
   * `seenCooldownMs` (another node opened it). True when this call opened it.
   */
  openBreaker(id: string, until: number, cooldownMs: number, seenCooldownMs: number, reason: string): Promise<boolean>;
  /** Half-open: takes the one probe allowed (the endpoint stays paused until `until`, the probe's lease). True for the caller that got it. */
  takeEndpointProbe(id: string, now: number, until: number): Promise<boolean>;
  /** The receiver answered: the failure run ends and a breaker closes; true when a pause ended (over, or a probe's). */
  endpointAnswered(id: string, now: number): Promise<boolean>;
  /** Ends a pause now (and resets the breaker); true when one was in force. */
  resumeEndpoint(id: string, now: number): Promise<boolean>;
  /**
   * A 429 without Retry-After: the run of successes restarts, and the concurrency limit that was in
   * force (null: the configured maximum) is returned so the caller can lower it with setConcurrencyLimit.
   */
  restartConcurrencyRun(id: string): Promise<{ limit: number | null } | null>;
  /** One more success of a throttled endpoint: its limit and run of successes now (null: not throttled). */
  countThrottledSuccess(id: string): Promise<{ limit: number; successes: number } | null>;
  /** Sets the limit (null: the configured maximum) unless it changed since it was read as `seen`; the run restarts. */
  setConcurrencyLimit(id: string, limit: number | null, seen: number | null): Promise<boolean>;
}

/** Deliveries and their attempts as the API sees them, and what a user does to them by hand. */
export interface DeliveryStore {
  getDelivery(id: string): Promise<Delivery | null>;
  listDeliveries(filter: DeliveryFilter, page: Page): Promise<PageOf<Delivery>>;
  /** A manual retry: due now; a finished delivery gets exactly one more attempt. Null when missing or in flight. */
  retryDelivery(id: string, now: number): Promise<Delivery | null>;
  /** Cancels a pending delivery; null when it is not pending. */
  cancelDelivery(id: string, now: number): Promise<Delivery | null>;
  listAttempts(deliveryId: string, page: Page): Promise<PageOf<Attempt>>;
  /** Recover: every `failed` delivery of the endpoint created since then becomes due now. Returns how many. */
  requeueFailedDeliveries(endpointId: string, since: number, now: number): Promise<number>;
}

/** Protocol-numbered operations (seed 000). */
export interface OperationStore {
  createOperation(operation: Operation): Promise<void>;
  getOperation(protocol: string): Promise<Operation | null>;
  listOperations(filter: OperationFilter, page: Page): Promise<PageOf<Operation>>;
  /** Pending operations whose timeout has passed, oldest first. */
  dueOperations(now: number, limit: number): Promise<Operation[]>;
  /** Pending → timed_out; returns the ones this call changed (each changes once, whoever sweeps). */
  markOperationsTimedOut(protocols: string[], now: number): Promise<Operation[]>;
  /**
   * Records the outcome of an operation that has none yet (pending or timed out; `late` when timed
   * out). Null when it already has an outcome or does not exist.
   */
  completeOperation(protocol: string, status: 'succeeded' | 'failed', resultData: string | null, now: number): Promise<Operation | null>;
  /** Timeouts and outcomes recorded at or before the time whose webhook is not yet flagged as published. */
  operationsAwaitingNotice(recordedBefore: number, limit: number): Promise<Operation[]>;
  markOperationNotified(protocol: string, notice: 'timeout' | 'outcome'): Promise<void>;
}

/** What the sweeps and the worker keep in order across nodes: auto-disable, rate-limit slots, retention. */
export interface MaintenanceStore {
  /**
   * Seals with the current key every secret stored in the clear or under an old key (endpoint
   * secrets, ed25519 keys, auth secrets, custom header values, secret settings); returns how many
   * endpoints and settings it rewrote. Cheap when nothing is stale: one read of the secret columns.
   * On PostgreSQL one node at a time does it; the others return zeros at once.
   */
  sealStaleSecrets(): Promise<SealCounts>;
  /**
   * Auto-disable: active endpoints whose every attempt since `failingSince` or earlier has failed, with
   * at least `minFailures` of them, become inactive with the reason given for their failure run. Returns them.
   */
  disableFailingEndpoints(
    failingSince: number,
    minFailures: number,
    reasonFor: (failingSince: number) => string,
    now: number,
  ): Promise<Endpoint[]>;
  /**
   * Reserves the next start slot of an endpoint limited to one attempt per `intervalMs`: returns
   * when this attempt may start (now, or later if earlier attempts took the slots before).
   */
  reserveRateSlot(endpointId: string, now: number, intervalMs: number): Promise<number>;
  /**
   * Deletes one batch of data older than `cutoff`: events whose deliveries are all finished, with
   * those deliveries and (on SQLite; see dropAttemptsBefore) their attempts, finished operations, and keys that expired. Returns what it deleted; call
   * again until it deletes nothing. Safe to run on several nodes at once.
   */
  purgeBefore(cutoff: number, batchSize: number): Promise<PurgeCounts>;
  /**
   * PostgreSQL keeps attempts in one partition per UTC day: makes sure those of the day of `now` and
   * the `daysAhead` days after it exist, and returns how many it created. SQLite: nothing to do (0).
   */
  prepareAttemptPartitions(now: number, daysAhead: number): Promise<number>;
  /**
   * PostgreSQL: drops the day partitions of attempts that hold only attempts older than `cutoff` (there
   * purgeBefore leaves attempts alone); returns how many attempts went. SQLite: 0, purgeBefore deletes
   * attempts with their deliveries.
   */
  dropAttemptsBefore(cutoff: number): Promise<number>;
  /**
   * PostgreSQL: folds the shards of each endpoint's stats rollup minute in [from, until) into one
   * row, so reading stats costs a row a minute (postgres/rollup-shards.ts); returns how many shard
   * rows it folded into shard 0, or null when another node is merging. SQLite writes one row a minute: 0.
   */
  mergeRollupShards(from: number, until: number): Promise<number | null>;
}

/** A database setting to change, and why. */
export interface ConfigurationWarning {
  /** The setting, as the database names it (`autovacuum`, a table's `autovacuum_enabled`). */
  setting: string;
  message: string;
}

/** Opening, migrating and closing the database. */
export interface StoreLifecycle {
  readonly dialect: 'sqlite' | 'postgres';
  /** Applies pending migrations; safe to call from several processes at once. */
  migrate(): Promise<void>;
  /** True when the database answers and every migration is applied. */
  isReady(): Promise<boolean>;
  /** Server settings that will hurt hookd (PostgreSQL's autovacuum off), each to be logged at start; none on SQLite. */
  configurationWarnings(): Promise<ConfigurationWarning[]>;
  close(): Promise<void>;
}

/**
 * Everything an adapter offers, for the code that wires it (server.ts, app.ts, tests). Every other
 * consumer names the narrow interface it uses. Each adapter (SQLite, PostgreSQL) runs the same
 * conformance suite (test/store/conformance.ts).
 */
export type Store = StoreLifecycle &
  KeyStore &
  EventStore &
  EndpointStore &
  EndpointControlStore &
  DeliveryStore &
  QueueStore &
  OperationStore &
  MaintenanceStore;
