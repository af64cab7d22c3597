import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import { backtrackingRisk } from './regex-safety.js';

// Event types may carry a JSON Schema (draft 2020-12) for their payload; events of that type
// are checked on ingest. Schemas are compiled once per catalog version of the type.

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats: FormatsPlugin =
  (addFormatsModule as unknown as { default?: FormatsPlugin }).default ?? (addFormatsModule as unknown as FormatsPlugin);

const ajv = new Ajv2020({ allErrors: true, strict: false, validateSchema: true });
addFormats(ajv);

export class InvalidSchemaError extends Error {
  constructor(
    message: string,
    /** JSON pointer inside the schema of the part at fault, when one part is (an unsafe pattern). */
    readonly pointer: string = '',
  ) {
    super(message);
  }
}

/** Keywords whose values are data, not subschemas: a `pattern` key in them is not a regex. */
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples', 'example']);

export interface UnsafePattern {
  /** JSON pointer inside the schema: `/properties/name/pattern` or `/patternProperties/^(a+)+$`. */
  pointer: string;
  pattern: string;
  reason: string;
}

const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** Every `pattern` and `patternProperties` key in the schema that can backtrack catastrophically. */
export function unsafePatterns(schema: unknown, pointer = ''): UnsafePattern[] {
  if (schema === null || typeof schema !== 'object') return [];
  if (Array.isArray(schema)) return schema.flatMap((item, index) => unsafePatterns(item, `${pointer}/${index}`));
  const found: UnsafePattern[] = [];
  for (const [key, value] of Object.entries(schema)) {
    const here = `${pointer}/${escapePointer(key)}`;
    if (DATA_KEYWORDS.has(key)) continue;
    if (key === 'pattern' && typeof value === 'string') {
      const reason = backtrackingRisk(value);
      if (reason !== null) found.push({ pointer: here, pattern: value, reason });
      continue;
    }
    if (key === 'patternProperties' && value !== null && typeof value === 'object') {
      for (const name of Object.keys(value)) {
        const reason = backtrackingRisk(name);
        if (reason !== null) found.push({ pointer: `${here}/${escapePointer(name)}`, pattern: name, reason });
      }
    }
    found.push(...unsafePatterns(value, here));
  }
  return found;
}

/** The schema without its unsafe patterns, so a type saved before the check can still be validated. */
function withoutUnsafePatterns(schema: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(schema);
  for (const unsafe of unsafePatterns(schema)) {
    const keys = unsafe.pointer.slice(1).split('/').map((key) => key.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = keys.pop()!;
    let parent: Record<string, unknown> = copy;
    for (const key of keys) parent = parent[key] as Record<string, unknown>;
    // Loosened rather than stalled: a dropped patternProperties entry no longer applies its subschema.
    delete parent[last];
  }
  return copy;
}

export interface PayloadProblem {
  /** JSON pointer inside the payload. */
  path: string;
  message: string;
}

export type PayloadValidator = (payload: unknown) => PayloadProblem[];

/**
 * Compiles a schema being saved. Refuses one whose patterns can backtrack catastrophically: each
 * would run on every payload of the type, on the event loop, and a regex cannot be interrupted.
 */
export function compilePayloadSchema(schema: Record<string, unknown>): PayloadValidator {
  const unsafe = unsafePatterns(schema)[0];
  if (unsafe !== undefined) {
    throw new InvalidSchemaError(`the pattern at ${unsafe.pointer} (${unsafe.pattern}) can backtrack catastrophically: ${unsafe.reason}`, unsafe.pointer);
  }
  return compileSchema(schema);
}

function compileSchema(schema: Record<string, unknown>): PayloadValidator {
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(schema);
  } catch (error) {
    throw new InvalidSchemaError((error as Error).message);
  }
  return (payload) => {
    if (validate(payload)) return [];
    return (validate.errors ?? []).slice(0, 20).map((error) => ({
      path:
        error.instancePath +
        (error.keyword === 'required' ? `/${String((error.params as { missingProperty: string }).missingProperty)}` : ''),
      message: error.message ?? 'is invalid',
    }));
  };
}

/**
 * Compiled validators keyed by type name and its updatedAt, so an edit of the type takes effect.
 * A type stored before unsafe patterns were refused is validated without them, so that no payload
 * can stall ingest; the rest of its schema still applies.
 */
export class PayloadValidatorCache {
  private readonly cache = new Map<string, { version: number; validate: PayloadValidator }>();

  get(name: string, version: number, schema: Record<string, unknown>): PayloadValidator {
    const cached = this.cache.get(name);
    if (cached !== undefined && cached.version === version) return cached.validate;
    const validate = compileSchema(withoutUnsafePatterns(schema));
    this.cache.set(name, { version, validate });
    return validate;
  }
}
