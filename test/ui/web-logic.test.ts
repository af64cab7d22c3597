import { HookdError, type Endpoint } from '@hookd/sdk/client';
import { describe, expect, it } from 'vitest';
import { visibleToCustomers } from '../../packages/web/src/catalog.js';
import { wholeNumberScale } from '../../packages/web/src/components/chart-scale.js';
import { definitionFromForm, emptyForm, formFromEndpoint, parseFilterValue, problemAt, sentBodyFormat, shownProblems } from '../../packages/web/src/editor/form-model.js';
import { problemsFromError } from '../../packages/web/src/editor/url-refusal.js';
import { addField, insertAt } from '../../packages/web/src/editor/insert.js';
import { plural } from '../../packages/web/src/format.js';
import { BUSY_POLL_MS, pollInterval, WAITING_POLL_MS } from '../../packages/web/src/live.js';
import { contrastRatio, normalizeColour, parseTheme, textColourOn } from '../../packages/web/src/theme.js';

// The web app's rules that need no browser: theme parameters, the editor's translation to the
// API's endpoint definition, and the field picker's insertion.

describe('portal theme parameters', () => {
  it.each([
    ['?accent=%23ff6600&theme=dark', { accent: '#ff6600', mode: 'dark' }],
    ['?accent=%23F60', { accent: '#ff6600', mode: null }],
    ['?theme=light', { accent: null, mode: 'light' }],
    ['?accent=red&theme=blue', { accent: null, mode: null }],
    ['?accent=%23ff6600;background:url(x)', { accent: null, mode: null }],
    ['?accent=%23ff660', { accent: null, mode: null }],
    ['?accent=ff6600', { accent: null, mode: null }],
    ['', { accent: null, mode: null }],
  ])('%s gives %o', (search, theme) => {
    expect(parseTheme(search)).toEqual(theme);
  });

  it('only ever yields #rrggbb colours', () => {
    for (const value of ['#abc', '#ABCDEF', 'expression(alert(1))', '#12345g', '#1234567', ' #123456', null, undefined]) {
      const colour = normalizeColour(value);
      if (colour !== null) expect(colour).toMatch(/^#[0-9a-f]{6}$/);
    }
    expect(normalizeColour('#abc')).toBe('#aabbcc');
  });

  it('writes button labels in black or white, whichever contrasts more with the accent', () => {
    expect(textColourOn('#ffff00')).toBe('#000000');
    expect(textColourOn('#0f172a')).toBe('#ffffff');
    for (const accent of ['#ff6600', '#4f46e5', '#0f766e', '#22c55e', '#777777']) {
      expect(contrastRatio(accent, textColourOn(accent))).toBeGreaterThanOrEqual(4.4);
    }
  });
});

const stored: Endpoint = {
  id: 'ep_1',
  accountId: 'acme',
  url: 'https://crm.example.com/call',
  title: 'CRM',
  description: '',
  eventTypes: ['call.incoming'],
  active: true,
  method: 'GET',
  headers: { 'X-Api-Key': 'k' },
  queryParams: { call: '{{data.callId}}' },
  body: { format: 'json', fields: ['from', 'pbx.extension:ext'], userParams: { crm: 'x1', n: 3 } },
  retry: { enabled: true, schedule: 'fixed', intervalSeconds: 300, maxAttempts: 16, dropOn4xx: true, jitter: true },
  timeoutMs: 10_000,
  rateLimitPerSecond: 5,
  filter: { path: 'status', in: ['failed', 42, true, null, '7'] },
  disabledReason: null,
  signing: 'both',
  ordering: 'fifo',
  auth: { type: 'oauth2', tokenUrl: 'https://auth.example.com/token', clientId: 'hookd', scope: 'hooks' },
  destination: { type: 'http' },
  state: { mode: 'normal', until: null, reason: null, concurrency: 16 },
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

describe('the endpoint editor\'s form', () => {
  it('round-trips every option of a stored endpoint into the definition the API takes', () => {
    const { definition, problems } = definitionFromForm(formFromEndpoint(stored), { includeAccount: false });
    expect(problems).toEqual([]);
    expect(definition).toEqual({
      url: stored.url,
      title: 'CRM',
      description: '',
      eventTypes: ['call.incoming'],
      active: true,
      method: 'GET',
      headers: { 'X-Api-Key': 'k' },
      queryParams: { call: '{{data.callId}}' },
      body: { format: 'json', fields: ['from', 'pbx.extension:ext'], userParams: { crm: 'x1', n: 3 } },
      retry: { enabled: true, schedule: 'fixed', intervalSeconds: 300, maxAttempts: 16, dropOn4xx: true, jitter: true },
      timeoutMs: 10_000,
      rateLimitPerSecond: 5,
      signing: 'both',
      ordering: 'fifo',
      filter: { path: 'status', in: ['failed', 42, true, null, '7'] },
      // The secret is write-only: sent without it, the stored one is kept.
      auth: { type: 'oauth2', tokenUrl: 'https://auth.example.com/token', clientId: 'hookd', scope: 'hooks' },
      destination: { type: 'http' },
    });
  });

  it('sends a broker destination with its password put into the URL only when typed, and nothing a broker does not use', () => {
    const redis: Endpoint = { ...stored, url: 'redis://default@cache.internal:6379/0', auth: null, destination: { type: 'redis', stream: 'hooks:{{event.type}}', maxLen: 500, hasPassword: true } };
    const form = formFromEndpoint(redis);
    expect(form).toMatchObject({ destinationType: 'redis', destinationStoredType: 'redis', destinationHasPassword: true, brokerPassword: '', stream: 'hooks:{{event.type}}', maxLen: '500' });
    const kept = definitionFromForm(form, { includeAccount: false });
    expect(kept.problems).toEqual([]);
    // The stored endpoint's GET and query parameters stay in the form (for HTTP again) but are not sent.
    expect(kept.definition).toMatchObject({ url: 'redis://default@cache.internal:6379/0', method: 'POST', queryParams: {}, auth: null, destination: { type: 'redis', stream: 'hooks:{{event.type}}', maxLen: 500 } });
    const typed = definitionFromForm({ ...form, brokerPassword: 'p@ss word' }, { includeAccount: false });
    expect(typed.definition.url).toBe('redis://default:p%40ss%20word@cache.internal:6379/0');
    // Back to HTTP: what was typed for it is sent again.
    expect(definitionFromForm({ ...form, destinationType: 'http' }, { includeAccount: false }).definition).toMatchObject({ method: 'GET', queryParams: { call: '{{data.callId}}' }, destination: { type: 'http' } });

    const rabbit = { ...emptyForm(), url: 'amqp://hookd@mq.internal/prod', destinationType: 'rabbitmq' as const, exchange: ' hooks ' };
    // The routing key left empty takes the server's default; "" is the default exchange, not missing.
    expect(definitionFromForm(rabbit, { includeAccount: false }).definition.destination).toEqual({ type: 'rabbitmq', exchange: 'hooks' });
    expect(definitionFromForm({ ...rabbit, exchange: '', routingKey: 'orders' }, { includeAccount: false }).definition.destination).toEqual({ type: 'rabbitmq', exchange: '', routingKey: 'orders' });
    const nats = definitionFromForm({ ...emptyForm(), url: 'nats://n:4222', destinationType: 'nats' }, { includeAccount: false });
    expect(nats.problems).toEqual([{ field: '/destination/subject', message: 'is required' }]);
    const badLength = definitionFromForm({ ...form, maxLen: 'lots' }, { includeAccount: false });
    expect(badLength.problems).toEqual([{ field: '/destination/maxLen', message: 'must be a whole number' }]);
    expect(problemAt(badLength.problems, '/destination/maxLen')).toBe('must be a whole number');
  });

  it('makes a new endpoint unordered, with the exponential schedule and its jitter', () => {
    const { definition } = definitionFromForm({ ...emptyForm(), url: 'https://x.example.com/' }, { includeAccount: false });
    expect(definition.ordering).toBe('none');
    expect(definition.retry).toMatchObject({ schedule: 'exponential', jitter: true });
  });

  it('signs a new endpoint with HMAC unless another scheme is chosen', () => {
    const form = { ...emptyForm(), url: 'https://x.example.com/' };
    expect(definitionFromForm(form, { includeAccount: false }).definition.signing).toBe('hmac');
    expect(definitionFromForm({ ...form, signing: 'ed25519' }, { includeAccount: false }).definition.signing).toBe('ed25519');
  });

  it('sends auth with its secret only when typed, and asks for it when the kind changes', () => {
    const form = { ...formFromEndpoint(stored), authSecret: 'new-secret' };
    expect(definitionFromForm(form, { includeAccount: false }).definition.auth).toMatchObject({ type: 'oauth2', clientSecret: 'new-secret' });
    const toBasic = definitionFromForm({ ...form, authType: 'basic' as const, authSecret: '', authUsername: 'u' }, { includeAccount: false });
    expect(toBasic.problems).toEqual([{ field: '/auth/password', message: 'is required' }]);
    const none = definitionFromForm({ ...form, authType: '' as const }, { includeAccount: false });
    expect(none.definition.auth).toBeNull();
    expect(definitionFromForm({ ...emptyForm(), url: 'https://x.example.com/' }, { includeAccount: false }).definition.auth).toBeNull();
  });

  it('names an admin\'s account choice only when asked, empty meaning provider-level', () => {
    const form = { ...emptyForm(), url: 'https://x.example.com/' };
    expect(definitionFromForm(form, { includeAccount: true }).definition.accountId).toBeNull();
    expect(definitionFromForm({ ...form, accountId: ' acme ' }, { includeAccount: true }).definition.accountId).toBe('acme');
    expect('accountId' in definitionFromForm(form, { includeAccount: false }).definition).toBe(false);
  });

  it('subscribes a new endpoint to everything until types are chosen', () => {
    const form = { ...emptyForm(), url: 'https://x.example.com/' };
    expect(definitionFromForm(form, { includeAccount: false }).definition.eventTypes).toEqual(['*']);
    const none = definitionFromForm({ ...form, subscribeAll: false }, { includeAccount: false });
    expect(problemAt(none.problems, '/eventTypes')).toMatch(/choose at least one/);
  });

  it('reports what it cannot send at the same pointers as the API', () => {
    const form = {
      ...emptyForm(),
      url: 'https://x.example.com/',
      headers: [{ key: 'X-A', value: '1' }, { key: 'X-A', value: '2' }, { key: '', value: 'orphan' }],
      schedule: 'custom' as const,
      delays: '10, soon',
      timeoutMs: '1.5',
      filterPath: 'status',
      filterValues: '',
    };
    const { problems } = definitionFromForm(form, { includeAccount: false });
    expect(problems.map((p) => p.field)).toEqual(['/headers/1', '/headers/2', '/retry/delaysSeconds', '/timeoutMs', '/filter/in']);
    expect(problemAt(problems, '/headers')).toMatch(/given twice/);
  });

  it('sends only the body fields of the chosen format, and reads filter values as JSON scalars', () => {
    const text = definitionFromForm({ ...emptyForm(), url: 'https://x.example.com/', bodyFormat: 'text', template: 'Hi {{data.a}}', fields: ['a'] }, { includeAccount: false });
    expect(text.definition.body).toEqual({ format: 'text', template: 'Hi {{data.a}}' });
    expect(['42', 'true', 'null', '"42"', 'busy', '-1.5'].map(parseFilterValue)).toEqual([42, true, null, '42', 'busy', -1.5]);
  });
});

describe('the field picker', () => {
  it('replaces the selection with the placeholder and puts the caret after it', () => {
    expect(insertAt('Call  from x', 5, 5, '{{data.callId}}')).toEqual({ text: 'Call {{data.callId}} from x', caret: 20 });
    expect(insertAt('abcdef', 1, 4, 'X')).toEqual({ text: 'aXef', caret: 2 });
    expect(insertAt('abc', null, null, 'X')).toEqual({ text: 'abcX', caret: 4 });
    expect(insertAt('abc', 99, 120, 'X')).toEqual({ text: 'abcX', caret: 4 });
  });

  it('adds a json field once, an aliased one counting as present', () => {
    expect(addField(['a'], 'b')).toEqual(['a', 'b']);
    expect(addField(['a', 'b'], 'b')).toEqual(['a', 'b']);
    expect(addField(['pbx.extension:ext'], 'pbx.extension')).toEqual(['pbx.extension:ext']);
  });
});

describe('live updates', () => {
  const now = Date.parse('2026-11-30T12:00:00Z');
  const inSeconds = (s: number) => new Date(now + s * 1000).toISOString();

  it('polls every second while an attempt is in flight or due within the minute', () => {
    expect(pollInterval([{ status: 'sending', nextAttemptAt: null }], now)).toBe(BUSY_POLL_MS);
    expect(pollInterval([{ status: 'pending', nextAttemptAt: null }], now)).toBe(BUSY_POLL_MS);
    expect(pollInterval([{ status: 'pending', nextAttemptAt: inSeconds(5) }], now)).toBe(BUSY_POLL_MS);
    expect(pollInterval([{ status: 'succeeded', nextAttemptAt: null }, { status: 'sending', nextAttemptAt: null }], now)).toBe(BUSY_POLL_MS);
  });

  it('polls slowly while a retry is further off, and not at all once everything has settled', () => {
    expect(pollInterval([{ status: 'pending', nextAttemptAt: inSeconds(1800) }], now)).toBe(WAITING_POLL_MS);
    expect(pollInterval(['succeeded', 'failed', 'dropped', 'canceled', 'aborted'].map((status) => ({ status: status as 'failed', nextAttemptAt: null })), now)).toBe(false);
    expect(pollInterval([], now)).toBe(false);
  });
});

describe('counts in words', () => {
  it.each([
    [0, 'attempt', '0 attempts'],
    [1, 'attempt', '1 attempt'],
    [2, 'attempt', '2 attempts'],
    [1, 'delivery', '1 delivery'],
    [3, 'delivery', '3 deliveries'],
  ])('%i %s reads "%s"', (count, noun, text) => {
    expect(plural(count, noun)).toBe(text);
  });
});

describe('chart scales', () => {
  it.each([
    [0, { max: 1, ticks: [0, 1] }],
    [1, { max: 1, ticks: [0, 1] }],
    [2, { max: 2, ticks: [0, 1, 2] }],
    [3, { max: 5, ticks: [0, 5] }],
    [7, { max: 10, ticks: [0, 5, 10] }],
    [180, { max: 200, ticks: [0, 100, 200] }],
  ])('a highest value of %i gives %o', (highest, scale) => {
    expect(wholeNumberScale(highest)).toEqual(scale);
  });

  it('never repeats a tick or shows a fraction', () => {
    for (let highest = 0; highest <= 2000; highest++) {
      const { ticks } = wholeNumberScale(highest);
      expect(new Set(ticks).size).toBe(ticks.length);
      expect(ticks.every(Number.isInteger)).toBe(true);
    }
  });
});

describe('when the editor shows a problem', () => {
  const problems = [
    { field: '/url', message: 'must be a URL' },
    { field: '/headers/1', message: 'needs a name' },
    { field: '/retry/delaysSeconds', message: 'list at least one delay' },
  ];

  it('shows none before the user touched anything, and all after a submit', () => {
    expect(shownProblems(problems, new Set(), false)).toEqual([]);
    expect(shownProblems(problems, new Set(), true)).toEqual(problems);
  });

  it('shows those of the inputs the user touched', () => {
    expect(shownProblems(problems, new Set(['url'] as const), false).map((p) => p.field)).toEqual(['/url']);
    expect(shownProblems(problems, new Set(['headers', 'delays'] as const), false).map((p) => p.field)).toEqual(['/headers/1', '/retry/delaysSeconds']);
  });
});

describe('a GET endpoint\'s body', () => {
  it('is never a text template or a raw payload: those are not sent with a GET', () => {
    expect(sentBodyFormat({ method: 'GET', bodyFormat: 'text' })).toBe('standard');
    // A broker's message is POSTed whatever method the form kept for HTTP.
    expect(sentBodyFormat({ method: 'GET', bodyFormat: 'text', destinationType: 'redis' })).toBe('text');
    expect(sentBodyFormat({ method: 'GET', bodyFormat: 'raw' })).toBe('standard');
    expect(sentBodyFormat({ method: 'GET', bodyFormat: 'json' })).toBe('json');
    expect(sentBodyFormat({ method: 'POST', bodyFormat: 'text' })).toBe('text');
    const form = { ...emptyForm(), url: 'https://x.example.com/', method: 'GET' as const, bodyFormat: 'text' as const, template: 'Hi' };
    expect(definitionFromForm(form, { includeAccount: false }).definition.body).toEqual({ format: 'standard' });
  });
});

describe('a refused URL', () => {
  const refusal = new HookdError({
    status: 422,
    code: 'url_not_allowed',
    message: "the URL's host is not allowed: loopback address",
    details: [{ field: '/endpoint/url', in: 'body', message: 'loopback address' }],
    request: 'POST /v1/endpoints/preview',
  });

  it('tells an admin the setting that allows private addresses, and a customer only to use a public one', () => {
    const [admin] = problemsFromError(refusal, { admin: true, prefix: '/endpoint' });
    expect(admin).toEqual({ field: '/url', message: expect.stringContaining('HOOKD_ALLOW_PRIVATE_URLS=true') });
    const [customer] = problemsFromError(refusal, { admin: false, prefix: '/endpoint' });
    expect(customer!.message).toContain('Use a public address');
    expect(customer!.message).not.toContain('HOOKD_');
  });

  it('leaves other errors\' details as the API wrote them', () => {
    const invalid = new HookdError({ status: 400, code: 'validation_failed', message: 'bad', details: [{ field: '/url', in: 'body', message: 'must be a URL' }], request: 'POST /v1/endpoints' });
    expect(problemsFromError(invalid, { admin: true })).toEqual([{ field: '/url', message: 'must be a URL' }]);
    expect(problemsFromError(new Error('network'), { admin: true })).toEqual([]);
  });
});

describe('which catalog types customers see in the portal', () => {
  it.each([
    [['*'], 'invoice.paid', true],
    [['*'], 'hookd.endpoint.disabled', false],
    [['*', 'hookd.endpoint.disabled'], 'hookd.endpoint.disabled', true],
    [['call.*'], 'call.incoming', true],
    [['call.*'], 'billing.internal', false],
    [['invoice.paid'], 'invoice.paid', true],
    [['invoice.paid'], 'invoice.voided', false],
  ])('with %o, %s is shown: %s', (patterns, name, shown) => {
    expect(visibleToCustomers(patterns, name)).toBe(shown);
  });
});
