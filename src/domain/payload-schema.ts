import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import { linearRegExpEngine, linearRegExpProblem } from './linear-regexp.js';
import { linearFormats } from './payload-formats.js';
import { backtrackingRisk } from './regex-safety.js';
import { uniqueItemsKeyword } from './unique-items.js';

// Event types may carry a JSON Schema (draft 2020-12) for their payload; events of that type
// are checked on ingest. Schemas are compiled once per catalog version of the type.
//
// Validation runs on the event loop, for every event of a typed payload (up to 256 KiB each), so
// its time must be bounded by the payload's size whatever the schema: patterns run on a
// linear-time engine (linear-regexp.ts), formats too where their regex is not bounded otherwise
// (payload-formats.ts), and `uniqueItems` hashes items instead of comparing every pair
// (unique-items.ts). The rest of ajv's keywords are linear in the payload for a given schema.

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats: FormatsPlugin =
  (addFormatsModule as unknown as { default?: FormatsPlugin }).default ?? (addFormatsModule as unknown as FormatsPlugin);

const ajv = new Ajv2020({ allErrors: true, strict: false, validateSchema: true, code: { regExp: linearRegExpEngine } });
addFormats(ajv);
for (const [name, format] of Object.entries(linearFormats())) ajv.addFormat(name, format);
ajv.removeKeyword('uniqueItems');
ajv.addKeyword(uniqueItemsKeyword);

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

/**
 * Why a pattern may not be used: it can backtrack catastrophically (refused by the contract, and
 * a pattern written for a backtracking engine elsewhere), or cannot run in linear time here.
 */
function patternProblem(pattern: string): string | null {
  const problem = linearRegExpProblem(pattern);
  if (problem !== null) return problem;
  const risk = backtrackingRisk(pattern);
  return risk === null ? null : `can backtrack catastrophically: ${risk}`;
}

/** Every `pattern` and `patternProperties` key in the schema that may not be used (see patternProblem). */
export function unsafePatterns(schema: unknown, pointer = ''): UnsafePattern[] {
  if (schema === null || typeof schema !== 'object') return [];
  if (Array.isArray(schema)) return schema.flatMap((item, index) => unsafePatterns(item, `${pointer}/${index}`));
  const found: UnsafePattern[] = [];
  for (const [key, value] of Object.entries(schema)) {
    const here = `${pointer}/${escapePointer(key)}`;
    if (DATA_KEYWORDS.has(key)) continue;
    if (key === 'pattern' && typeof value === 'string') {
      const reason = patternProblem(value);
      if (reason !== null) found.push({ pointer: here, pattern: value, reason });
      continue;
    }
    if (key === 'patternProperties' && value !== null && typeof value === 'object') {
      for (const name of Object.keys(value)) {
        const reason = patternProblem(name);
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
 * Compiles a schema being saved. Refuses one with a pattern that may not be used (patternProblem),
 * naming the pattern's pointer, rather than leaving ajv's message about the compiled regex.
 */
export function compilePayloadSchema(schema: Record<string, unknown>): PayloadValidator {
  const unsafe = unsafePatterns(schema)[0];
  if (unsafe !== undefined) {
    throw new InvalidSchemaError(`the pattern at ${unsafe.pointer} (${unsafe.pattern}) ${unsafe.reason}`, unsafe.pointer);
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
 * A type stored before its patterns were refused (catastrophic ones, or look-arounds saved before
 * patterns ran on RE2) is validated without them, so that no payload can stall ingest nor fail to
 * compile; the rest of its schema still applies.
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
