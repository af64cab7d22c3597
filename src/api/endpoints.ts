import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { Clock } from '../domain/clock.js';
import { newId } from '../domain/ids.js';
import { newSigningKeys, rotateSigningKeys, usesEd25519 } from '../domain/endpoint-keys.js';
import { generateSecret, isValidSecret, isValidSigningKey, normaliseSecret, normaliseSigningKey, publicKeyOf } from '../domain/signing.js';
import type { EndpointWithSecrets, SigningScheme } from '../domain/types.js';
import { EndpointLimitReached, type Store } from '../store/store.js';
import { ADMIN_OR_ACCOUNT, principalOf } from './auth.js';
import { CreatedEndpoint, CreateEndpoint, endpointView, EndpointView, type EndpointViewContext, PatchEndpoint, SigningKeyInput } from './endpoint-schemas.js';
import { checkSpec, specFromCreate, specFromPatch, type SpecCheckContext } from './endpoint-spec.js';
import { ApiError, notFound, validationError } from './errors.js';
import { AccountId, COMMON_ERRORS, errorResponses, IdParams, iso, listOf, PageQuery, pageOf, Timestamp } from './schemas.js';
import { assertVisible, listScope, ownAccountId } from './scope.js';

const ListQuery = Type.Object({
  limit: Type.Optional(PageQuery.limit),
  cursor: Type.Optional(PageQuery.cursor),
  accountId: Type.Optional(AccountId),
  eventType: Type.Optional(Type.String({ maxLength: 128 })),
  active: Type.Optional(Type.Boolean()),
});

const SecretView = Type.Object({
  secret: Type.String(),
  previousSecretExpiresAt: Type.Union([Timestamp, Type.Null()]),
  publicKey: Type.Union([Type.String({ description: 'The current ed25519 public key (whpk_…) when signing uses ed25519.' }), Type.Null()]),
});
const RotateSecret = Type.Object(
  {
    graceSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 604_800 })),
    secret: Type.Optional(Type.String({ maxLength: 200 })),
    signingKey: Type.Optional(SigningKeyInput),
  },
  { additionalProperties: false },
);

export const DEFAULT_ROTATION_GRACE_SECONDS = 86_400;

/** The client's `whsk_` key in the form hookd stores, checked against the endpoint's scheme; undefined when none was given. */
function clientSigningKey(signingKey: string | undefined, signing: SigningScheme): string | undefined {
  if (signingKey === undefined) return undefined;
  if (!usesEd25519(signing)) throw validationError('/signingKey', 'is only used when signing is ed25519 or both');
  if (!isValidSigningKey(signingKey)) {
    throw validationError('/signingKey', 'must be whsk_ followed by the base64 of a 32-byte ed25519 seed or of the 64-byte seed and public key');
  }
  return normaliseSigningKey(signingKey);
}

/** The current `whpk_` key receivers verify `v1a` entries with, or null when the endpoint signs with HMAC only. */
function currentPublicKey(endpoint: Pick<EndpointWithSecrets, 'signing' | 'signingKeys'>): string | null {
  return usesEd25519(endpoint.signing) && endpoint.signingKeys !== null ? publicKeyOf(endpoint.signingKeys.current) : null;
}

/** Loads an endpoint the caller may see, or answers 404 (also for another account's). */
export async function loadVisibleEndpoint(store: Store, request: FastifyRequest, id: string): Promise<EndpointWithSecrets> {
  const endpoint = await store.getEndpoint(id);
  if (endpoint === null) throw notFound('endpoint');
  assertVisible(principalOf(request), endpoint.accountId, 'endpoint');
  return endpoint;
}

/** What checking an endpoint definition needs from the server: the URL guard setting and the catalog. */
export function specCheckContext(store: Store, config: Config): SpecCheckContext {
  return {
    allowPrivateUrls: config.allowPrivateUrls,
    unknownEventTypes: async (names) => {
      if (!config.strictEventTypes) return [];
      const unknown: string[] = [];
      for (const name of names) {
        const eventType = await store.getEventType(name);
        if (eventType === null || eventType.archived) unknown.push(name);
      }
      return unknown;
    },
  };
}

export interface EndpointRoutesOptions {
  store: Store;
  clock: Clock;
  config: Config;
  /** Deliveries became due (an endpoint switched from `fifo` to `none` let its waiting deliveries go). */
  wakeWorkers: () => void;
  /** See AppDependencies.onEndpointChanged. */
  onEndpointChanged?: (endpointId: string) => void;
}

