import type { Endpoint } from '@hookd/sdk/client';
import { describe, expect, it } from 'vitest';
import { definitionFromForm, emptyForm, formFromEndpoint, parseFilterValue, problemAt } from '../../packages/web/src/editor/form-model.js';
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
  retry: { enabled: true, schedule: 'fixed', intervalSeconds: 300, maxAttempts: 16, dropOn4xx: true },
  timeoutMs: 10_000,
  rateLimitPerSecond: 5,
  filter: { path: 'status', in: ['failed', 42, true, null, '7'] },
  disabledReason: null,
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
      retry: { enabled: true, schedule: 'fixed', intervalSeconds: 300, maxAttempts: 16, dropOn4xx: true },
      timeoutMs: 10_000,
      rateLimitPerSecond: 5,
      filter: { path: 'status', in: ['failed', 42, true, null, '7'] },
    });
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
    expect(pollInterval(['succeeded', 'failed', 'dropped', 'canceled'].map((status) => ({ status: status as 'failed', nextAttemptAt: null })), now)).toBe(false);
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
