import { describe, expect, it } from 'vitest';
import { isSubscribed, matchesEventType, matchesFilter } from './subscriptions.js';
import type { Endpoint } from './types.js';

describe('matchesEventType', () => {
  it.each([
    [[], 'inbound_fax', true],
    [['*'], 'call.started', true],
    [['call.*'], 'call.started', true],
    [['call.*'], 'call.ended.late', true],
    [['call.*'], 'callback', false],
    [['call.*'], 'call', false],
    [['inbound_fax'], 'inbound_fax', true],
    [['inbound_fax'], 'outbound_fax', false],
    [[], 'hookd.delivery.failed', false],
    [['*'], 'hookd.delivery.failed', false],
    [['hookd.*'], 'hookd.delivery.failed', true],
    [['hookd.delivery.failed'], 'hookd.delivery.failed', true],
  ] as const)('%j matches %s: %s', (patterns, type, expected) => {
    expect(matchesEventType(patterns, type)).toBe(expected);
  });
});

describe('matchesFilter', () => {
  it('compares the value at a dot path of the payload with the allowed values', () => {
    const filter = { path: 'delivery.status', in: ['failed', 'busy'] };
    expect(matchesFilter(filter, { delivery: { status: 'failed' } })).toBe(true);
    expect(matchesFilter(filter, { delivery: { status: 'success' } })).toBe(false);
    expect(matchesFilter(filter, { delivery: {} })).toBe(false);
    expect(matchesFilter(null, {})).toBe(true);
  });

  it('reads data.… as the payload, as the contract and the templates write it', () => {
    const filter = { path: 'data.status', in: ['failed'] };
    expect(matchesFilter(filter, { status: 'failed' })).toBe(true);
    expect(matchesFilter(filter, { status: 'ok' })).toBe(false);
    // A payload's own `data` field is one level further down.
    expect(matchesFilter(filter, { data: { status: 'failed' } })).toBe(false);
    expect(matchesFilter({ path: 'data.data.status', in: ['failed'] }, { data: { status: 'failed' } })).toBe(true);
    expect(matchesFilter({ path: 'data', in: ['x'] }, { data: 'x' })).toBe(true);
  });

  it('never walks inherited properties', () => {
    expect(matchesFilter({ path: 'constructor.name', in: ['Object'] }, {})).toBe(false);
  });
});

describe('isSubscribed', () => {
  const endpoint = (overrides: Partial<Endpoint>): Endpoint =>
    ({ active: true, accountId: null, eventTypes: [], filter: null, ...overrides }) as Endpoint;
  const event = { type: 'inbound_fax', accountId: 'acme', payload: {}, accountEnabled: true };

  it('provider-level endpoints hear every account', () => {
    expect(isSubscribed(endpoint({}), event)).toBe(true);
    expect(isSubscribed(endpoint({}), { ...event, accountId: 'other' })).toBe(true);
  });

  it('account endpoints hear only their own account, and nothing while it is disabled', () => {
    expect(isSubscribed(endpoint({ accountId: 'acme' }), event)).toBe(true);
    expect(isSubscribed(endpoint({ accountId: 'acme' }), { ...event, accountId: 'other' })).toBe(false);
    expect(isSubscribed(endpoint({ accountId: 'acme' }), { ...event, accountEnabled: false })).toBe(false);
  });

  it('inactive endpoints hear nothing', () => {
    expect(isSubscribed(endpoint({ active: false }), event)).toBe(false);
  });
});
