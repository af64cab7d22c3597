import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../domain/clock.js';
import type { Account } from '../domain/types.js';
import type { Store } from '../store/store.js';
import { ADMIN_ONLY } from './auth.js';
import { notFound } from './errors.js';
import { AccountId, COMMON_ERRORS, iso, listOf, PageQuery, Timestamp } from './schemas.js';

// Accounts are the provider's customers. They come into being the first time an accountId is
// used; here the provider names them and switches their webhooks on and off (seeds 000, 001).

const AccountView = Type.Object(
  {
    id: Type.String(),
    name: Type.Union([Type.String(), Type.Null()]),
    enabled: Type.Boolean(),
    metadata: Type.Record(Type.String(), Type.Unknown()),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Account' },
);

const PutAccount = Type.Object(
  {
    name: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
    enabled: Type.Optional(Type.Boolean()),
    metadata: Type.Optional(Type.Record(Type.String({ maxLength: 128 }), Type.Unknown(), { maxProperties: 50 })),
  },
  { additionalProperties: false },
);

const AccountParams = Type.Object({ id: AccountId });

export function accountView(account: Account): Static<typeof AccountView> {
  return {
    id: account.id,
    name: account.name,
    enabled: account.enabled,
    metadata: account.metadata,
    createdAt: iso(account.createdAt),
    updatedAt: iso(account.updatedAt),
  };
}

export function accountRoutes(app: FastifyInstance, store: Store, clock: Clock): void {
  app.get(
    '/v1/accounts',
    {
      config: { access: ADMIN_ONLY },
      schema: {
        tags: ['accounts'],
        description: 'Accounts in id order.',
        querystring: Type.Object({ limit: Type.Optional(PageQuery.limit), cursor: Type.Optional(PageQuery.cursor) }),
        response: { 200: listOf(AccountView), ...COMMON_ERRORS },
      },
    },
    async (request) => {
      const query = request.query as { limit: number; cursor?: string };
      const page = await store.listAccounts({ limit: query.limit, cursor: query.cursor ?? null });
      return { data: page.items.map(accountView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/accounts/:id',
    {
      config: { access: ADMIN_ONLY },
      schema: { tags: ['accounts'], params: AccountParams, response: { 200: AccountView, ...COMMON_ERRORS } },
    },
    async (request) => {
      const { id } = request.params as Static<typeof AccountParams>;
      const account = await store.getAccount(id);
      if (account === null) throw notFound('account');
      return accountView(account);
    },
  );

  app.put(
    '/v1/accounts/:id',
    {
      config: { access: ADMIN_ONLY },
      schema: {
        tags: ['accounts'],
        description: 'Creates or updates an account. `enabled: false` stops new deliveries to its endpoints.',
        params: AccountParams,
        body: PutAccount,
        response: { 200: AccountView, ...COMMON_ERRORS },
      },
    },
    async (request) => {
      const { id } = request.params as Static<typeof AccountParams>;
      const body = request.body as Static<typeof PutAccount>;
      return accountView(await store.putAccount(id, body, clock.now()));
    },
  );
}
