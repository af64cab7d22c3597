import { messageIdOf } from './ids.js';
import { signatureHeader } from './signing.js';
import type { BodySpec, HookEvent, HttpMethod } from './types.js';

// The exact HTTP request hookd sends for one attempt. Pure, so the preview route, the tests and
// the worker all build the same bytes.

/** What the request depends on from where it goes: an endpoint, or an event's one-off callbackUrl. */
export interface RequestTarget {
  url: string;
  method: HttpMethod;
  headers: Record<string, string>;
  queryParams: Record<string, string>;
  body: BodySpec;
}

export interface OutgoingRequest {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  body: string | null;
}

export interface BuildRequestInput {
  target: RequestTarget;
  event: HookEvent;
  deliveryId: string;
  /** Newest first; all of them sign (secret rotation). */
  secrets: readonly string[];
  timestampSeconds: number;
  userAgent: string;
}

/** The `webhook-*` headers belong to hookd: custom headers may not override them. */
export const RESERVED_HEADER_PREFIX = 'webhook-';

export function standardBody(event: HookEvent): string {
  // Concatenated rather than re-serialised: the payload is already compact JSON text.
  return `{"type":${JSON.stringify(event.type)},"timestamp":"${new Date(event.occurredAt).toISOString()}","data":${event.payload}}`;
}

function renderBody(spec: BodySpec, event: HookEvent): string {
  switch (spec.format) {
    case 'raw':
      return event.payload;
    case 'standard':
    default:
      return standardBody(event);
  }
}

function withQuery(url: string, queryParams: Record<string, string>): URL {
  const target = new URL(url);
  for (const [name, value] of Object.entries(queryParams)) target.searchParams.append(name, value);
  return target;
}

export function buildRequest(input: BuildRequestInput): OutgoingRequest {
  const { target, event } = input;
  const url = withQuery(target.url, target.queryParams);
  const body = target.method === 'GET' ? null : renderBody(target.body, event);
  // GET has no body: its signature covers the request target, so the query cannot be altered either.
  const signedContent = body ?? url.pathname + url.search;
  const messageId = messageIdOf(input.deliveryId);

  const headers: Record<string, string> = {};
  let hasUserAgent = false;
  for (const [name, value] of Object.entries(target.headers)) {
    const lower = name.toLowerCase();
    if (lower.startsWith(RESERVED_HEADER_PREFIX)) continue;
    if (lower === 'user-agent') hasUserAgent = true;
    headers[lower] = value;
  }
  if (!hasUserAgent) headers['user-agent'] = input.userAgent;
  if (body !== null) {
    headers['content-type'] =
      target.body.format === 'text' ? (target.body.contentType ?? 'text/plain') : 'application/json';
  }
  headers['webhook-id'] = messageId;
  headers['webhook-timestamp'] = String(input.timestampSeconds);
  headers['webhook-signature'] = signatureHeader(input.secrets, messageId, input.timestampSeconds, signedContent);
  headers['webhook-event-type'] = event.type;
  if (event.correlationId !== null) headers['webhook-correlation-id'] = event.correlationId;

  return { method: target.method, url: url.toString(), headers, body };
}
