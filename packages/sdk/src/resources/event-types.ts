import { PagedList } from '../pagination.js';
import type { RequestOptions, Transport } from '../transport.js';
import type { CreateEventTypeInput, EventType, ListEventTypesQuery, UpdateEventTypeInput } from '../types.js';

/** The event type catalog. Any key may read it; admin keys change it. */
export class EventTypes {
  constructor(private readonly transport: Transport) {}

  list(query: ListEventTypesQuery = {}, options?: RequestOptions): PagedList<EventType> {
    return new PagedList((cursor) => this.transport.call('get', '/v1/event-types', { query: { ...query, cursor } }, options), query.cursor);
  }

  create(input: CreateEventTypeInput, options?: RequestOptions): Promise<EventType> {
    return this.transport.call('post', '/v1/event-types', { body: input }, options);
  }

  get(name: string, options?: RequestOptions): Promise<EventType> {
    return this.transport.call('get', '/v1/event-types/{name}', { path: { name } }, options);
  }

  update(name: string, input: UpdateEventTypeInput, options?: RequestOptions): Promise<EventType> {
    return this.transport.call('put', '/v1/event-types/{name}', { path: { name }, body: input }, options);
  }

  /** Archives the type (the API's DELETE): events of it are refused from then on in strict mode. */
  async archive(name: string, options?: RequestOptions): Promise<void> {
    await this.transport.call('delete', '/v1/event-types/{name}', { path: { name } }, options);
  }
}
