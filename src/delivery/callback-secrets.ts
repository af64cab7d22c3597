import { generateSecret } from '../domain/signing.js';
import type { KeyStore } from '../store/store.js';

// The secrets that sign deliveries to events' one-off callbackUrls (which have no endpoint and so
// no endpoint secret): each account's own, so that the secret one account verifies with cannot
// forge callbacks to another; the provider's for events without an account. An account's secret
// is created the first time it is needed, by whichever node needs it first.

/** Accounts whose secret is kept in memory; beyond it the oldest is forgotten (read again when needed). */
const CACHED_ACCOUNTS = 10_000;

export class CallbackSecrets {
  /**
   * Per node, in memory: a secret never changes once stored (there is no rotation), so a cached
   * one is never stale. Promises, so that concurrent misses for one account share one read.
   */
  private readonly byAccount = new Map<string, Promise<string | null>>();

  constructor(
    private readonly store: Pick<KeyStore, 'initAccountCallbackSecret'>,
    /** The provider's secret (the `callback_secret` setting): signs callbacks of events without an account. */
    readonly provider: string,
  ) {}

  /** The secret that signs the callbacks of an event of `accountId` (null: the provider's); null when there is no such account. */
  async of(accountId: string | null): Promise<string | null> {
    if (accountId === null) return this.provider;
    const cached = this.byAccount.get(accountId);
    if (cached !== undefined) return cached;
    if (this.byAccount.size >= CACHED_ACCOUNTS) this.byAccount.delete(this.byAccount.keys().next().value!);
    const read = this.store.initAccountCallbackSecret(accountId, generateSecret());
    this.byAccount.set(accountId, read);
    // A failed read and an unknown account are not remembered: the account may come into being later.
    const forget = (): void => {
      if (this.byAccount.get(accountId) === read) this.byAccount.delete(accountId);
    };
    read.then((secret) => {
      if (secret === null) forget();
    }, forget);
    return read;
  }
}
