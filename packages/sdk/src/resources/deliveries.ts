import { PagedList } from '../pagination.js';
import type { RequestOptions, Transport } from '../transport.js';
import type { Attempt, Delivery, ListAttemptsQuery, ListDeliveriesQuery } from '../types.js';

/** Deliveries (one event for one endpoint) and their attempts (one HTTP request each). */
export class Deliveries {
  constructor(private readonly transport: Transport) {}

  list(query: ListDeliveriesQuery = {}, options?: RequestOptions): PagedList<Delivery> {
    return new PagedList((cursor) => this.transport.call('get', '/v1/deliveries', { query: { ...query, cursor } }, options), query.cursor);
  }

  get(id: string, options?: RequestOptions): Promise<Delivery> {
    return this.transport.call('get', '/v1/deliveries/{id}', { path: { id } }, options);
  }

  /** Newest first: status, duration, request headers (secrets redacted), first 4 KiB of the response. */
  attempts(id: string, query: ListAttemptsQuery = {}, options?: RequestOptions): PagedList<Attempt> {
    return new PagedList(
      (cursor) => this.transport.call('get', '/v1/deliveries/{id}/attempts', { path: { id }, query: { ...query, cursor } }, options),
      query.cursor,
    );
  }

  /** One immediate new attempt, whatever the status (409 while an attempt is in flight). */
  retry(id: string, options?: RequestOptions): Promise<Delivery> {
    return this.transport.call('post', '/v1/deliveries/{id}/retry', { path: { id } }, options);
  }

  /** Cancels a pending delivery (409 for one that is not pending). */
  cancel(id: string, options?: RequestOptions): Promise<Delivery> {
    return this.transport.call('delete', '/v1/deliveries/{id}', { path: { id } }, options);
  }
}
