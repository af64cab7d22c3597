import type { Clock } from '../domain/clock.js';
import { newId } from '../domain/ids.js';
import { isSubscribed } from '../domain/subscriptions.js';
import type { ClaimedDelivery, Delivery, Endpoint, HookEvent } from '../domain/types.js';
import type { DeliveryLease, IngestOutcome, NewEvent, Store } from '../store/store.js';
import { GroupCommit } from './group-commit.js';

// Publishing an event: decide which endpoints hear it (fan-out), then store the event and all its
// deliveries in one transaction. Only after that commit may the caller answer 202. Used by the
// events API, and by hookd itself for operations and operational events.
//
// When this node's worker has nothing older waiting, new deliveries are stored already leased to
// it and handed over at commit: it starts them at once, without a claim (a write and a read).

/** An idempotent client id is honoured for this long (contract: 24 h). */
export const IDEMPOTENCY_WINDOW_MS = 24 * 3600 * 1000;

export interface EventToPublish {
  event: HookEvent;
  /** The id came from the client: a repeat within the window is the same event. */
  clientId: boolean;
  /** The payload parsed, for subscription filters. */
  payloadValue: unknown;
}

/** A local worker that takes new deliveries straight from ingest (see DeliveryWorker). */
export interface HandOff {
  /** Room for `count` deliveries, and the lease to store them under; null when it cannot take them now. */
  reserveHandOff(count: number): DeliveryLease | null;
  /** The deliveries stored under a reservation of `reserved`; the rest of the room is given back. */
  takeOver(handed: Array<{ delivery: ClaimedDelivery; event: HookEvent }>, reserved: number): void;
}

export class Publisher {
  private readonly listeners: Array<() => void> = [];
  private readonly ingestListeners: Array<(outcomes: readonly IngestOutcome[]) => void> = [];
  private readonly commits: GroupCommit<EventToPublish>;
  private handOff: HandOff | null = null;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {
    this.commits = new GroupCommit(
      store,
      () => {
        const now = clock.now();
        return { dedupeSince: now - IDEMPOTENCY_WINDOW_MS, now };
      },
      {
        prepare: (items, now) => this.planAll(items, now),
        settled: (events, outcomes) => this.settled(events, outcomes),
      },
    );
  }

  /** New deliveries go straight to this worker while it keeps up (see HandOff). */
  handOffTo(worker: HandOff): void {
    this.handOff = worker;
  }

