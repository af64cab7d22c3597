import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import type { Config } from '../config.js';
import type { Clock } from '../domain/clock.js';
import type { Account } from '../domain/types.js';
import type { Store } from '../store/store.js';
import { ADMIN_ONLY } from './auth.js';
import { notFound } from './errors.js';
import { createApiKey } from './keys.js';
import { AccountId, COMMON_ERRORS, errorResponses, iso, listOf, PageQuery, pageOf, Timestamp } from './schemas.js';

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

/** A portal link lives at least a minute (time to open it) and at most a week. */
const PORTAL_SESSION_TTL = { min: 60, max: 604_800, default: 3600 };
const PORTAL_SESSION_KEY_NAME = 'portal session';

const CreatePortalSession = Type.Object(
  {
    ttlSeconds: Type.Optional(
      Type.Integer({ minimum: PORTAL_SESSION_TTL.min, maximum: PORTAL_SESSION_TTL.max, default: PORTAL_SESSION_TTL.default }),
    ),
  },
  { additionalProperties: false },
);

const PortalSessionView = Type.Object({
  token: Type.String({ description: 'An account key that expires at expiresAt.' }),
  url: Type.String({ description: 'The portal, with the token in the fragment (#token=…): absolute on HOOKD_PUBLIC_URL when set, else relative (`/portal#token=…`).' }),
  expiresAt: Timestamp,
  keyId: Type.String({ description: 'The key behind the session: DELETE /v1/keys/{keyId} ends it early.' }),
});

/**
 * A portal link: absolute on the configured public URL, else relative. Never built from the
 * request's Host header: a client chooses it, and a link pointing at the client's host would hand
 * the token to whoever controls that host. The token goes in the fragment, which browsers never
 * send to servers (logs) nor in Referer.
 */
function portalUrl(config: Config, token: string): string {
  return `${config.publicUrl ?? ''}/portal#token=${encodeURIComponent(token)}`;
}

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

export interface AccountRoutesOptions {
  store: Store;
  clock: Clock;
  config: Config;
}

export const accountRoutes: FastifyPluginAsyncTypebox<AccountRoutesOptions> = async (app, { store, clock, config }) => {
  app.get(
    '/v1/accounts',
    {
      config: { access: ADMIN_ONLY },
      schema: {
        operationId: 'accounts.list',
        summary: 'List accounts',
        tags: ['accounts'],
        description: 'Accounts in id order.',
        querystring: Type.Object({ limit: Type.Optional(PageQuery.limit), cursor: Type.Optional(PageQuery.cursor) }),
        response: { 200: listOf(AccountView), ...COMMON_ERRORS },
      },
    },
    async (request) => {
      const page = await store.listAccounts(pageOf(request.query));
      return { data: page.items.map(accountView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/accounts/:id',
    {
      config: { access: ADMIN_ONLY },
      schema: {
        operationId: 'accounts.get',
        summary: 'Get an account',
        tags: ['accounts'],
        params: AccountParams,
        response: { 200: AccountView, ...COMMON_ERRORS, ...errorResponses(404) },
      },
    },
    async (request) => {
      const account = await store.getAccount(request.params.id);
      if (account === null) throw notFound('account');
      return accountView(account);
    },
  );

  app.put(
    '/v1/accounts/:id',
    {
      config: { access: ADMIN_ONLY },
      schema: {
        operationId: 'accounts.update',
        summary: 'Create or update an account',
        tags: ['accounts'],
        description: 'Creates or updates an account. `enabled: false` stops new deliveries to its endpoints.',
        params: AccountParams,
        body: PutAccount,
        response: { 200: AccountView, ...COMMON_ERRORS, ...errorResponses(404, 413, 415) },
      },
    },
    async (request) => {
      return accountView(await store.putAccount(request.params.id, request.body, clock.now()));
    },
  );

  app.post(
    '/v1/accounts/:id/portal-sessions',
    {
      config: { access: ADMIN_ONLY },
      // The body is optional: no body at all means the defaults.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        operationId: 'accounts.createPortalSession',
        summary: 'Create a portal link for an account',
        tags: ['accounts'],
        description:
          'A magic link to the account\'s self-service portal: a short-lived account key (60 s to 7 days, default 1 hour) and the portal URL carrying it. Call it from your backend and hand the URL to your customer.',
        params: AccountParams,
        body: CreatePortalSession,
        response: { 201: PortalSessionView, ...COMMON_ERRORS, ...errorResponses(404, 413, 415) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const ttlSeconds = request.body.ttlSeconds ?? PORTAL_SESSION_TTL.default;
      const expiresAt = clock.now() + ttlSeconds * 1000;
      const { key, clearKey } = await createApiKey(store, clock, {
        kind: 'account',
        accountId: id,
        name: PORTAL_SESSION_KEY_NAME,
        expiresAt,
      });
      return reply.code(201).send({ token: clearKey, url: portalUrl(config, clearKey), expiresAt: iso(expiresAt), keyId: key.id });
    },
  );
};
