import { PagedList } from '../pagination.js';
import type { RequestOptions, Transport } from '../transport.js';
import type { CompleteOperationInput, CreateOperationInput, ListOperationsQuery, Operation, OperationWithDeliveries, StartedOperation } from '../types.js';

/**
 * Long-running actions with a protocol number: start one, hand the protocol to your caller, report
 * the outcome later; hookd sends the webhook, or a `timed_out` one if no outcome comes in time.
 */
export class Operations {
  constructor(private readonly transport: Transport) {}

  create(input: CreateOperationInput, options?: RequestOptions): Promise<StartedOperation> {
    return this.transport.call('post', '/v1/operations', { body: input }, options);
  }

  complete(protocol: string, input: CompleteOperationInput, options?: RequestOptions): Promise<Operation> {
    return this.transport.call('post', '/v1/operations/{protocol}/complete', { path: { protocol }, body: input }, options);
  }

  /** The operation with the deliveries of its webhooks. */
  get(protocol: string, options?: RequestOptions): Promise<OperationWithDeliveries> {
    return this.transport.call('get', '/v1/operations/{protocol}', { path: { protocol } }, options);
  }

  list(query: ListOperationsQuery = {}, options?: RequestOptions): PagedList<Operation> {
    return new PagedList((cursor) => this.transport.call('get', '/v1/operations', { query: { ...query, cursor } }, options), query.cursor);
  }
}
