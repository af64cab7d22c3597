import { Type, type TSchema } from '@sinclair/typebox';
import type { Page } from '../store/store.js';

// Schemas shared by several resources. Each resource's own schemas live in its route file; all of
// them feed validation, response shaping and /openapi.json.

/** The contract's error body, `{"error": {code, message, details}}`, described for one status. */
function errorResponse(description: string) {
  return Type.Object(
    {
      error: Type.Object({
        code: Type.String(),
        message: Type.String(),
        details: Type.Array(Type.Object({ field: Type.String(), in: Type.String(), message: Type.String() })),
      }),
    },
    { description },
  );
}

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

/** What each error status means in hookd, as the OpenAPI document describes its responses. */
const ERROR_MEANINGS = {
  400: 'validation_failed: the request is malformed; `details` names each bad field by JSON pointer.',
  401: 'unauthorized: no key, or a key that is unknown, revoked or expired.',
  403: 'forbidden: this kind of key may not do this.',
  404: 'not_found: no such resource, or one of another account.',
  409: 'conflict: the resource is not in a state that allows this.',
  413: 'payload_too_large: the body or the payload is larger than the limit.',
  415: 'unsupported_media_type: the body is not sent as application/json.',
  422: 'url_not_allowed: the URL points at a private or refused address.',
  429: 'rate_limited: this key made too many requests; retry after the `retry-after` header\'s seconds.',
  504: 'gateway_timeout: no worker made the attempt in time.',
} as const;

type ErrorStatus = keyof typeof ERROR_MEANINGS;

/** Error responses for a route's schema: the contract's error body, described per status. */
export function errorResponses<S extends ErrorStatus>(...statuses: S[]): Record<S, ReturnType<typeof errorResponse>> {
  return Object.fromEntries(statuses.map((status) => [status, errorResponse(ERROR_MEANINGS[status])])) as Record<
    S,
    ReturnType<typeof errorResponse>
  >;
}

/**
 * The errors every authenticated route may answer: a malformed request, a missing or refused key,
 * the key's rate limit. Routes add 404 when they name a resource and 415 when they take a body.
 */
export const COMMON_ERRORS = errorResponses(400, 401, 403, 429);
