import { Type, type TSchema } from '@sinclair/typebox';
import type { Page } from '../store/store.js';

// Schemas shared by several resources. Each resource's own schemas live in its route file; all of
// them feed validation, response shaping and /openapi.json.

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Array(
        Type.Object({ field: Type.String(), in: Type.String(), message: Type.String() }),
      ),
    }),
  },
  { $id: 'Error' },
);

export const Timestamp = Type.String({ format: 'date-time' });
export const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);

/** Account ids come from the provider's own system: generous, but no spaces or slashes. */
export const AccountId = Type.String({ pattern: '^[A-Za-z0-9_.:@\\-]{1,128}$' });

const DEFAULT_PAGE_LIMIT = 50;

export const PageQuery = {
  limit: Type.Integer({ minimum: 1, maximum: 250, default: DEFAULT_PAGE_LIMIT }),
  cursor: Type.String({ maxLength: 512 }),
};

/** The page a list route asks the store for (Ajv has already put the limit's default in the query). */
export function pageOf(query: { limit?: number; cursor?: string }): Page {
  return { limit: query.limit ?? DEFAULT_PAGE_LIMIT, cursor: query.cursor ?? null };
}

export function listOf<T extends TSchema>(item: T) {
  return Type.Object({ data: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });
}

export const IdParams = Type.Object({ id: Type.String({ maxLength: 256 }) });

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** Parses an ISO timestamp already checked by the schema's date-time format. */
export function parseIso(value: string | undefined): number | undefined {
  return value === undefined ? undefined : Date.parse(value);
}

/** The error responses every authenticated route may give, for the OpenAPI document. */
export const COMMON_ERRORS = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
} as const;
