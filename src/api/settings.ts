import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ADMIN_ONLY } from './auth.js';
import { COMMON_ERRORS } from './schemas.js';

// The secret that signs deliveries to an event's one-off callbackUrl (which has no endpoint and
// so no endpoint secret). The provider hands it to whoever receives those callbacks.

export const CALLBACK_SECRET_SETTING = 'callback_secret';

export interface SettingsRoutesOptions {
  callbackSecret: string;
}

export const settingsRoutes: FastifyPluginAsyncTypebox<SettingsRoutesOptions> = async (app, { callbackSecret }) => {
  app.get(
    '/v1/callback-secret',
    {
      config: { access: ADMIN_ONLY },
      schema: {
        operationId: 'callbackSecret',
        summary: 'Get the callback signing secret',
        tags: ['events'],
        description: 'The signing secret of deliveries to an event\'s callbackUrl.',
        response: { 200: Type.Object({ secret: Type.String() }), ...COMMON_ERRORS },
      },
    },
    async () => ({ secret: callbackSecret }),
  );
};
