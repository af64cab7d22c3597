import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../domain/clock.js';
import type { Delivery } from '../domain/types.js';
import type { Store } from '../store/store.js';
import { ADMIN_OR_ACCOUNT, principalOf } from './auth.js';
import { attemptView, AttemptView, deliveryView, DeliveryStatusSchema, DeliveryView } from './delivery-views.js';
import { ApiError, notFound } from './errors.js';
import { COMMON_ERRORS, ErrorResponse, IdParams, listOf, PageQuery } from './schemas.js';
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

export function deliveryRoutes(
  app: FastifyInstance,
  store: Store,
  clock: Clock,
  onRetry: () => void,
): void {
  async function visibleDelivery(request: FastifyRequest): Promise<Delivery> {
    const delivery = await store.getDelivery((request.params as Static<typeof IdParams>).id);
    if (delivery === null) throw notFound('delivery');
    assertVisible(principalOf(request), delivery.accountId, 'delivery');
    return delivery;
  }

  app.get(
    '/v1/deliveries',
    {
      config: { access: ADMIN_OR_ACCOUNT },
      schema: { tags: ['deliveries'], querystring: ListQuery, response: { 200: listOf(DeliveryView), ...COMMON_ERRORS } },
    },
    async (request) => {
      const query = request.query as Static<typeof ListQuery> & { limit: number };
      const page = await store.listDeliveries(
        {
          endpointId: query.endpointId,
          eventId: query.eventId,
          status: query.status,
          correlationId: query.correlationId,
          accountId: listScope(principalOf(request)),
        },
        { limit: query.limit, cursor: query.cursor ?? null },
      );
      return { data: page.items.map(deliveryView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/deliveries/:id',
    {
      config: { access: ADMIN_OR_ACCOUNT },
      schema: { tags: ['deliveries'], params: IdParams, response: { 200: DeliveryView, ...COMMON_ERRORS } },
    },
    async (request) => deliveryView(await visibleDelivery(request)),
  );

  app.get(
    '/v1/deliveries/:id/attempts',
    {
      config: { access: ADMIN_OR_ACCOUNT },
      schema: {
        tags: ['deliveries'],
        description: 'Attempts, newest first, with the request headers sent (credential headers redacted; the signature is kept) and the first 4 KiB of the response.',
        params: IdParams,
        querystring: Type.Object({ limit: Type.Optional(PageQuery.limit), cursor: Type.Optional(PageQuery.cursor) }),
        response: { 200: listOf(AttemptView), ...COMMON_ERRORS },
      },
    },
    async (request) => {
      const delivery = await visibleDelivery(request);
      const query = request.query as { limit: number; cursor?: string };
      const page = await store.listAttempts(delivery.id, { limit: query.limit, cursor: query.cursor ?? null });
      return { data: page.items.map(attemptView), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/v1/deliveries/:id/retry',
    {
      config: { access: ADMIN_OR_ACCOUNT },
      schema: {
        tags: ['deliveries'],
        description:
          'One immediate new attempt, whatever the status. A pending delivery is simply made due now; a finished one gets exactly one more attempt.',
        params: IdParams,
        response: { 202: DeliveryView, 409: ErrorResponse, ...COMMON_ERRORS },
      },
    },
    async (request, reply) => {
      const delivery = await visibleDelivery(request);
      const retried = await store.retryDelivery(delivery.id, clock.now());
      if (retried === null) throw new ApiError('conflict', 'the delivery is being attempted right now');
      onRetry();
      return reply.code(202).send(deliveryView(retried));
    },
  );

  app.delete(
    '/v1/deliveries/:id',
    {
      config: { access: ADMIN_OR_ACCOUNT },
      schema: {
        tags: ['deliveries'],
        description: 'Cancels a pending delivery. 409 when it is in flight or finished.',
        params: IdParams,
        response: { 200: DeliveryView, 409: ErrorResponse, ...COMMON_ERRORS },
      },
    },
    async (request) => {
      const delivery = await visibleDelivery(request);
      const canceled = await store.cancelDelivery(delivery.id, clock.now());
      if (canceled === null) throw new ApiError('conflict', `a ${delivery.status} delivery cannot be canceled`);
      return deliveryView(canceled);
    },
  );
}
