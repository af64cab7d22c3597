import { describe, expect, it } from 'vitest';
import { compilePayloadSchema, InvalidSchemaError, PayloadValidatorCache, unsafePatterns } from './payload-schema.js';

const SLOW = '^(a+)+$';

describe('payload schema patterns', () => {
  it('finds unsafe patterns wherever a subschema can hold one, with their JSON pointers', () => {
    const schema = {
      type: 'object',
      properties: {
        name: { type: 'string', pattern: SLOW },
        'a/b': { type: 'string', pattern: '(x|x)*' },
        tags: { type: 'array', items: { type: 'string', pattern: '^[a-z]+$' } },
      },
      patternProperties: { '^(\\w+)*$': { type: 'string' } },
      anyOf: [{ properties: { code: { pattern: '(.*a){20}' } } }],
      propertyNames: { pattern: '(a*)*' },
    };
    expect(unsafePatterns(schema).map((found) => found.pointer)).toEqual([
      '/properties/name/pattern',
      '/properties/a~1b/pattern',
      '/patternProperties/^(\\w+)*$',
      '/anyOf/0/properties/code/pattern',
      '/propertyNames/pattern',
    ]);
  });

  it('ignores "pattern" keys that are data (const, enum, default, examples) or properties named pattern', () => {
    const schema = {
      type: 'object',
      properties: { pattern: { type: 'string', pattern: '^[a-z]+$' } },
      const: { pattern: SLOW },
      enum: [{ pattern: SLOW }],
      default: { pattern: SLOW },
      examples: [{ pattern: SLOW }],
    };
    expect(unsafePatterns(schema)).toEqual([]);
  });

  it('refuses to compile a schema being saved with an unsafe pattern, naming the pointer', () => {
    const schema = { type: 'object', properties: { name: { type: 'string', pattern: SLOW } } };
    let caught: unknown;
    try {
      compilePayloadSchema(schema);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidSchemaError);
    expect((caught as InvalidSchemaError).pointer).toBe('/properties/name/pattern');
    expect((caught as Error).message).toContain('/properties/name/pattern');
    expect((caught as Error).message).toContain(SLOW);
  });

  it('compiles ordinary patterns and applies them', () => {
    const validate = compilePayloadSchema({ type: 'object', properties: { phone: { type: 'string', pattern: '^\\d{3}-\\d{4}$' } } });
    expect(validate({ phone: '555-1234' })).toEqual([]);
    expect(validate({ phone: 'nope' })[0]!.path).toBe('/phone');
  });

  it('validates a type stored before the check without its unsafe patterns, the rest of the schema still applying', () => {
    const stored = {
      type: 'object',
      required: ['id'],
      properties: { id: { type: 'integer' }, name: { type: 'string', pattern: SLOW } },
      patternProperties: { '^(x+)+$': { type: 'integer' } },
    };
    const validate = new PayloadValidatorCache().get('legacy.type', 1, stored);
    // With the pattern applied on a backtracking engine, 40 a's and a ! would take minutes (2^40 paths).
    expect(validate({ id: 1, name: 'a'.repeat(40) + '!' })).toEqual([]);
    expect(validate({ name: 'x' }).map((problem) => problem.path)).toEqual(['/id']);
    expect(validate({ id: 'one' }).map((problem) => problem.path)).toEqual(['/id']);
    // The stored schema itself is left as it was.
    expect(stored.properties.name.pattern).toBe(SLOW);
  });

  it('validates a type stored with a look-ahead (saved before patterns ran on RE2) without it, still compiling', () => {
    const stored = { type: 'object', properties: { code: { type: 'string', pattern: '^(?=.*\\d)\\w+$', maxLength: 4 } } };
    const validate = new PayloadValidatorCache().get('legacy.lookahead', 1, stored);
    expect(validate({ code: 'abc' })).toEqual([]);
    expect(validate({ code: 'abcde' }).map((problem) => problem.path)).toEqual(['/code']);
  });

  it('refuses a look-around on save, naming its pointer and why', () => {
    expect(() => compilePayloadSchema({ properties: { code: { pattern: '(?<=x)y' } } })).toThrow(/\/properties\/code\/pattern .*linear/);
  });
});
