import { describe, expect, it } from 'vitest';
import { classifyOutcome, type AttemptResult } from './outcome.js';

const status = (statusCode: number): AttemptResult => ({ kind: 'response', statusCode });

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
    expect(classifyOutcome(status(410), { dropOn4xx: false })).toEqual({ verdict: 'drop', reason: 'http_410', disableEndpoint: true });
  });

  it('a 4xx dropped by dropOn4xx does not disable the endpoint', () => {
    expect(classifyOutcome(status(404), { dropOn4xx: true })).toMatchObject({ disableEndpoint: false });
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
});
