import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';

// Event types may carry a JSON Schema (draft 2020-12) for their payload; events of that type
// are checked on ingest. Schemas are compiled once per catalog version of the type.

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats: FormatsPlugin =
  (addFormatsModule as unknown as { default?: FormatsPlugin }).default ?? (addFormatsModule as unknown as FormatsPlugin);

const ajv = new Ajv2020({ allErrors: true, strict: false, validateSchema: true });
addFormats(ajv);

export class InvalidSchemaError extends Error {}

export interface PayloadProblem {
  /** JSON pointer inside the payload. */
  path: string;
  message: string;
}

export type PayloadValidator = (payload: unknown) => PayloadProblem[];

export function compilePayloadSchema(schema: Record<string, unknown>): PayloadValidator {
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

/** Compiled validators keyed by type name and its updatedAt, so an edit of the type takes effect. */
export class PayloadValidatorCache {
  private readonly cache = new Map<string, { version: number; validate: PayloadValidator }>();

  get(name: string, version: number, schema: Record<string, unknown>): PayloadValidator {
    const cached = this.cache.get(name);
    if (cached !== undefined && cached.version === version) return cached.validate;
    const validate = compilePayloadSchema(schema);
    this.cache.set(name, { version, validate });
    return validate;
  }
}
