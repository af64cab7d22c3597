import type { EventTypeParameter } from './types.js';

// An event type's "available parameters" (KOMPaaS): the payload fields templates and the json
// body may use, as dot paths. Derived from the JSON Schema, else from the first example.

const MAX_DEPTH = 6;
const MAX_PARAMETERS = 200;

type JsonSchema = {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
};

function schemaType(schema: JsonSchema): string {
  if (Array.isArray(schema.type)) return schema.type.filter((t) => t !== 'null').join('|') || 'null';
  return schema.type ?? (schema.properties ? 'object' : 'any');
}

function fromSchema(schema: JsonSchema, prefix: string, depth: number, out: EventTypeParameter[]): void {
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (out.length >= MAX_PARAMETERS) return;
    const path = prefix === '' ? name : `${prefix}.${name}`;
    if (property.properties && depth < MAX_DEPTH) {
      fromSchema(property, path, depth + 1, out);
    } else {
      out.push({ path, type: schemaType(property), description: property.description ?? '' });
    }
  }
}

function valueType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function fromExample(value: unknown, prefix: string, depth: number, out: EventTypeParameter[]): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
  for (const [name, child] of Object.entries(value)) {
    if (out.length >= MAX_PARAMETERS) return;
    const path = prefix === '' ? name : `${prefix}.${name}`;
    if (valueType(child) === 'object' && depth < MAX_DEPTH) {
      fromExample(child, path, depth + 1, out);
    } else {
      out.push({ path, type: valueType(child), description: '' });
    }
  }
}

export function deriveParameters(schema: Record<string, unknown> | null, examples: unknown[]): EventTypeParameter[] {
  const out: EventTypeParameter[] = [];
  if (schema !== null) fromSchema(schema as JsonSchema, '', 0, out);
  else if (examples.length > 0) fromExample(examples[0], '', 0, out);
  return out;
}
