import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Clock } from '../domain/clock.js';
import { publishedKeys, usesEd25519 } from '../domain/endpoint-keys.js';
import type { Store } from '../store/store.js';
import { notFound } from './errors.js';
import { errorResponses, iso, Timestamp } from './schemas.js';

// The one /v1 route without a key: the ed25519 public keys of an endpoint, so a receiver can fetch
// what it verifies `v1a` signatures with. Public keys only: nothing else about the endpoint (not
// its account, URL or settings) is in the answer, and an endpoint that does not sign with ed25519
// answers the same 404 as an unknown id, so the route tells no more than the contract's keys.

const Params = Type.Object({ endpointId: Type.String({ maxLength: 256 }) });

const PublicKeysView = Type.Object({
  keys: Type.Array(
    Type.Object({
      publicKey: Type.String({ description: 'whpk_ followed by the base64 of the 32-byte ed25519 public key.' }),
      since: Timestamp,
      until: Type.Union([Timestamp, Type.Null()], { description: 'When a rotated-out key stops signing; null for the current key.' }),
    }),
  ),
});

export interface PublicKeyRoutesOptions {
  store: Store;
  clock: Clock;
}

export const publicKeyRoutes: FastifyPluginAsyncTypebox<PublicKeyRoutesOptions> = async (app, { store, clock }) => {
  app.get(
    '/v1/public-keys/:endpointId',
    {
      schema: {
        operationId: 'endpoints.getPublicKeys',
        summary: "Get an endpoint's ed25519 public keys",
        tags: ['endpoints'],
        description:
          'Needs no key. The keys that verify the endpoint\'s `v1a` signatures: the current one and, during a rotation\'s grace period, the old one with its `until`. 404 when the endpoint does not exist or does not sign with ed25519.',
        params: Params,
        security: [],
        response: { 200: PublicKeysView, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const endpoint = await store.getEndpoint(request.params.endpointId);
      if (endpoint === null || !usesEd25519(endpoint.signing) || endpoint.signingKeys === null) throw notFound('endpoint');
      const keys = publishedKeys(endpoint.signingKeys, clock.now());
      return { keys: keys.map((key) => ({ publicKey: key.publicKey, since: iso(key.since), until: key.until === null ? null : iso(key.until) })) };
    },
  );
};
