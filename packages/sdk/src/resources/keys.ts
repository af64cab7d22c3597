import { PagedList } from '../pagination.js';
import type { RequestOptions, Transport } from '../transport.js';
import type { ApiKey, CreatedKey, CreateKeyInput, ListKeysQuery } from '../types.js';

/** API keys (admin keys only). The clear key is in the create answer and nowhere else. */
export class Keys {
  constructor(private readonly transport: Transport) {}

  create(input: CreateKeyInput, options?: RequestOptions): Promise<CreatedKey> {
    return this.transport.call('post', '/v1/keys', { body: input }, options);
  }

  list(query: ListKeysQuery = {}, options?: RequestOptions): PagedList<ApiKey> {
    return new PagedList((cursor) => this.transport.call('get', '/v1/keys', { query: { ...query, cursor } }, options), query.cursor);
  }

  /** Revokes the key at once. */
  async revoke(id: string, options?: RequestOptions): Promise<void> {
    await this.transport.call('delete', '/v1/keys/{id}', { path: { id } }, options);
  }
}
