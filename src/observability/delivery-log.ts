import type { Logger } from 'pino';
import type { ClaimedDelivery } from '../domain/types.js';
import type { AttemptRecord } from '../store/store.js';

// One line per committed delivery state: at debug while a delivery is still on its way (succeeded,
// or retrying), at info when it ended without success. Ids, status and timing only: the request's
// headers and body carry the endpoint's credentials and the customer's data.

export function logDeliveryRecorded(log: Logger, delivery: ClaimedDelivery, record: AttemptRecord): void {
  const ended = record.status === 'failed' || record.status === 'dropped' || record.status === 'canceled' || record.status === 'aborted';
  const level = ended ? 'info' : 'debug';
  if (!log.isLevelEnabled(level)) return;
  log[level](
    {
      deliveryId: delivery.id,
      eventId: delivery.eventId,
      endpointId: delivery.endpointId,
      attempt: delivery.attempts + (record.attempt === null ? 0 : 1),
      status: record.status,
      statusCode: record.attempt?.statusCode ?? null,
      error: record.attempt === null ? record.lastError : record.attempt.error,
      durationMs: record.attempt?.durationMs ?? null,
      nextAttemptAt: record.nextAttemptAt === null ? null : new Date(record.nextAttemptAt).toISOString(),
    },
    'delivery recorded',
  );
}
