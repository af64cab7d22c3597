import { PagedList } from '../pagination.js';
import type { RequestOptions, Transport } from '../transport.js';
import type { Account, CreatePortalSessionInput, ListAccountsQuery, PortalSession, UpdateAccountInput } from '../types.js';

/** Accounts: the provider's customers. Created implicitly the first time an accountId is used. */
export class Accounts {
  constructor(private readonly transport: Transport) {}

  list(query: ListAccountsQuery = {}, options?: RequestOptions): PagedList<Account> {
    return new PagedList((cursor) => this.transport.call('get', '/v1/accounts', { query: { ...query, cursor } }, options), query.cursor);
  }

  get(id: string, options?: RequestOptions): Promise<Account> {
    return this.transport.call('get', '/v1/accounts/{id}', { path: { id } }, options);
  }

  /** `{enabled: false}` stops new deliveries to the account's endpoints. */
  update(id: string, input: UpdateAccountInput, options?: RequestOptions): Promise<Account> {
    return this.transport.call('put', '/v1/accounts/{id}', { path: { id }, body: input }, options);
  }

  /**
   * The secret that deliveries to the `callbackUrl` of this account's events are signed with (admin
   * keys, and the account's own keys: another account's id is a 404).
   */
  callbackSecret(id: string, options?: RequestOptions): Promise<{ secret: string }> {
    return this.transport.call('get', '/v1/accounts/{id}/callback-secret', { path: { id } }, options);
  }

  /** A magic link to the account's self-service portal: a short-lived account key (`keyId` revokes it). */
  createPortalSession(id: string, input: CreatePortalSessionInput = {}, options?: RequestOptions): Promise<PortalSession> {
    return this.transport.call('post', '/v1/accounts/{id}/portal-sessions', { path: { id }, body: input }, options);
  }
}
