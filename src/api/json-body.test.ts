import { describe, expect, it } from 'vitest';
import { ApiError } from './errors.js';
import { jsonDepth, MAX_JSON_DEPTH, parseJsonBody } from './json-body.js';

function refusal(text: string): string {
  try {
    parseJsonBody(Buffer.from(text));
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return (error as ApiError).message;
  }
  throw new Error(`accepted: ${text}`);
}

describe('jsonDepth', () => {
  it('counts brackets outside strings only, however the strings escape their quotes', () => {
    expect(jsonDepth('{"a":[1,{"b":[]}]}', 64)).toBe(4);
    expect(jsonDepth('{"a":"[[[{{{"}', 64)).toBe(1);
    expect(jsonDepth('{"a":"x\\"[[["}', 64)).toBe(1);
    expect(jsonDepth('{"a":"x\\\\"}', 64)).toBe(1);
    expect(jsonDepth('[["\\\\\\"]]"]]', 64)).toBe(2);
    expect(jsonDepth('{"a":"\\\\\\\\","b":[[]]}', 64)).toBe(3);
  });

  it('stops counting past the limit, and at an unterminated string', () => {
    expect(jsonDepth('['.repeat(1_000_000), MAX_JSON_DEPTH)).toBe(MAX_JSON_DEPTH + 1);
    expect(jsonDepth('[[["never closed', 64)).toBe(3);
  });
});

describe('parseJsonBody', () => {
  it('parses what it is given', () => {
    expect(parseJsonBody(Buffer.from('{"type":"a","payload":{"n":[1,2.5,-0,1e308],"s":"é"}}'))).toEqual({
      type: 'a',
      payload: { n: [1, 2.5, -0, 1e308], s: 'é' },
    });
  });

  it('refuses numbers beyond a double wherever they are, naming their key', () => {
    expect(refusal('{"amount":1e309}')).toContain('"amount" is too large');
    expect(refusal('{"a":{"b":[1,-1e309]}}')).toContain('"1" is too large');
    expect(refusal('9'.repeat(400))).toContain('too large');
  });

  it('refuses poisoned keys at any depth, even written with escapes', () => {
    expect(refusal('{"payload":{"__proto__":{"admin":true}}}')).toContain('__proto__');
    expect(refusal('[{"x":[{"\\u005f_proto__":1}]}]')).toContain('__proto__');
    expect(refusal('{"a":{"constructor":{"prototype":{}}}}')).toContain('constructor.prototype');
    expect(parseJsonBody(Buffer.from('{"constructor":"a name","prototype":1}'))).toEqual({ constructor: 'a name', prototype: 1 });
  });

  it('refuses empty, invalid, too deep and non-UTF-8 bodies', () => {
    expect(refusal(' ')).toContain('empty');
    expect(refusal('{"a":')).toContain('not valid JSON');
    expect(refusal('['.repeat(65) + ']'.repeat(65))).toContain('deeper than 64');
    expect(() => parseJsonBody(Buffer.from([0x7b, 0xff, 0x7d]))).toThrow('UTF-8');
  });
});
