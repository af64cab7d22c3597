import type { Delivery } from '@hookd/sdk';
import { describe, expect, it } from 'vitest';
import { describeCounts, outcomeOfNewAttempt } from './outcome-watch.js';

const delivery = (fields: Partial<Delivery>): Delivery => ({
  id: 'dlv_1',
  eventId: 'evt_1',
  eventType: 'order.created',
  endpointId: 'ep_1',
  accountId: null,
  url: 'http://127.0.0.1/x',
  status: 'pending',
  attempts: 0,
  nextAttemptAt: null,
  lastStatusCode: null,
  lastError: null,
  correlationId: null,
  blockedBy: null,
  createdAt: '2026-11-22T12:00:00.000Z',
  completedAt: null,
  ...fields,
});

describe('outcomeOfNewAttempt', () => {
  it.each([
    ['a new delivery not yet attempted', { status: 'pending', attempts: 0 }, 0, null],
    ['an attempt in flight', { status: 'sending', attempts: 1 }, 0, null],
    ['a success', { status: 'succeeded', attempts: 1 }, 0, 'succeeded'],
    ['a failure waiting for its retry', { status: 'pending', attempts: 1 }, 0, 'retrying'],
    ['a recovered delivery before its new attempt', { status: 'pending', attempts: 3 }, 3, null],
    ['a recovered delivery failing again', { status: 'failed', attempts: 4 }, 3, 'failed'],
    ['a recovered delivery whose endpoint is disabled', { status: 'failed', attempts: 3, lastError: 'endpoint_disabled' }, 3, 'failed'],
    ['a canceled one', { status: 'canceled', attempts: 0 }, 0, 'canceled'],
    ['a dropped one', { status: 'dropped', attempts: 1 }, 0, 'dropped'],
  ] as const)('%s', (_name, fields, before, expected) => {
    expect(outcomeOfNewAttempt(delivery(fields), before)).toBe(expected);
  });

  it('describes counts, leaving out the empty ones', () => {
    expect(describeCounts({ succeeded: 3, retrying: 0, failed: 1, dropped: 0, canceled: 0, aborted: 0 })).toBe('3 succeeded · 1 failed');
  });
});
