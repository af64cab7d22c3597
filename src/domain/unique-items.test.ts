import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { uniqueItemsKeyword } from './unique-items.js';

const ajv = new Ajv2020({ allErrors: true, strict: false });
ajv.removeKeyword('uniqueItems');
ajv.addKeyword(uniqueItemsKeyword);
const unique = ajv.compile({ type: 'array', uniqueItems: true });
const notRequired = ajv.compile({ type: 'array', uniqueItems: false });

describe('uniqueItems by canonical text', () => {
  it.each([
    ['distinct scalars', [1, '1', true, null, 'true'], true],
    ['equal numbers', [1, 1.0], false],
    ['objects equal whatever their key order', [{ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 }], false],
    ['arrays in another order', [[1, 2], [2, 1]], true],
    ['an object and an array', [{}, []], true],
    ['a string that looks like JSON', ['{"a":1}', { a: 1 }], true],
  ])('%s', (_, items, valid) => {
    expect(unique(items)).toBe(valid);
  });

  it('names the two identical items, as ajv does', () => {
    expect(unique([{ x: 1 }, { y: 2 }, { x: 1 }])).toBe(false);
    expect(unique.errors?.[0]).toMatchObject({ keyword: 'uniqueItems', params: { i: 2, j: 0 } });
    expect(unique.errors?.[0]?.message).toBe('must NOT have duplicate items (items ## 0 and 2 are identical)');
  });

  it('accepts duplicates when uniqueItems is false', () => {
    expect(notRequired([1, 1])).toBe(true);
  });

  it('checks 50,000 distinct objects, which pairwise comparison would take minutes over', () => {
    expect(unique(Array.from({ length: 50_000 }, (_, i) => ({ i, tag: 'x' })))).toBe(true);
  });
});
