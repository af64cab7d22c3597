import type { KeywordDefinition, SchemaValidateFunction } from 'ajv';

// ajv checks `uniqueItems` of objects and arrays by comparing every pair of items: a 256 KiB
// payload holds 20,000 small distinct objects, and their 200 million comparisons blocked the
// process for 26 seconds. This replacement gives each item a canonical text (object keys sorted,
// so `{"a":1,"b":2}` equals `{"b":2,"a":1}` as JSON Schema says) and looks it up in a set: time
// linear in the payload's size, bar the sorting of each object's keys.

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const object = value as Record<string, unknown>;
  return `{${Object.keys(object)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonical(object[key])}`)
    .join(',')}}`;
}

const validate: SchemaValidateFunction = function uniqueItems(schema: boolean, data: unknown[]): boolean {
  // ajv reads a function keyword's errors from the function itself.
  const self = uniqueItems as SchemaValidateFunction;
  if (!schema) return true;
  const seen = new Map<string, number>();
  for (const [index, item] of data.entries()) {
    const key = canonical(item);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      self.errors = [
        {
          keyword: 'uniqueItems',
          message: `must NOT have duplicate items (items ## ${earlier} and ${index} are identical)`,
          params: { i: index, j: earlier },
        },
      ];
      return false;
    }
    seen.set(key, index);
  }
  return true;
};

/** Registered in place of ajv's own `uniqueItems`, after `ajv.removeKeyword('uniqueItems')`. */
export const uniqueItemsKeyword: KeywordDefinition = {
  keyword: 'uniqueItems',
  type: 'array',
  schemaType: 'boolean',
  errors: true,
  validate,
};
