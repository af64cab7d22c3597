import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { integerBetween, parseJson, parseList, parseSince } from './option-parsers.js';

describe('option parsers', () => {
  const now = Date.parse('2026-11-22T12:00:00.000Z');

  it.each([
    ['90s', '2026-11-22T11:58:30.000Z'],
    ['30m', '2026-11-22T11:30:00.000Z'],
    ['2h', '2026-11-22T10:00:00.000Z'],
    ['1d', '2026-11-21T12:00:00.000Z'],
    ['2026-11-22T10:07:00Z', '2026-11-22T10:07:00.000Z'],
    ['2026-11-20', '2026-11-20T00:00:00.000Z'],
  ])('--since %s is %s', (text, expected) => {
    expect(parseSince(text, now).toISOString()).toBe(expected);
  });

  it.each(['yesterday', '2h ago', '-5m', '12', 'Nov 22'])('--since %s is refused', (text) => {
    expect(() => parseSince(text, now)).toThrow(InvalidArgumentError);
  });

  it('reads JSON, from a file with @, and says what is wrong', () => {
    expect(parseJson('{"a":[1,2]}')).toEqual({ a: [1, 2] });
    expect(() => parseJson('{a:1}')).toThrow(/not valid JSON/);
    expect(() => parseJson('@/nonexistent/payload.json')).toThrow(/cannot read \/nonexistent\/payload\.json: ENOENT/);
  });

  it('collects comma-separated lists across repeats', () => {
    expect(parseList('a, b,,c', undefined)).toEqual(['a', 'b', 'c']);
    expect(parseList('d', ['a'])).toEqual(['a', 'd']);
  });

  it('takes whole numbers within bounds only', () => {
    const port = integerBetween(0, 65_535);
    expect(port('9000')).toBe(9000);
    for (const bad of ['-1', '65536', '1.5', 'eighty', '']) expect(() => port(bad)).toThrow(InvalidArgumentError);
  });
});
