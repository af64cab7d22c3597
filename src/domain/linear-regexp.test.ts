import { describe, expect, it } from 'vitest';
import { linearRegExp, linearRegExpProblem } from './linear-regexp.js';

describe('patterns on a linear-time engine', () => {
  it.each([
    ['^\\d{3}-\\d{4}$', '555-1234', true],
    ['^\\d{3}-\\d{4}$', '555-12345', false],
    ['b+', 'aaabbb', true], // unanchored, like JavaScript's test
    ['^[a-z0-9]+(-[a-z0-9]+)*$', 'my-slug-1', true],
    ['^\\p{L}+$', 'héllo', true],
    ['^\\u00e9$', 'é', true],
    ['^.$', '😀', true], // a code point, as with the u flag
    ['^(?<year>\\d{4})$', '2026', true], // named groups are translated
    ['^a$', 'a\n', false], // $ is the end of the text
  ])('%s on %j is %s', (pattern, text, expected) => {
    expect(linearRegExp(pattern).test(text)).toBe(expected);
  });

  it('runs, on input that a backtracking engine takes minutes over, to the answer', () => {
    expect(linearRegExp('^(a+)+$').test('a'.repeat(100_000) + '!')).toBe(false);
    expect(linearRegExp('^a*a*a*a*a*a*$').test('a'.repeat(100_000) + '!')).toBe(false);
    expect(linearRegExp('a+x').test('a'.repeat(100_000))).toBe(false);
  });

  it('names what it cannot run: look-arounds, back-references, broken patterns', () => {
    expect(linearRegExpProblem('^(?=.*\\d)\\w+$')).toContain('look-around');
    expect(linearRegExpProblem('(?<!x)y')).toContain('look-around');
    expect(linearRegExpProblem('(a)\\1')).toContain('back-reference');
    expect(linearRegExpProblem('(a')).toContain('not a valid regular expression');
    expect(linearRegExpProblem('^[a-z]+$')).toBeNull();
  });
});
