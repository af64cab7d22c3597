import { Type, type Static } from '@sinclair/typebox';
import type { Attempt, Delivery } from '../domain/types.js';
import { iso, isoOrNull, NullableTimestamp, Timestamp } from './schemas.js';

// How deliveries and attempts look on the wire; shared by the events and deliveries routes.

export const DeliveryStatusSchema = Type.Union([
  Type.Literal('pending'),
  Type.Literal('sending'),
  Type.Literal('succeeded'),
  Type.Literal('failed'),
  Type.Literal('dropped'),
  Type.Literal('canceled'),
  Type.Literal('aborted'),
]);

export const DeliveryView = Type.Object(
  {
    id: Type.String(),
    eventId: Type.String(),
    eventType: Type.String(),
    endpointId: Type.Union([Type.String(), Type.Null()]),
    accountId: Type.Union([Type.String(), Type.Null()]),
    url: Type.String(),
    status: DeliveryStatusSchema,
    attempts: Type.Integer(),
    nextAttemptAt: NullableTimestamp,
    lastStatusCode: Type.Union([Type.Integer(), Type.Null()]),
    lastError: Type.Union([Type.String(), Type.Null()]),
    correlationId: Type.Union([Type.String(), Type.Null()]),
    blockedBy: Type.Union([Type.String(), Type.Null()], {
      description: 'On a `fifo` endpoint, the unfinished delivery of the same orderingKey this one waits for (it has no nextAttemptAt meanwhile).',
    }),
    createdAt: Timestamp,
    completedAt: NullableTimestamp,
  },
  { $id: 'Delivery' },
);

export function deliveryView(delivery: Delivery): Static<typeof DeliveryView> {
  return {
    id: delivery.id,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    endpointId: delivery.endpointId,
    accountId: delivery.accountId,
    url: delivery.url,
    status: delivery.status,
    attempts: delivery.attempts,
    // A due time only means something while the delivery waits for its next attempt.
    nextAttemptAt: delivery.status === 'pending' ? isoOrNull(delivery.nextAttemptAt) : null,
    lastStatusCode: delivery.lastStatusCode,
    lastError: delivery.lastError,
    correlationId: delivery.correlationId,
    blockedBy: delivery.status === 'pending' ? (delivery.blockedBy ?? null) : null,
    createdAt: iso(delivery.createdAt),
    completedAt: isoOrNull(delivery.completedAt),
  };
}

export const AttemptView = Type.Object(
  {
    id: Type.String(),
    deliveryId: Type.String(),
    startedAt: Timestamp,
    durationMs: Type.Integer(),
    statusCode: Type.Union([Type.Integer(), Type.Null()]),
    error: Type.Union([Type.String(), Type.Null()]),
    requestHeaders: Type.Record(Type.String(), Type.String()),
    /**
     * The request line and body as sent (URL with secret-looking query parameters redacted; first 4 KiB of the body); null on attempts
     * recorded before hookd stored them. A body that was the event itself (standard or raw) is rebuilt from the event, so it is also
     * null once the event is no longer kept (migration 0014).
     */
    requestMethod: Type.Union([Type.String(), Type.Null()]),
    requestUrl: Type.Union([Type.String(), Type.Null()]),
    requestBody: Type.Union([Type.String(), Type.Null()]),
    /** Without the connection's own headers (connection, keep-alive, transfer-encoding, …). */
    responseHeaders: Type.Record(Type.String(), Type.String()),
    responseBody: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'Attempt' },
);

export function attemptView(attempt: Attempt): Static<typeof AttemptView> {
  return {
    id: attempt.id,
    deliveryId: attempt.deliveryId,
    startedAt: iso(attempt.startedAt),
    durationMs: attempt.durationMs,
    statusCode: attempt.statusCode,
    error: attempt.error,
    requestHeaders: attempt.requestHeaders,
    requestMethod: attempt.requestMethod ?? null,
    requestUrl: attempt.requestUrl ?? null,
    requestBody: attempt.requestBody ?? null,
    responseHeaders: attempt.responseHeaders,
    responseBody: attempt.responseBody,
  };
}