  /** Called after a commit that created deliveries due now, so an idle worker starts at once. */
  onDeliveriesCreated(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Called after each ingest commit with what it stored (for metrics). */
  onIngested(listener: (outcomes: readonly IngestOutcome[]) => void): void {
    this.ingestListeners.push(listener);
  }

  publish(items: EventToPublish[]): Promise<IngestOutcome[]> {
    return this.commits.ingest(items);
  }

  /** Stores an event with deliveries to exactly these endpoints, bypassing routing (endpoint tests). */
  async publishTo(item: EventToPublish, endpoints: Endpoint[], options: { singleAttempt: boolean }): Promise<Delivery[]> {
    const now = this.clock.now();
    const deliveries = endpoints.map((endpoint) => ({
      ...newDelivery(item.event, now, endpoint.url, endpoint.id, endpoint.accountId),
      singleAttempt: options.singleAttempt,
    }));
    const outcomes = await this.store.ingestEvents([{ event: item.event, deliveries, clientId: false }], now, now);
    this.notify();
    this.ingested(outcomes);
    return deliveries;
  }

  /**
   * Replay: new deliveries of a stored event, to the endpoints subscribed now (and its callbackUrl),
   * or to the given endpoints only. New deliveries mean new webhook-ids: receivers must not drop a
   * deliberate resend as a duplicate.
   */
  async redeliver(event: HookEvent, only: Endpoint[] | null, keep: (delivery: Delivery) => boolean = () => true): Promise<Delivery[]> {
    const now = this.clock.now();
    let deliveries: Delivery[];
    if (only === null) {
      deliveries = await this.plan({ event, clientId: false, payloadValue: JSON.parse(event.payload) }, new RoutingCache(this.store, now), now);
    } else {
      deliveries = only.map((endpoint) => newDelivery(event, now, endpoint.url, endpoint.id, endpoint.accountId));
    }
    deliveries = deliveries.filter(keep);
    await this.store.insertDeliveries(deliveries);
    this.notify();
    return deliveries;
  }

  /** Deliveries became due by other means (recover, manual retry): wake local workers. */
  wakeWorkers(): void {
    this.notify();
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }

  /** Routes a group of events, loading each account's endpoints once for all of them. */
  private async planAll(items: EventToPublish[], now: number): Promise<NewEvent[]> {
    const routing = new RoutingCache(this.store, now);
    const planned: NewEvent[] = [];
    for (const item of items) {
      planned.push({ event: item.event, clientId: item.clientId, deliveries: await this.plan(item, routing, now) });
    }
    const count = planned.reduce((sum, item) => sum + item.deliveries.length, 0);
    const lease = count === 0 ? null : (this.handOff?.reserveHandOff(count) ?? null);
    if (lease !== null) for (const item of planned) item.lease = lease;
    return planned;
  }

  /** After a group's commit: hand the leased deliveries to the worker, or wake it for queued ones. */
  private settled(events: NewEvent[], outcomes: Array<IngestOutcome | null>): void {
    const handed: Array<{ delivery: ClaimedDelivery; event: HookEvent }> = [];
    let reserved = 0;
    let queued = false;
    for (const [index, item] of events.entries()) {
      const created = outcomes[index]?.outcome === 'created';
      if (item.lease) {
        reserved += item.deliveries.length;
        if (created) {
          for (const delivery of item.deliveries) {
            handed.push({ delivery: { ...delivery, status: 'sending', singleAttempt: delivery.singleAttempt ?? false }, event: item.event });
          }
        }
      } else if (created && item.deliveries.length > 0) {
        queued = true;
      }
    }
    if (reserved > 0) this.handOff?.takeOver(handed, reserved);
    if (queued) this.notify();
    this.ingested(outcomes.filter((outcome): outcome is IngestOutcome => outcome !== null));
  }

  private ingested(outcomes: readonly IngestOutcome[]): void {
    for (const listener of this.ingestListeners) listener(outcomes);
  }

  private async plan(item: EventToPublish, routing: RoutingCache, now: number): Promise<Delivery[]> {
    const { event } = item;
    const { endpoints, accountEnabled } = await routing.forAccount(event.accountId);
    const context = { type: event.type, accountId: event.accountId, payload: item.payloadValue, accountEnabled };
    const deliveries = endpoints
      .filter((endpoint) => isSubscribed(endpoint, context))
      .map((endpoint) => newDelivery(event, now, endpoint.url, endpoint.id, endpoint.accountId));
    // Request level (Updox's on-the-fly callbackUrl): no subscription needed, and like the
    // account's own endpoints it is silent while the account is disabled.
    if (event.callbackUrl !== null && accountEnabled) {
      deliveries.push(newDelivery(event, now, event.callbackUrl, null, event.accountId));
    }
    return deliveries;
  }
}

function newDelivery(event: HookEvent, now: number, url: string, endpointId: string | null, accountId: string | null): Delivery {
  return {
    id: newId('dlv', now),
    eventId: event.id,
    endpointId,
    accountId,
    eventType: event.type,
    url,
    status: 'pending',
    attempts: 0,
    nextAttemptAt: now,
    lastStatusCode: null,
    lastError: null,
    correlationId: event.correlationId,
    createdAt: now,
    completedAt: null,
  };
}

/** Candidate endpoints and the enabled flag per account, loaded once per publish call (a batch shares them). */
class RoutingCache {
  private readonly cache = new Map<string | null, Promise<{ endpoints: Endpoint[]; accountEnabled: boolean }>>();
  constructor(
    private readonly store: Store,
    private readonly now: number,
  ) {}

  forAccount(accountId: string | null): Promise<{ endpoints: Endpoint[]; accountEnabled: boolean }> {
    let entry = this.cache.get(accountId);
    if (entry === undefined) {
      entry = this.load(accountId);
      this.cache.set(accountId, entry);
    }
    return entry;
  }

  private async load(accountId: string | null): Promise<{ endpoints: Endpoint[]; accountEnabled: boolean }> {
    const endpoints = await this.store.findCandidateEndpoints(accountId);
    if (accountId === null) return { endpoints, accountEnabled: true };
    // Accounts are enabled when first seen (created implicitly by the ingest transaction).
    const account = await this.store.getAccount(accountId);
    return { endpoints, accountEnabled: account?.enabled ?? true };
  }
}
