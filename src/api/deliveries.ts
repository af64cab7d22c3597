import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Clock } from '../domain/clock.js';
import type { Delivery } from '../domain/types.js';
import type { Store } from '../store/store.js';
import { ADMIN_OR_ACCOUNT, principalOf } from './auth.js';
import { attemptView, AttemptView, deliveryView, DeliveryStatusSchema, DeliveryView } from './delivery-views.js';
import { ApiError, notFound } from './errors.js';
import { COMMON_ERRORS, errorResponses, IdParams, listOf, PageQuery, pageOf } from './schemas.js';
import { assertVisible, listScope } from './scope.js';

// Deliveries (one event for one endpoint or callbackUrl) and their attempts: what happened, and
// the operator's levers — retry now, cancel.

const ListQuery = Type.Object({
  limit: Type.Optional(PageQuery.limit),
  cursor: Type.Optional(PageQuery.cursor),
  endpointId: Type.Optional(Type.String({ maxLength: 256 })),
  eventId: Type.Optional(Type.String({ maxLength: 256 })),
  status: Type.Optional(DeliveryStatusSchema),
  correlationId: Type.Optional(Type.String({ maxLength: 256 })),
});

export interface DeliveryRoutesOptions {
  store: Store;
  clock: Clock;
  /** Called when a retry (or a cancel, whose successor in its ordering key takes over) made a delivery due now, so that a worker picks it up at once. */
  onDue: () => void;
}

export const deliveryRoutes: FastifyPluginAsyncTypebox<DeliveryRoutesOptions> = async (app, { store, clock, onDue }) => {
  async function visibleDelivery(request: FastifyRequest, id: string): Promise<Delivery> {
    const delivery = await store.getDelivery(id);
    if (delivery === null) throw notFound('delivery');
    assertVisible(principalOf(request), delivery.accountId, 'delivery');
    return delivery;
  }

  app.get(
    '/v1/deliveries',
    {
      config: { access: ADMIN_OR_ACCOUNT },
      schema: {
        operationId: 'deliveries.list',
        summary: 'List deliveries',
        tags: ['deliveries'],
        querystring: ListQuery,
        response: { 200: listOf(DeliveryView), ...COMMON_ERRORS },
      },
    },
    async (request) => {
      const { query } = request;
      const page = await store.listDeliveries(
        {
          endpointId: query.endpointId,
          eventId: query.eventId,
          status: query.status,
          correlationId: query.correlationId,
          accountId: listScope(principalOf(request)),
        },
        pageOf(query),
      );
      return { data: page.items.map(deliveryView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/deliveries/:id',
    {
      config: { access: ADMIN_OR_ACCOUNT },
      schema: {
        operationId: 'deliveries.get',
        summary: 'Get a delivery',
        tags: ['deliveries'],
        params: IdParams,
        response: { 200: DeliveryView, ...COMMON_ERRORS, ...errorResponses(404) },
      },
    },
    async (request) => deliveryView(await visibleDelivery(request, request.params.id)),
  );

  app.get(
    '/v1/deliveries/:id/attempts',
    {
      config: { access: ADMIN_OR_ACCOUNT },
      schema: {
        operationId: 'deliveries.attempts',
        summary: 'List a delivery\'s attempts',
        tags: ['deliveries'],
        description: 'Attempts, newest first, with the request headers sent (credential headers redacted; the signature is kept) and the first 4 KiB of the response.',
        params: IdParams,
        querystring: Type.Object({ limit: Type.Optional(PageQuery.limit), cursor: Type.Optional(PageQuery.cursor) }),
        response: { 200: listOf(AttemptView), ...COMMON_ERRORS, ...errorResponses(404) },
      },
    },
    async (request) => {
      const delivery = await visibleDelivery(request, request.params.id);
      const page = await store.listAttempts(delivery.id, pageOf(request.query));
      return { data: page.items.map(attemptView), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/v1/deliveries/:id/retry',
    {
      config: { access: ADMIN_OR_ACCOUNT },
      schema: {
        operationId: 'deliveries.retry',
        summary: 'Retry a delivery now',
        tags: ['deliveries'],
        description:
          'One immediate new attempt, whatever the status. A pending delivery is simply made due now; a finished one gets exactly one more attempt (outside its ordering key: it is sent at once). 409 while it is in flight, or while it waits for the delivery before it in its ordering key.',
        params: IdParams,
        response: { 202: DeliveryView, ...COMMON_ERRORS, ...errorResponses(404, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const delivery = await visibleDelivery(request, request.params.id);
      const retried = await store.retryDelivery(delivery.id, clock.now());
      if (retried === null) {
        const now = await store.getDelivery(delivery.id);
        // Made due now, it would overtake the delivery of its ordering key still unfinished.
        if (now?.status === 'pending' && now.blockedBy) {
          throw new ApiError('conflict', `the delivery waits for ${now.blockedBy}, the one before it in its ordering key`);
        }
        throw new ApiError('conflict', 'the delivery is being attempted right now');
      }
      onDue();
      return reply.code(202).send(deliveryView(retried));
    },
  );

  app.delete(
    '/v1/deliveries/:id',
    {
      config: { access: ADMIN_OR_ACCOUNT },
      schema: {
        operationId: 'deliveries.cancel',
        summary: 'Cancel a pending delivery',
        tags: ['deliveries'],
        description: 'Cancels a pending delivery. 409 when it is in flight or finished.',
        params: IdParams,
        response: { 200: DeliveryView, ...COMMON_ERRORS, ...errorResponses(404, 409, 413, 415) },
      },
    },
    async (request) => {
      const delivery = await visibleDelivery(request, request.params.id);
      const canceled = await store.cancelDelivery(delivery.id, clock.now());
      if (canceled === null) throw new ApiError('conflict', `a ${delivery.status} delivery cannot be canceled`);
      onDue();
      return deliveryView(canceled);
    },
  );
};
