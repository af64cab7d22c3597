import { PagedList } from '../pagination.js';
import type { RequestOptions, Transport } from '../transport.js';
import type {
  CreatedEndpoint,
  CreateEndpointInput,
  Endpoint,
  EndpointPublicKeys,
  EndpointSecret,
  EndpointStats,
  EndpointTestResult,
  ListEndpointsQuery,
  PreviewedRequest,
  PreviewInput,
  RecoverInput,
  RecoverResult,
  RotatedSecret,
  RotateSecretInput,
  TestEndpointInput,
  UpdateEndpointInput,
} from '../types.js';

/** Endpoints: who receives which events, how, and with what retry rules. */
export class Endpoints {
  constructor(private readonly transport: Transport) {}

  /** The answer carries the endpoint's signing secret; keep it, it is not shown in lists. */
  create(input: CreateEndpointInput, options?: RequestOptions): Promise<CreatedEndpoint> {
    return this.transport.call('post', '/v1/endpoints', { body: input }, options);
  }

  list(query: ListEndpointsQuery = {}, options?: RequestOptions): PagedList<Endpoint> {
    return new PagedList((cursor) => this.transport.call('get', '/v1/endpoints', { query: { ...query, cursor } }, options), query.cursor);
  }

  get(id: string, options?: RequestOptions): Promise<Endpoint> {
    return this.transport.call('get', '/v1/endpoints/{id}', { path: { id } }, options);
  }

  /** Replaces the fields given (`retry` merges into the stored policy). */
  update(id: string, input: UpdateEndpointInput, options?: RequestOptions): Promise<Endpoint> {
    return this.transport.call('patch', '/v1/endpoints/{id}', { path: { id }, body: input }, options);
  }

  /** Deletes the endpoint and cancels its pending deliveries. */
  async delete(id: string, options?: RequestOptions): Promise<void> {
    await this.transport.call('delete', '/v1/endpoints/{id}', { path: { id } }, options);
  }

  getSecret(id: string, options?: RequestOptions): Promise<EndpointSecret> {
    return this.transport.call('get', '/v1/endpoints/{id}/secret', { path: { id } }, options);
  }

  /**
   * The ed25519 public keys a receiver verifies `v1a` signatures with (pass one to `verifyWebhook`).
   * Served without a key: a receiver needs none (`new Hookd({ url }).endpoints.getPublicKeys(id)`).
   */
  getPublicKeys(endpointId: string, options?: RequestOptions): Promise<EndpointPublicKeys> {
    return this.transport.call('get', '/v1/public-keys/{endpointId}', { path: { endpointId } }, options);
  }

  /** A new secret (and ed25519 key pair); for `graceSeconds` (default a day) requests carry both signatures. */
  rotateSecret(id: string, input: RotateSecretInput = {}, options?: RequestOptions): Promise<RotatedSecret> {
    return this.transport.call('post', '/v1/endpoints/{id}/secret/rotate', { path: { id }, body: input }, options);
  }

  /** Sends one real delivery now (no retries) and answers with its attempt. */
  test(id: string, input: TestEndpointInput = {}, options?: RequestOptions): Promise<EndpointTestResult> {
    return this.transport.call('post', '/v1/endpoints/{id}/test', { path: { id }, body: input }, options);
  }

  /** Every failed delivery of the endpoint created since then gets one new attempt. */
  recover(id: string, input: RecoverInput, options?: RequestOptions): Promise<RecoverResult> {
    const since = input.since instanceof Date ? input.since.toISOString() : input.since;
    return this.transport.call('post', '/v1/endpoints/{id}/recover', { path: { id }, body: { ...input, since } }, options);
  }

  /** Ends a pause (the receiver's Retry-After, or the circuit breaker) now; returns the endpoint with its new `state`. */
  resume(id: string, options?: RequestOptions): Promise<Endpoint> {
    return this.transport.call('post', '/v1/endpoints/{id}/resume', { path: { id } }, options);
  }

  stats(id: string, options?: RequestOptions): Promise<EndpointStats> {
    return this.transport.call('get', '/v1/endpoints/{id}/stats', { path: { id } }, options);
  }

  /** The exact request an endpoint definition would send for an event, without saving anything. */
  preview(input: PreviewInput, options?: RequestOptions): Promise<PreviewedRequest> {
    return this.transport.call('post', '/v1/endpoints/preview', { body: input }, options);
  }
}
