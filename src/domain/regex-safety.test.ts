import { describe, expect, it } from 'vitest';
import { backtrackingRisk } from './regex-safety.js';

const REFUSED: Array<[pattern: string, shape: 'nested' | 'alternatives']> = [
  ['^(a+)+$', 'nested'],
  ['(a*)*', 'nested'],
  ['(.*a){20}', 'nested'],
  ['^(\\w+\\s?)*$', 'nested'],
  ['^([a-zA-Z0-9])(([\\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))$', 'nested'],
  ['(?:x+y?)+z', 'nested'],
  ['(a{1,20}){1,20}', 'nested'],
  ['((ab)+c?)*$', 'nested'],
  ['(?=(a+)+$)', 'nested'],
  ['(a|a)*', 'alternatives'],
  ['^(a|ab)+$', 'alternatives'],
  ['(\\w|\\d)+', 'alternatives'],
  ['(.|\\s)*x', 'alternatives'],
  ['(a|a){20}', 'alternatives'],
  ['^(\\p{L}|é)*$', 'alternatives'],
  ['(?<word>x|x)+', 'alternatives'],
  ['(a?b|a)+', 'alternatives'],
  // A delimiter the repetition can also match, or one that is optional, pins nothing.
  ['^(\\w+\\s*)*$', 'nested'],
  ['^([a-z.]+\\.)*$', 'nested'],
  ['^\\w+([.-]?\\w+)*@\\w+$', 'nested'],
  ['^(-?[a-z]+)*$', 'nested'],
  ['(.*a){20}x', 'nested'],
  // Delimited, but the runs of two iterations meet: exponential (measured: 12 iterations, 0.3 s).
  ['^(a+\\.a+)*$', 'nested'],
  ['(\\.[a-z]+[a-z]+)*', 'nested'],
  ['((-[a-z]+)*x)+', 'nested'],
  // An optional part: "aa" is one iteration or two (found by a fuzz run: 0.25 s on 30 characters).
  ['^(a?[ab])*b\\w+$', 'nested'],
  // Small bounds, but nested three deep: 3 × 3 × 3 (found by a fuzz run: two minutes on 30 characters).
  ['^(.{2}\\.|([ab]{1,3}b{1,3}[ab]?){1,3}){1,3}$', 'nested'],
];

const ACCEPTED = [
  '^[a-z]+$',
  '^\\d{3}-\\d{4}$',
  '^(foo|bar)$',
  '^(foo|bar)+$',
  '^(\\d{3}-){2}\\d{4}$',
  '^(\\d{1,3}\\.){3}\\d{1,3}$',
  '^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$',
  '^https?://',
  '^\\+?[1-9]\\d{1,14}$',
  '^[^@\\s]+@[^@\\s]+$',
  '^(a|b|c)*$',
  '^(?:[0-9a-f]{2})+$',
  '^\\u{1F600}+$',
  '^[\\]()|*+]+$',
  '(a)\\1+',
  'a{2,}',
  '^\\p{Lu}\\p{Ll}*$',
  // A repetition pinned by a delimiter it cannot match splits the input one way only.
  '^[a-z0-9]+(-[a-z0-9]+)*$',
  '^([a-z]+\\.)*[a-z]+$',
  '^[a-z0-9]+(\\.[a-z0-9]+)*@[a-z0-9]+(\\.[a-z0-9]+)+$',
  '^(\\d+,)*\\d+$',
];

describe('backtrackingRisk', () => {
  it.each(REFUSED)('refuses %s (%s)', (pattern, shape) => {
    const risk = backtrackingRisk(pattern);
    expect(risk).toContain(shape === 'nested' ? 'nested inside another repetition' : 'alternatives that can match the same text');
  });

  it.each(ACCEPTED)('accepts %s', (pattern) => {
    expect(backtrackingRisk(pattern)).toBeNull();
  });

  it('leaves patterns that do not compile to the schema compiler', () => {
    expect(backtrackingRisk('(a+')).toBeNull();
    expect(backtrackingRisk('\\-')).toBeNull();
  });

  it('a refused pattern really is slow and an accepted one is not (why the check exists)', () => {
    const input = 'a'.repeat(18) + '!';
    let started = performance.now();
    /^(a+)+$/u.test(input);
    const refusedMs = performance.now() - started;
    started = performance.now();
    /^a+$/u.test(input);
    const acceptedMs = performance.now() - started;
    expect(refusedMs).toBeGreaterThan(acceptedMs * 20);
  });
});
