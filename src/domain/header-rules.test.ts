import { describe, expect, it } from 'vitest';
import { headerProblems, refusedHeaderName, sendableHeaderValue } from './header-rules.js';

describe('header names on save', () => {
  it.each([
    ['Host'],
    ['content-length'],
    ['Content-Type'],
    ['CONTENT-TYPE'],
    ['Transfer-Encoding'],
    ['Expect'],
    ['Connection'],
    ['Keep-Alive'],
    ['Upgrade'],
    ['TE'],
    ['Trailer'],
    ['Webhook-Id'],
    ['webhook-signature'],
    ['WEBHOOK-anything'],
    ['X Api Key'],
    ['X-Api-Key:'],
    ['X-Émoji'],
    ['X-\r\nInjected'],
    [''],
    ['(x)'],
  ])('refuses %j', (name) => {
    expect(refusedHeaderName(name)).not.toBeNull();
  });

  it.each([['Authorization'], ['X-Api-Key'], ['User-Agent'], ['x-tenant'], ["a!#$%&'*+-.^_`|~9"], ['Webhook'], ['X-Webhook-Id']])(
    'accepts %j',
    (name) => {
      expect(refusedHeaderName(name)).toBeNull();
    },
  );

  it('says why hookd sets a refused header itself', () => {
    expect(refusedHeaderName('Content-Type')).toContain('body.contentType');
    expect(refusedHeaderName('webhook-id')).toContain('webhook-*');
    expect(refusedHeaderName('Expect')).toContain('stall');
  });
});

describe('headerProblems', () => {
  it('names each problem by its JSON pointer', () => {
    expect(
      headerProblems({
        Authorization: 'Bearer abc',
        'X-Note': '{{data.note}}',
        'X-Latin': 'café',
        'X-Emoji': 'hi 😀',
        'X-Tab': 'a\tb',
        Expect: '100-continue',
        'X-Break': 'a\r\nX-Injected: 1',
        'X-Nul': 'a\u0000b',
        'X-Del': 'a\u007fb',
        'X-C1': 'a\u0085b',
        'X~/': 'x',
        'X-Template-Break': '{{data.a}}\n{{data.b}}',
      }),
    ).toEqual([
      { field: '/headers/Expect', message: 'is not sent by hookd: it would stall every attempt' },
      { field: '/headers/X-Break', message: 'must not contain control characters (line breaks, NUL…)' },
      { field: '/headers/X-Nul', message: 'must not contain control characters (line breaks, NUL…)' },
      { field: '/headers/X-Del', message: 'must not contain control characters (line breaks, NUL…)' },
      { field: '/headers/X-C1', message: 'must not contain control characters (line breaks, NUL…)' },
      { field: '/headers/X~0~1', message: expect.stringContaining('is not a valid header name') },
      { field: '/headers/X-Template-Break', message: 'must not contain control characters (line breaks, NUL…)' },
    ]);
  });

  it('takes the pointer of where the headers sit', () => {
    expect(headerProblems({ Host: 'x' }, '/endpoints/2/headers')).toEqual([{ field: '/endpoints/2/headers/Host', message: 'is set by hookd from the URL' }]);
    expect(headerProblems({})).toEqual([]);
  });
});

describe('sendableHeaderValue', () => {
  it.each([
    ['Bearer abc', 'Bearer abc'],
    ['a\tb', 'a\tb'],
    ['café', 'café'],
    ['😀', '%F0%9F%98%80'],
    ['call from Zoë 📞 at 10:07', 'call from Zoë %F0%9F%93%9E at 10:07'],
    ['中文', '%E4%B8%AD%E6%96%87'],
    ['€5', '%E2%82%AC5'],
    ['line1\r\nX-Injected: 1', 'line1X-Injected: 1'],
    ['a\u0000b\u007fc\u0085d', 'abcd'],
    ['lone \ud800 surrogate', 'lone %EF%BF%BD surrogate'],
    ['', ''],
  ])('%j → %j', (value, sendable) => {
    expect(sendableHeaderValue(value)).toBe(sendable);
  });

  it('produces only what the HTTP client accepts (tab, printable ASCII, Latin-1 above 0x9f)', () => {
    const everything = Array.from({ length: 0x3000 }, (_, code) => String.fromCharCode(code)).join('') + '😀\ud83d';
    expect(sendableHeaderValue(everything)).toMatch(/^[\t\x20-\x7e\xa0-\xff]*$/);
  });
});
