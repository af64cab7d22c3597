import { describe, expect, it } from 'vitest';
import { rebuiltRequestBody, requestBodySource } from './request-body-source.js';
import { standardBody } from './request.js';
import type { HookEvent } from './types.js';

const event: HookEvent = {
  id: 'evt_1',
  type: 'call.ended',
  accountId: null,
  payload: '{"callId": 7, "big": 12345678901234567890}',
  correlationId: null,
  callbackUrl: null,
  occurredAt: Date.UTC(2026, 10, 30, 12),
  createdAt: Date.UTC(2026, 10, 30, 12),
};

describe('request body source', () => {
  it('names the standard envelope and the raw payload, and nothing else', () => {
    expect(requestBodySource(standardBody(event), event)).toBe('standard');
    expect(requestBodySource(event.payload, event)).toBe('raw');
    expect(requestBodySource('{"callId":7}', event)).toBeNull();
    expect(requestBodySource(null, event)).toBeNull();
    // Another event's envelope is not this one's.
    expect(requestBodySource(standardBody({ ...event, occurredAt: event.occurredAt + 1 }), event)).toBeNull();
  });

  it('rebuilds the same bytes, cut at the 4 KiB the attempt log keeps', () => {
    expect(rebuiltRequestBody('standard', event)).toBe(standardBody(event));
    expect(rebuiltRequestBody('raw', event)).toBe(event.payload);
    const big = { ...event, payload: JSON.stringify({ pad: 'x'.repeat(10_000) }) };
    expect(rebuiltRequestBody('raw', big)).toBe(big.payload.slice(0, 4096));
    expect(rebuiltRequestBody('standard', big)).toHaveLength(4096);
  });
});
