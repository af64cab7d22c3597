import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { CallbackSecrets } from '../delivery/callback-secrets.js';
import { ADMIN_ONLY, ADMIN_OR_ACCOUNT, principalOf } from './auth.js';
import { notFound } from './errors.js';
import { assertVisible } from './scope.js';
import { AccountId, COMMON_ERRORS, errorResponses } from './schemas.js';

// The secrets that sign deliveries to an event's one-off callbackUrl (which has no endpoint and so
// no endpoint secret): each account's own, handed to that account to verify its callbacks, and the
// provider's for events without an account.

export const CALLBACK_SECRET_SETTING = 'callback_secret';

const SecretView = Type.Object({ secret: Type.String() });

export interface SettingsRoutesOptions {
  callbackSecrets: CallbackSecrets;
}

export const settingsRoutes: FastifyPluginAsyncTypebox<SettingsRoutesOptions> = async (app, { callbackSecrets }) => {
  app.get(
    '/v1/callback-secret',
    {
      config: { access: ADMIN_ONLY },
      schema: {
        operationId: 'callbackSecret',
        summary: 'Get the provider\'s callback signing secret',
        tags: ['events'],
        description: 'The signing secret of deliveries to the callbackUrl of events without an account (an account\'s events use its own: GET /v1/accounts/{id}/callback-secret).',
        response: { 200: SecretView, ...COMMON_ERRORS },
      },
    },
    async () => ({ secret: callbackSecrets.provider }),
  );

  app.get(
    '/v1/accounts/:id/callback-secret',
    {
      config: { access: ADMIN_OR_ACCOUNT },
      schema: {
        operationId: 'accounts.callbackSecret',
        summary: 'Get an account\'s callback signing secret',
        tags: ['accounts'],
        description:
          'The signing secret of deliveries to the callbackUrl of this account\'s events: admin keys and the account\'s own keys. Created the first time it is asked for or needed.',
        params: Type.Object({ id: AccountId }),
        response: { 200: SecretView, ...COMMON_ERRORS, ...errorResponses(404) },
      },
    },
    async (request) => {
      // Another account's id is answered like an unknown one, before the database is asked.
      assertVisible(principalOf(request), request.params.id, 'account');
      const secret = await callbackSecrets.of(request.params.id);
      if (secret === null) throw notFound('account');
      return { secret };
    },
  );
};
