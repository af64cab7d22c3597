import { deriveParameters } from './parameters.js';
import type { EventType } from './types.js';

// hookd's own events (contract: Operational events). Built into the catalog; they cannot be
// changed or deleted, and a delivery of one never causes another (no loops).

export const DELIVERY_FAILED = 'hookd.delivery.failed';
export const ENDPOINT_DISABLED = 'hookd.endpoint.disabled';
export const OPERATION_TIMED_OUT = 'hookd.operation.timed_out';
export const ENDPOINT_PAUSED = 'hookd.endpoint.paused';
export const ENDPOINT_RESUMED = 'hookd.endpoint.resumed';

function builtIn(name: string, description: string, example: Record<string, unknown>): EventType {
  return {
    name,
    description,
    category: 'hookd',
    schema: null,
    examples: [example],
    parameters: deriveParameters(null, [example]),
    archived: false,
    builtIn: true,
    createdAt: 0,
    updatedAt: 0,
  };
}

export const BUILT_IN_EVENT_TYPES: EventType[] = [
  builtIn(DELIVERY_FAILED, 'A delivery exhausted its retries.', {
    deliveryId: 'dlv_…',
    eventId: 'evt_…',
    eventType: 'inbound_fax',
    endpointId: 'ep_…',
    url: 'https://example.com/hooks',
    attempts: 8,
    lastStatusCode: 503,
    lastError: null,
  }),
  builtIn(ENDPOINT_DISABLED, 'An endpoint was disabled by hookd (410 Gone, webhook-delivery: disable from the receiver, or every attempt failing for HOOKD_AUTO_DISABLE_AFTER, 5 days by default).', {
    endpointId: 'ep_…',
    url: 'https://example.com/hooks',
    reason: 'auto: failing since 2026-11-17T10:00:00.000Z',
  }),
  builtIn(ENDPOINT_PAUSED, 'An endpoint was paused: its receiver answered 429 or 503 with Retry-After, or its circuit breaker opened after 5 consecutive failures.', {
    endpointId: 'ep_…',
    url: 'https://example.com/hooks',
    until: '2026-11-17T10:00:30.000Z',
    reason: '429 Retry-After 30 s',
  }),
  builtIn(ENDPOINT_RESUMED, 'A paused endpoint was resumed: its receiver answered after the pause (or the circuit breaker\'s probe), or by POST /v1/endpoints/{id}/resume.', {
    endpointId: 'ep_…',
    url: 'https://example.com/hooks',
    by: 'receiver',
  }),
  builtIn(OPERATION_TIMED_OUT, 'An operation reached its timeout without an outcome.', {
    protocol: '00000000-0000-4000-8000-000000000000',
    type: 'device.reboot',
    subject: 'RTR-42',
  }),
];