/** The fields whose change may leave a connection held for the endpoint unused. */
const CONNECTION_FIELDS = ['url', 'destination', 'active'] as const;

export const endpointRoutes: FastifyPluginAsyncTypebox<EndpointRoutesOptions> = async (app, { store, clock, config, wakeWorkers, onEndpointChanged }) => {
  const checkContext = specCheckContext(store, config);

  const visibleEndpoint = (request: FastifyRequest, id: string) => loadVisibleEndpoint(store, request, id);
  const viewContext = (): EndpointViewContext => ({ now: clock.now(), concurrency: config.endpointConcurrency });

  app.post(
    '/v1/endpoints',
    {
      config: { access: ADMIN_OR_ACCOUNT },
      schema: {
        operationId: 'endpoints.create',
        summary: 'Create an endpoint',
        tags: ['endpoints'],
        description:
          'Creates a subscription. The reply carries the signing secret; GET …/secret shows it again. 409 when the account already has HOOKD_ACCOUNT_MAX_ENDPOINTS endpoints.',
        body: CreateEndpoint,
        response: { 201: CreatedEndpoint, ...COMMON_ERRORS, ...errorResponses(409, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      const { body } = request;
      const spec = specFromCreate(body, ownAccountId(principalOf(request), body.accountId));
      await checkSpec(spec, checkContext);
      if (body.secret !== undefined && !isValidSecret(body.secret)) {
        throw validationError('/secret', 'must be whsec_ followed by the base64 of 24 to 64 bytes');
      }
      const now = clock.now();
      // Padded base64, whatever the client sent: other Standard Webhooks libraries (Go's) need it.
      const secret = body.secret === undefined ? generateSecret() : normaliseSecret(body.secret);
      const signingKey = clientSigningKey(body.signingKey, spec.signing);
      const endpoint = await store
        .createEndpoint(
          {
            ...spec,
            id: newId('ep', now),
            createdAt: now,
            updatedAt: now,
            secrets: { current: secret, previous: null, previousExpiresAt: null },
            signingKeys: usesEd25519(spec.signing) ? newSigningKeys(now, signingKey) : null,
          },
          config.accountMaxEndpoints,
        )
        .catch((error: unknown) => {
          if (!(error instanceof EndpointLimitReached)) throw error;
          throw new ApiError('conflict', `account ${spec.accountId}: ${error.message} (HOOKD_ACCOUNT_MAX_ENDPOINTS)`);
        });
      return reply.code(201).send({ ...endpointView(endpoint, viewContext()), secret });
    },
  );

  app.get(
    '/v1/endpoints',
    {
      config: { access: ADMIN_OR_ACCOUNT },
      schema: {
        operationId: 'endpoints.list',
        summary: 'List endpoints',
        tags: ['endpoints'],
        querystring: ListQuery,
        response: { 200: listOf(EndpointView), ...COMMON_ERRORS },
      },
    },
    async (request) => {
      const { query } = request;
      const scope = listScope(principalOf(request));
      if (scope !== undefined && query.accountId !== undefined && query.accountId !== scope) {
        return { data: [], nextCursor: null };
      }
      const page = await store.listEndpoints(
        { accountId: scope ?? query.accountId, eventType: query.eventType, active: query.active },
        pageOf(query),
      );
      return { data: page.items.map((endpoint) => endpointView(endpoint, viewContext())), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/endpoints/:id',
    {
      config: { access: ADMIN_OR_ACCOUNT },
      schema: {
        operationId: 'endpoints.get',
        summary: 'Get an endpoint',
        tags: ['endpoints'],
        params: IdParams,
        response: { 200: EndpointView, ...COMMON_ERRORS, ...errorResponses(404) },
      },
    },
    async (request) => endpointView(await visibleEndpoint(request, request.params.id), viewContext()),
  );

  app.patch(
    '/v1/endpoints/:id',
    {
      config: { access: ADMIN_OR_ACCOUNT },
      schema: {
        operationId: 'endpoints.update',
        summary: 'Update an endpoint',
        tags: ['endpoints'],
        description: 'Changes the fields given. `active: true` clears disabledReason.',
        params: IdParams,
        body: PatchEndpoint,
        response: { 200: EndpointView, ...COMMON_ERRORS, ...errorResponses(404, 413, 415, 422) },
      },
    },
    async (request) => {
      const existing = await visibleEndpoint(request, request.params.id);
      const patch = request.body;
      const accountId =
        patch.accountId === undefined ? existing.accountId : ownAccountId(principalOf(request), patch.accountId);
      const spec = specFromPatch(existing, patch, accountId);
      await checkSpec(spec, checkContext);
      const now = clock.now();
      // The key pair exists before the scheme that needs it is stored: no request is ever meant to
      // carry a `v1a` entry it has no key for. Switching back to hmac keeps the pair for later.
      if (usesEd25519(spec.signing) && existing.signingKeys === null) await store.addEndpointSigningKeys(existing.id, newSigningKeys(now), now);
      const updated = await store.updateEndpoint(existing.id, spec, now);
      if (updated === null) throw notFound('endpoint');
      if (existing.ordering === 'fifo' && updated.ordering === 'none') wakeWorkers();
      if (CONNECTION_FIELDS.some((field) => patch[field] !== undefined)) onEndpointChanged?.(existing.id);
      return endpointView(updated, viewContext());
    },
  );

  app.delete(
    '/v1/endpoints/:id',
    {
      config: { access: ADMIN_OR_ACCOUNT },
      schema: {
        operationId: 'endpoints.delete',
        summary: 'Delete an endpoint',
        tags: ['endpoints'],
        description: 'Deletes the endpoint; its pending deliveries are canceled.',
        params: IdParams,
        response: { 204: Type.Null(), ...COMMON_ERRORS, ...errorResponses(404, 413, 415) },
      },
    },
    async (request, reply) => {
      const endpoint = await visibleEndpoint(request, request.params.id);
      await store.deleteEndpoint(endpoint.id, clock.now());
      onEndpointChanged?.(endpoint.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/endpoints/:id/secret',
    {
      config: { access: ADMIN_OR_ACCOUNT },
      schema: {
        operationId: 'endpoints.getSecret',
        summary: 'Get an endpoint\'s signing secret', params: IdParams, response: { 200: SecretView, ...COMMON_ERRORS, ...errorResponses(404) },
        tags: ['endpoints'],
      },
    },
    async (request) => {
      const endpoint = await visibleEndpoint(request, request.params.id);
      const graceEnds = endpoint.secrets.previousExpiresAt;
      return {
        secret: endpoint.secrets.current,
        previousSecretExpiresAt: graceEnds !== null && graceEnds > clock.now() ? iso(graceEnds) : null,
        publicKey: currentPublicKey(endpoint),
      };
    },
  );

  app.post(
    '/v1/endpoints/:id/secret/rotate',
    {
      config: { access: ADMIN_OR_ACCOUNT },
      schema: {
        operationId: 'endpoints.rotateSecret',
        summary: 'Rotate an endpoint\'s signing secret',
        tags: ['endpoints'],
        description:
          'Replaces the signing secret, and the ed25519 key pair when signing uses ed25519. During the grace period (default 24 h) every request carries both signatures of each kind, new first, and the old public key stays published.',
        params: IdParams,
        body: Type.Optional(RotateSecret),
        response: { 200: SecretView, ...COMMON_ERRORS, ...errorResponses(404, 413, 415) },
      },
    },
    async (request) => {
      const endpoint = await visibleEndpoint(request, request.params.id);
      const body = request.body ?? {};
      if (body.secret !== undefined && !isValidSecret(body.secret)) {
        throw validationError('/secret', 'must be whsec_ followed by the base64 of 24 to 64 bytes');
      }
      const signingKey = clientSigningKey(body.signingKey, endpoint.signing);
      const now = clock.now();
      const graceSeconds = body.graceSeconds ?? DEFAULT_ROTATION_GRACE_SECONDS;
      // Padded base64, whatever the client sent: other Standard Webhooks libraries (Go's) need it.
      const secret = body.secret === undefined ? generateSecret() : normaliseSecret(body.secret);
      const previousExpiresAt = graceSeconds > 0 ? now + graceSeconds * 1000 : null;
      // The ed25519 pair rotates with the secret, under the same grace period.
      const signingKeys =
        usesEd25519(endpoint.signing) && endpoint.signingKeys !== null
          ? rotateSigningKeys(endpoint.signingKeys, now, previousExpiresAt, signingKey)
          : null;
      if (signingKeys !== null) await store.setEndpointSigningKeys(endpoint.id, signingKeys, now);
      await store.setEndpointSecrets(
        endpoint.id,
        { current: secret, previous: previousExpiresAt === null ? null : endpoint.secrets.current, previousExpiresAt },
        now,
      );
      return {
        secret,
        previousSecretExpiresAt: previousExpiresAt === null ? null : iso(previousExpiresAt),
        publicKey: currentPublicKey({ signing: endpoint.signing, signingKeys }),
      };
    },
  );
};
