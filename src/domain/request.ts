import { refusedHeaderName, RESERVED_HEADER_PREFIX, sendableHeaderValue } from './header-rules.js';
import { messageIdOf } from './ids.js';
import { signatureHeader } from './signing.js';
import { compileTemplate, lookupPath, type CompiledTemplate } from './templates.js';
import type { BodySpec, HookEvent, HttpMethod } from './types.js';

// The exact HTTP request hookd sends for one attempt. Pure, so the preview route, the tests and
// the worker all build the same bytes.

/** What the request depends on from where it goes: an endpoint, or an event's one-off callbackUrl. */
export interface RequestTarget {
  /** The endpoint's id and title, for templates (`{{endpoint.title}}`). */
  id?: string;
  title?: string;
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
  /**
   * Newest first; all of them sign (rotation). `whsec_` secrets give `v1` (HMAC) entries and `whsk_`
   * signing keys `v1a` (ed25519) ones: an endpoint signing with `both` passes both kinds.
   */
  secrets: readonly string[];
  timestampSeconds: number;
  userAgent: string;
}

export { RESERVED_HEADER_PREFIX };

export function standardBody(event: Pick<HookEvent, 'type' | 'occurredAt' | 'payload'>): string {
  // Concatenated around the payload's text, never re-serialised: `data` carries the exact JSON the
  // publisher sent (number spellings, integers beyond 2^53, whitespace, key order).
  return `{"type":${JSON.stringify(event.type)},"timestamp":"${new Date(event.occurredAt).toISOString()}","data":${event.payload}}`;
}

/** The values templates can use: `{{event.type}}`, `{{data.callId}}`, `{{endpoint.title}}`. */
export interface TemplateContext {
  event: { id: string; type: string; occurredAt: string; accountId: string | null; correlationId: string | null };
  data: unknown;
  endpoint: { id: string | null; title: string };
}

export function templateContext(event: HookEvent, target: RequestTarget): TemplateContext {
  return {
    event: {
      id: event.id,
      type: event.type,
      occurredAt: new Date(event.occurredAt).toISOString(),
      accountId: event.accountId,
      correlationId: event.correlationId,
    },
    data: JSON.parse(event.payload) as unknown,
    endpoint: { id: target.id ?? null, title: target.title ?? '' },
  };
}

// Endpoints' templates are compiled once and reused across deliveries (they were checked on save).
const compiled = new Map<string, CompiledTemplate>();
const COMPILED_CACHE_SIZE = 2000;

/** A template rendered for an event (compiled once per source; checked on save). */
export function renderCached(source: string, context: TemplateContext): string {
  if (!source.includes('{{')) return source;
  let template = compiled.get(source);
  if (template === undefined) {
    if (compiled.size >= COMPILED_CACHE_SIZE) compiled.clear();
    template = compileTemplate(source);
    compiled.set(source, template);
  }
  return template.render(context);
}

/** `call.from:caller` → key `caller`; `call.from` → key `from` (the last segment). */
export function fieldKey(field: string): { path: string; key: string } {
  const [path, alias] = field.split(':') as [string, string | undefined];
  return { path, key: alias ?? path.slice(path.lastIndexOf('.') + 1) };
}

/** KOMPaaS JSON: the chosen available parameters (all of the payload when none are chosen) plus user parameters. */
export function jsonFields(spec: BodySpec, context: TemplateContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (spec.fields === undefined) {
    const data = context.data;
    if (data !== null && typeof data === 'object' && !Array.isArray(data)) Object.assign(out, data);
  } else {
    for (const field of spec.fields) {
      const { path, key } = fieldKey(field);
      const value = lookupPath(context.data, path);
      if (value !== undefined) out[key] = value;
    }
  }
  for (const [key, value] of Object.entries(spec.userParams ?? {})) {
    out[key] = typeof value === 'string' ? renderCached(value, context) : value;
  }
  return out;
}

function renderBody(spec: BodySpec, event: HookEvent, context: () => TemplateContext): string {
  switch (spec.format) {
    case 'raw':
      return event.payload;
    case 'json':
      return JSON.stringify(jsonFields(spec, context()));
    case 'text':
      return renderCached(spec.template ?? '', context());
    case 'standard':
    default:
      return standardBody(event);
  }
}

function queryValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export function buildRequest(input: BuildRequestInput): OutgoingRequest {
  const { target, event } = input;
  // The payload is parsed only when something templates it: standard and raw bodies never need to.
  let context: TemplateContext | null = null;
  const getContext = () => (context ??= templateContext(event, target));
  const url = new URL(target.url);
  for (const [name, value] of Object.entries(target.queryParams)) url.searchParams.append(name, renderCached(value, getContext()));
  if (target.method === 'GET' && target.body.format === 'json') {
    // GET has no body: the chosen fields travel in the query string instead.
    for (const [name, value] of Object.entries(jsonFields(target.body, getContext()))) url.searchParams.append(name, queryValue(value));
  }
  const body = target.method === 'GET' ? null : renderBody(target.body, event, getContext);
  // GET has no body: its signature covers the request target, so the query cannot be altered either.
  const signedContent = body ?? url.pathname + url.search;
  const messageId = messageIdOf(input.deliveryId);

  const headers: Record<string, string> = {};
  let hasUserAgent = false;
  for (const [name, value] of Object.entries(target.headers)) {
    // Names refused on save (webhook-*, Host, Expect…) may still sit in rows saved before the rule:
    // they are left out rather than let them break or stall every attempt.
    if (refusedHeaderName(name) !== null) continue;
    const lower = name.toLowerCase();
    if (lower === 'user-agent') hasUserAgent = true;
    // Rendered payload text can hold anything (line breaks, emoji): made sendable, never refused.
    headers[lower] = sendableHeaderValue(value.includes('{{') ? renderCached(value, getContext()) : value);
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
