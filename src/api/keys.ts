import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import type { Clock } from '../domain/clock.js';
import { newId } from '../domain/ids.js';
import { generateApiKey, hashApiKey } from '../domain/keys.js';
import type { ApiKey } from '../domain/types.js';
import type { Store } from '../store/store.js';
import { ADMIN_ONLY, ANY_KEY, principalOf } from './auth.js';
import { notFound, validationError } from './errors.js';
import { AccountId, COMMON_ERRORS, errorResponses, IdParams, iso, isoOrNull, listOf, NullableTimestamp, PageQuery, pageOf, Timestamp } from './schemas.js';

const KeyKind = Type.Union([Type.Literal('admin'), Type.Literal('publisher'), Type.Literal('account')]);

const CreateKey = Type.Object(
  {
    kind: KeyKind,
    accountId: Type.Optional(Type.Union([AccountId, Type.Null()])),
    name: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
    expiresAt: Type.Optional(Type.Union([Timestamp, Type.Null()])),
    rateLimitPerSecond: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 1_000_000 }), Type.Null()])),
  },
  { additionalProperties: false },
);

/** Account keys are in customers' hands (portals, scripts): they are limited unless told otherwise. */
export const DEFAULT_ACCOUNT_KEY_RATE_LIMIT = 100;

const KeyView = Type.Object(
  {
    id: Type.String(),
    kind: KeyKind,
    accountId: Type.Union([Type.String(), Type.Null()]),
    name: Type.Union([Type.String(), Type.Null()]),
    createdAt: Timestamp,
    expiresAt: NullableTimestamp,
    lastUsedAt: NullableTimestamp,
    rateLimitPerSecond: Type.Union([Type.Integer(), Type.Null()]),
  },
  { $id: 'ApiKey' },
);

const MeView = Type.Object({
  keyId: Type.String(),
  kind: KeyKind,
  accountId: Type.Union([Type.String(), Type.Null()]),
  name: Type.Union([Type.String(), Type.Null()]),
  expiresAt: NullableTimestamp,
});

const CreatedKey = Type.Intersect([KeyView, Type.Object({ key: Type.String() })]);

function keyView(key: ApiKey): Static<typeof KeyView> {
  return {
    id: key.id,
    kind: key.kind,
    accountId: key.accountId,
    name: key.name,
    createdAt: iso(key.createdAt),
    expiresAt: isoOrNull(key.expiresAt),
    lastUsedAt: isoOrNull(key.lastUsedAt),
    rateLimitPerSecond: key.rateLimitPerSecond,
  };
}

/** Creates a key and returns it with its clear text, which is never available again. */
export async function createApiKey(
  store: Store,
  clock: Clock,
  input: {
    kind: ApiKey['kind'];
    accountId: string | null;
    name: string | null;
    expiresAt: number | null;
    /** Undefined: the default of the kind. */
    rateLimitPerSecond?: number | null;
  },
): Promise<{ key: ApiKey; clearKey: string }> {
  const now = clock.now();
  if (input.accountId !== null) await store.ensureAccount(input.accountId, now);
  const clearKey = generateApiKey(input.kind);
  const key = await store.createKey({
    id: newId('key', now),
    kind: input.kind,
    accountId: input.accountId,
    name: input.name,
    keyHash: hashApiKey(clearKey),
    createdAt: now,
    expiresAt: input.expiresAt,
    rateLimitPerSecond:
      input.rateLimitPerSecond !== undefined ? input.rateLimitPerSecond : input.kind === 'account' ? DEFAULT_ACCOUNT_KEY_RATE_LIMIT : null,
  });
  return { key, clearKey };
}

export interface KeyRoutesOptions {
  store: Store;
  clock: Clock;
}

export const keyRoutes: FastifyPluginAsyncTypebox<KeyRoutesOptions> = async (app, { store, clock }) => {
  app.post(
    '/v1/keys',
    {
      config: { access: ADMIN_ONLY },
      schema: {
        operationId: 'keys.create',
        summary: 'Create an API key',
        tags: ['keys'],
        body: CreateKey,
        response: { 201: CreatedKey, ...COMMON_ERRORS, ...errorResponses(413, 415) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const accountId = body.accountId ?? null;
      if (body.kind === 'account' && accountId === null) {
        throw validationError('/accountId', 'is required for account keys');
      }
      if (body.kind !== 'account' && accountId !== null) {
        throw validationError('/accountId', 'is only for account keys');
      }
      const expiresAt = body.expiresAt == null ? null : Date.parse(body.expiresAt);
      if (expiresAt !== null && expiresAt <= clock.now()) throw validationError('/expiresAt', 'must be in the future');
      const { key, clearKey } = await createApiKey(store, clock, {
        kind: body.kind,
        accountId,
        name: body.name ?? null,
        expiresAt,
        rateLimitPerSecond: body.rateLimitPerSecond,
      });
      return reply.code(201).send({ ...keyView(key), key: clearKey });
    },
  );

  app.get(
    '/v1/keys',
    {
      config: { access: ADMIN_ONLY },
      schema: {
        operationId: 'keys.list',
        summary: 'List API keys',
        tags: ['keys'],
        querystring: Type.Object({ limit: Type.Optional(PageQuery.limit), cursor: Type.Optional(PageQuery.cursor) }),
        response: { 200: listOf(KeyView), ...COMMON_ERRORS },
      },
    },
    async (request) => {
      const page = await store.listKeys(pageOf(request.query));
      return { data: page.items.map(keyView), nextCursor: page.nextCursor };
    },
  );

  app.delete(
    '/v1/keys/:id',
    {
      config: { access: ADMIN_ONLY },
      schema: {
        operationId: 'keys.revoke',
        summary: 'Revoke an API key',
        tags: ['keys'],
        params: IdParams,
        response: { 204: Type.Null(), ...COMMON_ERRORS, ...errorResponses(404, 413, 415) },
      },
    },
    async (request, reply) => {
      if (!(await store.revokeKey(request.params.id, clock.now()))) throw notFound('key');
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/me',
    {
      config: { access: ANY_KEY },
      schema: {
        operationId: 'me',
        summary: 'Describe the calling key',
        tags: ['keys'],
        description:
          'The key making the request: its kind, account and expiry. Any key may ask, so that a client (the dashboard, the portal) can tell what it may do.',
        response: { 200: MeView, ...COMMON_ERRORS },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return {
        keyId: principal.keyId,
        kind: principal.kind,
        accountId: principal.accountId,
        name: principal.name,
        expiresAt: isoOrNull(principal.expiresAt),
      };
    },
  );
};
