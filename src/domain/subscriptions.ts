import type { Endpoint, PayloadFilter } from './types.js';

// Which endpoints an event goes to. Pure: the caller loads the candidate endpoints (active ones
// of the event's account and of the provider level) and this decides.

export const EVENT_TYPE_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;
/** A subscription entry: a type name, `*`, or a prefix pattern such as `call.*`. */
export const EVENT_TYPE_PATTERN = /^(\*|[a-zA-Z0-9_.-]{1,126}\.\*|[a-zA-Z0-9_.-]{1,128})$/;

export const OPERATIONAL_PREFIX = 'hookd.';

export function isOperationalType(type: string): boolean {
  return type.startsWith(OPERATIONAL_PREFIX);
}

/**
 * `[]` and `*` match every type except hookd's own operational ones: a catch-all endpoint should
 * not start receiving hookd's alerts unasked. Those are subscribed to by name or by `hookd.*`.
 */
export function matchesEventType(patterns: readonly string[], type: string): boolean {
  const operational = isOperationalType(type);
  if (patterns.length === 0) return !operational;
  for (const pattern of patterns) {
    if (pattern === '*') {
      if (!operational) return true;
    } else if (pattern.endsWith('.*')) {
      if (type.startsWith(pattern.slice(0, -1))) return true;
    } else if (pattern === type) {
      return true;
    }
  }
  return false;
}

function readPath(value: unknown, path: string): unknown {
  let current = value;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** Filter paths are written as in templates, where the payload is `data`; the prefix is optional. */
const PAYLOAD_PREFIX = 'data.';

/**
 * The optional payload filter: the value at `path` must equal one of `in` (scalars compared
 * strictly). `data.status` (the contract's and the templates' spelling) and `status` both name the
 * payload's `status`; a payload's own top-level `data` is therefore `data.data.…`.
 */
export function matchesFilter(filter: PayloadFilter | null, payload: unknown): boolean {
  if (filter === null) return true;
  const path = filter.path.startsWith(PAYLOAD_PREFIX) ? filter.path.slice(PAYLOAD_PREFIX.length) : filter.path;
  const value = readPath(payload, path);
  return filter.in.some((candidate) => candidate === value);
}

export interface RoutingContext {
  type: string;
  accountId: string | null;
  payload: unknown;
  /** Whether the event's account has webhooks enabled (true for events without an account). */
  accountEnabled: boolean;
}

export function isSubscribed(endpoint: Endpoint, event: RoutingContext): boolean {
  if (!endpoint.active) return false;
  if (endpoint.accountId !== null) {
    // An account endpoint hears only its own account's events, and nothing while the account is disabled.
    if (endpoint.accountId !== event.accountId || !event.accountEnabled) return false;
  }
  return matchesEventType(endpoint.eventTypes, event.type) && matchesFilter(endpoint.filter, event.payload);
}
