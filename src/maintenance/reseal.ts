import { CALLBACK_SECRET_SETTING } from '../api/settings.js';
import type { Clock } from '../domain/clock.js';
import type { Store } from '../store/store.js';

/**
 * Key rotation's second half: reads every signing secret, ed25519 signing key and receiver-auth
 * secret, and the callback secrets (the provider's and each account's), opening each with whichever
 * configured key sealed it, and writes it back, which seals it with the current key. Returns the endpoints done.
 * `store` must seal with the configured keys (prepareStore's).
 */
export async function resealSecrets(store: Store, clock: Clock): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const page = await store.listEndpoints({}, { limit: 250, cursor });
    for (const { id } of page.items) {
      const endpoint = await store.getEndpoint(id);
      if (endpoint === null) continue;
      if (endpoint.signingKeys !== null) await store.setEndpointSigningKeys(id, endpoint.signingKeys, clock.now());
      // The auth's secret is sealed inside the endpoint's definition: writing it back reseals it.
      if (endpoint.auth !== null) await store.updateEndpoint(id, endpoint, clock.now());
      if (await store.setEndpointSecrets(id, endpoint.secrets, clock.now())) count++;
    }
    cursor = page.nextCursor;
  } while (cursor !== null);
  const callbackSecret = await store.getSetting(CALLBACK_SECRET_SETTING);
  if (callbackSecret !== null) await store.replaceSetting(CALLBACK_SECRET_SETTING, callbackSecret);
  await resealAccountCallbackSecrets(store);
  return count;
}

/** Every account's callback secret, where it has one yet. */
async function resealAccountCallbackSecrets(store: Store): Promise<void> {
  let cursor: string | null = null;
  do {
    const page = await store.listAccounts({ limit: 250, cursor });
    for (const { id } of page.items) {
      const secret = await store.getAccountCallbackSecret(id);
      if (secret !== null) await store.replaceAccountCallbackSecret(id, secret);
    }
    cursor = page.nextCursor;
  } while (cursor !== null);
}
