import type { SecretBox } from '../domain/secret-box.js';
import type { EndpointSecrets, EndpointWithSecrets } from '../domain/types.js';
import type { Store } from './store.js';

// Wraps a Store so that signing secrets are sealed on the way in and opened on the way out. The
// adapters store whatever string they are given; only these methods ever carry a secret.

/** Settings that hold secrets (the callback signing secret). */
export const SECRET_SETTINGS = new Set(['callback_secret']);

function sealSecrets(box: SecretBox, secrets: EndpointSecrets): EndpointSecrets {
  return { ...secrets, current: box.seal(secrets.current), previous: secrets.previous === null ? null : box.seal(secrets.previous) };
}

function openEndpoint(box: SecretBox, endpoint: EndpointWithSecrets): EndpointWithSecrets {
  const { secrets } = endpoint;
  return {
    ...endpoint,
    secrets: { ...secrets, current: box.open(secrets.current), previous: secrets.previous === null ? null : box.open(secrets.previous) },
  };
}

export function withSealedSecrets(store: Store, box: SecretBox): Store {
  const overrides: Partial<Store> = {
    createEndpoint: (endpoint) => store.createEndpoint({ ...endpoint, secrets: sealSecrets(box, endpoint.secrets) }),
    getEndpoint: async (id) => {
      const endpoint = await store.getEndpoint(id);
      return endpoint === null ? null : openEndpoint(box, endpoint);
    },
    getEndpoints: async (ids) => (await store.getEndpoints(ids)).map((endpoint) => openEndpoint(box, endpoint)),
    setEndpointSecrets: (id, secrets, now) => store.setEndpointSecrets(id, sealSecrets(box, secrets), now),
    getSetting: async (name) => {
      const value = await store.getSetting(name);
      return value !== null && SECRET_SETTINGS.has(name) ? box.open(value) : value;
    },
    initSetting: async (name, value) => {
      if (!SECRET_SETTINGS.has(name)) return store.initSetting(name, value);
      return box.open(await store.initSetting(name, box.seal(value)));
    },
    replaceSetting: (name, value) => store.replaceSetting(name, SECRET_SETTINGS.has(name) ? box.seal(value) : value),
  };
  return new Proxy(store, {
    get(target, property, receiver) {
      if (Object.hasOwn(overrides, property)) return overrides[property as keyof Store];
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
