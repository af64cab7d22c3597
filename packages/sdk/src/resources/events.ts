import { PagedList } from '../pagination.js';
import type { RequestOptions, Transport } from '../transport.js';
import type {
  AcceptedEvent,
  BatchResult,
  EventWithDeliveries,
  HookdEvent,
  ListEventsQuery,
  ReplayInput,
  ReplayResult,
  SendEventInput,
} from '../types.js';

/** Events: what your product posts; hookd fans each out to the endpoints subscribed to its type. */
export class Events {
  constructor(private readonly transport: Transport) {}

  /**
   * Answers once the event and all its deliveries are durably stored. An `id` of your own makes the
   * call idempotent for 24 hours: repeating it returns the stored event and creates nothing new.
   */
  send(input: SendEventInput, options?: RequestOptions): Promise<AcceptedEvent> {
    return this.transport.call('post', '/v1/events', { body: withIsoOccurredAt(input) }, options);
  }

  /** Up to 500 events in one transaction: all are stored or none. */
  sendBatch(events: SendEventInput[], options?: RequestOptions): Promise<BatchResult> {
    return this.transport.call('post', '/v1/events/batch', { body: { events: events.map(withIsoOccurredAt) } }, options);
  }

  list(query: ListEventsQuery = {}, options?: RequestOptions): PagedList<HookdEvent> {
    // Dates in the query are turned into ISO text by the transport.
    const typed = query as Omit<ListEventsQuery, 'since' | 'until'> & { since?: string; until?: string };
    return new PagedList((cursor) => this.transport.call('get', '/v1/events', { query: { ...typed, cursor } }, options), query.cursor);
  }

  /**
   * The event with its deliveries. Its payload is parsed JSON (JavaScript numbers round integers
   * beyond 2^53); with `{payload: 'text'}` it is the exact JSON text that was sent, as a string:
   * whitespace, number spelling, large integers and key order kept.
   */
  get(id: string, options: RequestOptions & { payload?: 'json' | 'text' } = {}): Promise<EventWithDeliveries> {
    const { payload, ...request } = options;
    const query = payload === undefined ? undefined : { payload };
    return this.transport.call('get', '/v1/events/{id}', { path: { id }, query }, request);
  }

  /** The event again, as new deliveries (new webhook-ids), to the endpoints subscribed now or those named. */
  replay(id: string, input: ReplayInput = {}, options?: RequestOptions): Promise<ReplayResult> {
    return this.transport.call('post', '/v1/events/{id}/replay', { path: { id }, body: input }, options);
  }
}

function withIsoOccurredAt(input: SendEventInput) {
  const { occurredAt, ...rest } = input;
  return occurredAt === undefined ? rest : { ...rest, occurredAt: occurredAt instanceof Date ? occurredAt.toISOString() : occurredAt };
}
