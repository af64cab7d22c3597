import { Accounts } from './resources/accounts.js';
import { Deliveries } from './resources/deliveries.js';
import { Endpoints } from './resources/endpoints.js';
import { Events } from './resources/events.js';
import { EventTypes } from './resources/event-types.js';
import { Keys } from './resources/keys.js';
import { Operations } from './resources/operations.js';
import { Transport, type HookdOptions, type RequestOptions } from './transport.js';
import type { KeyIdentity } from './types.js';

// The typed client of the hookd v1 API: one property per resource, one method per route.
//
//   const hookd = new Hookd({ url: 'http://127.0.0.1:8080', key: process.env.HOOKD_KEY });
//   await hookd.events.send({ type: 'invoice.paid', payload: { invoiceId: 'inv_42' } });

export class Hookd {
  readonly keys: Keys;
  readonly accounts: Accounts;
  readonly eventTypes: EventTypes;
  readonly endpoints: Endpoints;
  readonly events: Events;
  readonly deliveries: Deliveries;
  readonly operations: Operations;
  readonly #transport: Transport;

  constructor(options: HookdOptions) {
    this.#transport = new Transport(options);
    this.keys = new Keys(this.#transport);
    this.accounts = new Accounts(this.#transport);
    this.eventTypes = new EventTypes(this.#transport);
    this.endpoints = new Endpoints(this.#transport);
    this.events = new Events(this.#transport);
    this.deliveries = new Deliveries(this.#transport);
    this.operations = new Operations(this.#transport);
  }

  /** The base URL requests go to. */
  get url(): string {
    return this.#transport.baseUrl;
  }

  /** What the key in use is: its kind, account and expiry (any key). */
  me(options?: RequestOptions): Promise<KeyIdentity> {
    return this.#transport.call('get', '/v1/me', {}, options);
  }

  /**
   * The secret that deliveries to the `callbackUrl` of events without an account are signed with
   * (admin keys); an account's events use its own, `accounts.callbackSecret(id)`.
   */
  callbackSecret(options?: RequestOptions): Promise<{ secret: string }> {
    return this.#transport.call('get', '/v1/callback-secret', {}, options);
  }
}

export { HookdConnectionError, HookdError, type ErrorDetail } from './errors.js';
export { PagedList, type Page } from './pagination.js';
export type { HookdOptions, RequestOptions } from './transport.js';
export type * from './types.js';
