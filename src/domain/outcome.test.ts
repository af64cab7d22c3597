import { describe, expect, it } from 'vitest';
import { classifyOutcome, NO_DELIVERY_CONTROL, parseDeliveryControl, type AttemptResult } from './outcome.js';

const status = (statusCode: number, header?: string): AttemptResult => ({
  kind: 'response',
  statusCode,
  control: header === undefined ? NO_DELIVERY_CONTROL : parseDeliveryControl(header),
});

describe('classifyOutcome', () => {
  it.each([
    [200, false, 'success'],
    [204, false, 'success'],
    [299, true, 'success'],
    [301, false, 'retry'],
    [302, true, 'retry'],
    [400, false, 'retry'],
    [404, false, 'retry'],
    [404, true, 'drop'],
    [408, true, 'retry'],
    [429, true, 'retry'],
    [410, false, 'drop'],
    [500, true, 'retry'],
    [503, false, 'retry'],
  ] as const)('status %i with dropOn4xx=%s is %s', (code, dropOn4xx, verdict) => {
    expect(classifyOutcome(status(code), { dropOn4xx }).verdict).toBe(verdict);
  });

  it('410 Gone disables the endpoint', () => {
    expect(classifyOutcome(status(410), { dropOn4xx: false })).toEqual({ verdict: 'drop', reason: 'http_410', disableEndpoint: 'gone' });
  });

  it('a 4xx dropped by dropOn4xx does not disable the endpoint', () => {
    expect(classifyOutcome(status(404), { dropOn4xx: true })).toMatchObject({ disableEndpoint: null });
  });

  it.each(['timeout', 'connection_refused', 'connection_reset', 'dns', 'tls', 'network'] as const)(
    'the network error %s is retried',
    (error) => {
      expect(classifyOutcome({ kind: 'error', error }, { dropOn4xx: true }).verdict).toBe('retry');
    },
  );

  it('a URL refused by the guard is dropped: it would be refused again', () => {
    expect(classifyOutcome({ kind: 'error', error: 'url_not_allowed' }, { dropOn4xx: false }).verdict).toBe('drop');
  });

  describe('webhook-delivery: abort-message', () => {
    it.each([
      [500, 'abort', null],
      [404, 'abort', null],
      [408, 'abort', null],
      [429, 'abort', null],
      [302, 'abort', null],
      [410, 'abort', 'gone'],
      // On a 2xx it means nothing: the delivery succeeded.
      [200, 'success', null],
      [204, 'success', null],
    ] as const)('status %i with abort-message is %s (endpoint disabled: %s)', (code, verdict, disableEndpoint) => {
      expect(classifyOutcome(status(code, 'abort-message'), { dropOn4xx: false })).toMatchObject({ verdict, disableEndpoint });
    });
  });

  describe('webhook-delivery: disable', () => {
    it.each([
      [200, 'success'],
      [204, 'success'],
      [500, 'retry'],
      [404, 'retry'],
      [410, 'drop'],
    ] as const)('status %i with disable is %s and disables the endpoint for the receiver', (code, verdict) => {
      expect(classifyOutcome(status(code, 'disable'), { dropOn4xx: false })).toMatchObject({ verdict, disableEndpoint: 'receiver' });
    });

    it('both directives on a 500: aborted, and the endpoint disabled', () => {
      expect(classifyOutcome(status(500, 'abort-message, disable'), { dropOn4xx: false })).toEqual({ verdict: 'abort', disableEndpoint: 'receiver' });
    });
  });

  it('a network error has no answer to carry a directive', () => {
    expect(classifyOutcome({ kind: 'error', error: 'timeout' }, { dropOn4xx: false })).toEqual({ verdict: 'retry', reason: 'timeout', disableEndpoint: null });
  });
});

describe('parseDeliveryControl', () => {
  it.each([
    [undefined, false, false],
    ['', false, false],
    ['abort-message', true, false],
    ['  Abort-Message  ', true, false],
    ['ABORT-MESSAGE', true, false],
    ['disable', false, true],
    [' DISABLE ', false, true],
    ['abort-message, disable', true, true],
    ['abort', false, false],
    ['disabled', false, false],
    ['pause', false, false],
  ] as const)('%j ⇒ abortMessage %s, disable %s', (value, abortMessage, disable) => {
    expect(parseDeliveryControl(value)).toEqual({ abortMessage, disable });
  });
});
