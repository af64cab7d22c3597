import type { Clock } from '../domain/clock.js';
import { newId } from '../domain/ids.js';
import { isSubscribed } from '../domain/subscriptions.js';
import { fifoKeyOf, type Delivery, type Endpoint, type HookEvent } from '../domain/types.js';
import type { DeliveryQueue } from '../queue/delivery-queue.js';
import type { IngestOutcome, NewEvent, Store } from '../store/store.js';
import { GroupCommit } from './group-commit.js';

// Publishing an event: decide which endpoints hear it (fan-out), then enqueue the event and all its
// deliveries in one transaction. Only after that commit may the caller answer 202. Used by the
// events API, and by hookd itself for operations and operational events. What happens to the
// deliveries next (handed to this node's worker, or woken workers claim them) is the queue's.

/** An idempotent client id is honoured for this long (contract: 24 h). */
export const IDEMPOTENCY_WINDOW_MS = 24 * 3600 * 1000;

export interface EventToPublish {
  event: HookEvent;
  /** The id came from the client: a repeat within the window is the same event. */
  clientId: boolean;
  /** The payload parsed, for subscription filters. */
  payloadValue: unknown;
}

/** What routing reads: the endpoints that may hear an account's events, and whether it is enabled. */
export type RoutingStore = Pick<Store, 'findCandidateEndpoints' | 'getAccount'>;

export class Publisher {
  private readonly ingestListeners: Array<(outcomes: readonly IngestOutcome[]) => void> = [];
  private readonly commits: GroupCommit<EventToPublish>;

  constructor(
    private readonly store: RoutingStore,
    private readonly queue: DeliveryQueue,
    private readonly clock: Clock,
  ) {
    this.commits = new GroupCommit(
      queue,
      () => {
        const now = clock.now();
        return { dedupeSince: now - IDEMPOTENCY_WINDOW_MS, now };
      },
      {
        prepare: (items, now) => this.planAll(items, now),
        committed: (outcomes) => this.ingested(outcomes),
      },
    );
  }

  /** Called after each ingest commit with what it stored (for metrics). */
  onIngested(listener: (outcomes: readonly IngestOutcome[]) => void): void {
    this.ingestListeners.push(listener);
  }

  publish(items: EventToPublish[]): Promise<IngestOutcome[]> {
    return this.commits.ingest(items);
  }

  /**
   * Publishes the event only if some endpoint (or its callbackUrl) would receive it; null when none
   * would, and nothing is stored. For hookd's own high-volume events (one per exhausted delivery):
   * unheard, they were most of what some installs stored (issue 19). Routing is read again when the
   * event is stored: an endpoint subscribing in between gets it too.
   */
  async publishIfHeard(item: EventToPublish): Promise<IngestOutcome[] | null> {
    const now = this.clock.now();
    const deliveries = await this.plan(item, new RoutingCache(this.store, now), now);
    return deliveries.length === 0 ? null : this.publish([item]);
  }

  /** Stores an event with deliveries to exactly these endpoints, bypassing routing (endpoint tests). */
  async publishTo(item: EventToPublish, endpoints: Endpoint[], options: { singleAttempt: boolean }): Promise<Delivery[]> {
    const now = this.clock.now();
    const deliveries = endpoints.map((endpoint) => ({
      ...newDelivery(item.event, now, endpoint.url, endpoint.id, endpoint.accountId),
      singleAttempt: options.singleAttempt,
    }));
    const outcomes = await this.queue.enqueue([{ event: item.event, deliveries, clientId: false }], now, now);
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
      deliveries = only.map((endpoint) => orderedDelivery(event, now, endpoint));
    }
    deliveries = deliveries.filter(keep);
    await this.queue.enqueueDeliveries(deliveries);
    return deliveries;
  }

  /** Deliveries became due by other means (recover, manual retry): wake the workers. */
  wakeWorkers(): void {
    this.queue.announceDue();
  }

  /** Routes a group of events, loading each account's endpoints once for all of them. */
  private async planAll(items: EventToPublish[], now: number): Promise<NewEvent[]> {
    const routing = new RoutingCache(this.store, now);
    const planned: NewEvent[] = [];
    for (const item of items) {
      planned.push({ event: item.event, clientId: item.clientId, deliveries: await this.plan(item, routing, now) });
    }
    return planned;
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
      .map((endpoint) => orderedDelivery(event, now, endpoint));
    // Request level (Updox's on-the-fly callbackUrl): no subscription needed, and like the
    // account's own endpoints it is silent while the account is disabled.
    if (event.callbackUrl !== null && accountEnabled) {
      deliveries.push(newDelivery(event, now, event.callbackUrl, null, event.accountId));
    }
    return deliveries;
  }
}

/**
 * A delivery of the event to one of its endpoints: on a `fifo` endpoint it joins the chain of the
 * event's ordering key (linked to the delivery before it when stored). Endpoint tests are not
 * ordered: they must not wait behind a key's stuck delivery.
 */
function orderedDelivery(event: HookEvent, now: number, endpoint: Endpoint): Delivery {
  const delivery = newDelivery(event, now, endpoint.url, endpoint.id, endpoint.accountId);
  return endpoint.ordering === 'fifo' ? { ...delivery, fifoKey: fifoKeyOf(event.orderingKey) } : delivery;
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
    private readonly store: RoutingStore,
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
