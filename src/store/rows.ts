import { mapDestinationPassword } from '../domain/destination.js';
import type {
  Account,
  ApiKey,
  Attempt,
  ClaimedDelivery,
  Delivery,
  DeliveryStatus,
  Endpoint,
  EndpointAuth,
  EndpointSecrets,
  EndpointSigningKeys,
  EndpointSpec,
  EndpointWithSecrets,
  EventType,
  HookEvent,
  KeyKind,
  Operation,
  OperationStatus,
} from '../domain/types.js';
import { rebuiltRequestBody, type RequestBodySource } from '../domain/request-body-source.js';
import { mapAuthSecret } from '../domain/receiver-auth.js';
import type { SecretBox } from '../domain/secret-box.js';
import type { ApiKeyRecord } from './store.js';

// Rows as both adapters return them — the two schemas keep the same column types (0/1 integers
// for booleans, BIGINT milliseconds, JSON as text) — and their mapping to domain objects.

export interface KeyRow {
  id: string;
  kind: KeyKind;
  account_id: string | null;
  name: string | null;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
  rate_limit_per_second: number | null;
}

export function toApiKey(row: KeyRow): ApiKey {
  return {
    id: row.id,
    kind: row.kind,
    accountId: row.account_id,
    name: row.name,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    rateLimitPerSecond: row.rate_limit_per_second,
  };
}

export function toApiKeyRecord(row: KeyRow): ApiKeyRecord {
  return { ...toApiKey(row), revoked: row.revoked_at !== null };
}

export interface AccountRow {
  id: string;
  name: string | null;
  enabled: number;
  metadata: string;
  /** Sealed; never part of an Account (read on its own, see KeyStore.getAccountCallbackSecret). */
  callback_secret: string | null;
  created_at: number;
  updated_at: number;
}

export function toAccount(row: AccountRow): Account {
  return {
    id: row.id,
    name: row.name,
    enabled: row.enabled === 1,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface EventTypeRow {
  name: string;
  description: string;
  category: string | null;
  schema: string | null;
  examples: string;
  parameters: string;
  archived: number;
  built_in: number;
  created_at: number;
  updated_at: number;
}

export function toEventType(row: EventTypeRow): EventType {
  return {
    name: row.name,
    description: row.description,
    category: row.category,
    schema: row.schema === null ? null : (JSON.parse(row.schema) as Record<string, unknown>),
    examples: JSON.parse(row.examples) as unknown[],
    parameters: JSON.parse(row.parameters) as EventType['parameters'],
    archived: row.archived === 1,
    builtIn: row.built_in === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The columns a user may change: description, category, schema, examples, parameters, archived. */
export function eventTypeContent(eventType: EventType): unknown[] {
  return [
    eventType.description,
    eventType.category,
    eventType.schema === null ? null : JSON.stringify(eventType.schema),
    JSON.stringify(eventType.examples),
    JSON.stringify(eventType.parameters),
    eventType.archived ? 1 : 0,
  ];
}

export function eventTypeParams(eventType: EventType): unknown[] {
  return [eventType.name, ...eventTypeContent(eventType), eventType.builtIn ? 1 : 0, eventType.createdAt, eventType.updatedAt];
}

export interface EndpointRow {
  id: string;
  account_id: string | null;
  url: string;
  active: number;
  event_types: string;
  spec: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: number | null;
  signing_key: string | null;
  signing_key_since: number | null;
  previous_signing_key: string | null;
  previous_signing_key_since: number | null;
  previous_signing_key_expires_at: number | null;
  created_at: number;
  updated_at: number;
  paused_until: number | null;
  pause_reason: string | null;
  breaker_failures: number;
  breaker_cooldown_ms: number;
  concurrency_limit: number | null;
}

/** The part of an endpoint kept in the `spec` JSON column. */
type StoredSpec = Omit<EndpointSpec, 'accountId' | 'url' | 'active' | 'eventTypes'>;

export function specColumn(spec: EndpointSpec | EndpointWithSecrets, box: SecretBox): string {
  // A whole endpoint may be given: its id, times and secrets have columns of their own, and the
  // secrets must never land in this one in the clear (they are sealed in theirs). The auth's one
  // secret and every custom header value (`Authorization`, `X-Api-Key`: the receiver's credentials)
  // stay in this column, each sealed in place.
  const { accountId: _a, url: _u, active: _ac, eventTypes: _e, ...rest } = spec;
  const { id: _i, createdAt: _c, updatedAt: _up, secrets: _s, signingKeys: _k, control: _co, ...stored } = rest as Partial<EndpointWithSecrets> &
    StoredSpec;
  const auth = stored.auth == null ? null : mapAuthSecret(stored.auth, (secret) => box.seal(secret));
  const headers = mapHeaderValues(stored.headers, (value) => box.seal(value));
  // The broker URL's password, kept apart from the URL (which has a column of its own, in the clear).
  const destination = stored.destination === undefined ? undefined : mapDestinationPassword(stored.destination, (password) => box.seal(password));
  return JSON.stringify({ ...stored, headers, auth, destination } satisfies StoredSpec);
}

/** A copy of an endpoint's custom headers with each value changed by `change` (sealing, opening). */
export function mapHeaderValues(headers: Record<string, string>, change: (value: string) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, change(value)]));
}

/** An endpoint with its auth secret and header values opened with `box`. */
export function toEndpoint(row: EndpointRow, box: SecretBox): Endpoint {
  const spec = JSON.parse(row.spec) as Omit<StoredSpec, 'signing' | 'auth' | 'ordering'> &
    Partial<Pick<StoredSpec, 'signing' | 'ordering'>> & { auth?: EndpointAuth | null };
  return {
    id: row.id,
    accountId: row.account_id,
    url: row.url,
    active: row.active === 1,
    eventTypes: JSON.parse(row.event_types) as string[],
    ...spec,
    headers: mapHeaderValues(spec.headers, (sealed) => box.open(sealed)),
    // Endpoints saved before ed25519 signing existed sign with HMAC only.
    signing: spec.signing ?? 'hmac',
    ordering: spec.ordering ?? 'none',
    // Endpoints saved before receiver authentication existed have no auth in their spec.
    auth: spec.auth == null ? null : mapAuthSecret(spec.auth, (sealed) => box.open(sealed)),
    // Endpoints saved before broker destinations existed have none: they send over HTTP.
    ...(spec.destination === undefined ? {} : { destination: mapDestinationPassword(spec.destination, (sealed) => box.open(sealed)) }),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    control: {
      pausedUntil: row.paused_until,
      pauseReason: row.pause_reason,
      breakerFailures: row.breaker_failures,
      breakerCooldownMs: row.breaker_cooldown_ms,
      concurrencyLimit: row.concurrency_limit,
    },
  };
}

/** An endpoint with its signing secrets, opened with `box` (stored sealed when a key is configured). */
export function toEndpointWithSecrets(row: EndpointRow, box: SecretBox): EndpointWithSecrets {
  return {
    ...toEndpoint(row, box),
    secrets: {
      current: box.open(row.secret),
      previous: row.previous_secret === null ? null : box.open(row.previous_secret),
      previousExpiresAt: row.previous_secret_expires_at,
    },
    signingKeys:
      row.signing_key === null
        ? null
        : {
            current: box.open(row.signing_key),
            currentSince: row.signing_key_since ?? row.created_at,
            previous: row.previous_signing_key === null ? null : box.open(row.previous_signing_key),
            previousSince: row.previous_signing_key_since,
            previousExpiresAt: row.previous_signing_key_expires_at,
          },
  };
}

/** The secret columns as stored: sealed with `box` (in the clear when it has no key). */
export function secretColumns(secrets: EndpointSecrets, box: SecretBox): [string, string | null, number | null] {
  return [box.seal(secrets.current), secrets.previous === null ? null : box.seal(secrets.previous), secrets.previousExpiresAt];
}

/** The ed25519 key columns as stored, signing keys sealed like the secrets (all null for none). */
export function signingKeyColumns(keys: EndpointSigningKeys | null, box: SecretBox): [string | null, number | null, string | null, number | null, number | null] {
  if (keys === null) return [null, null, null, null, null];
  return [
    box.seal(keys.current),
    keys.currentSince,
    keys.previous === null ? null : box.seal(keys.previous),
    keys.previousSince,
    keys.previousExpiresAt,
  ];
}

export interface EventRow {
  seq: number;
  id: string;
  type: string;
  account_id: string | null;
  payload: string;
  correlation_id: string | null;
  callback_url: string | null;
  occurred_at: number;
  created_at: number;
  ordering_key?: string | null;
}

export function toEvent(row: EventRow): HookEvent {
  return {
    id: row.id,
    type: row.type,
    accountId: row.account_id,
    payload: row.payload,
    correlationId: row.correlation_id,
    callbackUrl: row.callback_url,
    occurredAt: row.occurred_at,
    createdAt: row.created_at,
    orderingKey: row.ordering_key ?? null,
  };
}

export interface DeliveryRow {
  id: string;
  event_id: string;
  endpoint_id: string | null;
  account_id: string | null;
  event_type: string;
  url: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number | null;
  last_status_code: number | null;
  last_error: string | null;
  correlation_id: string | null;
  single_attempt: number;
  created_at: number;
  completed_at: number | null;
  /** Read to tell a leased PostgreSQL row, still `pending`, as `sending` (postgres/lease-state.ts). */
  lease_owner?: string | null;
  /** Absent where a statement does not return them (they are read where needed). */
  fifo_key?: string | null;
  blocked_by?: string | null;
}

export function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    eventId: row.event_id,
    endpointId: row.endpoint_id,
    accountId: row.account_id,
    eventType: row.event_type,
    url: row.url,
    status: row.status === 'pending' && row.lease_owner != null ? 'sending' : row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    correlationId: row.correlation_id,
    createdAt: row.created_at,
    completedAt: row.completed_at,
    fifoKey: row.fifo_key ?? null,
    blockedBy: row.blocked_by ?? null,
  };
}

export function toClaimedDelivery(row: DeliveryRow): ClaimedDelivery {
  return { ...toDelivery(row), singleAttempt: row.single_attempt === 1 };
}

export interface AttemptRow {
  id: string;
  delivery_id: string;
  started_at: number;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
  request_headers: string;
  response_headers: string;
  response_body: string | null;
  /** Null on attempts recorded before migration 0007. */
  request_method: string | null;
  request_url: string | null;
  request_body: string | null;
  /** Set instead of request_body when the body was the event itself (migration 0014). */
  request_body_source: RequestBodySource | null;
}

/** The body written with an attempt: none when it is rebuilt from the event (request-body-source.ts). */
export function storedRequestBody(attempt: Attempt): string | null {
  return attempt.requestBodySource == null ? (attempt.requestBody ?? null) : null;
}

/** The event an attempt's body is rebuilt from; null when it is no longer kept. */
export type BodySourceEvent = Pick<HookEvent, 'type' | 'occurredAt' | 'payload'> | null;

export function toAttempt(row: AttemptRow, event: BodySourceEvent = null): Attempt {
  return {
    id: row.id,
    deliveryId: row.delivery_id,
    startedAt: row.started_at,
    durationMs: row.duration_ms,
    statusCode: row.status_code,
    error: row.error,
    requestHeaders: JSON.parse(row.request_headers) as Record<string, string>,
    requestMethod: row.request_method,
    requestUrl: row.request_url,
    requestBody: row.request_body_source === null || event === null ? row.request_body : rebuiltRequestBody(row.request_body_source, event),
    requestBodySource: row.request_body_source,
    responseHeaders: JSON.parse(row.response_headers) as Record<string, string>,
    responseBody: row.response_body,
  };
}

export interface OperationRow {
  seq: number;
  protocol: string;
  type: string;
  account_id: string | null;
  subject: string | null;
  callback_url: string | null;
  request_data: string | null;
  result_data: string | null;
  status: OperationStatus;
  late: number;
  requested_at: number;
  expires_at: number;
  timed_out_at: number | null;
  completed_at: number | null;
}

export function toOperation(row: OperationRow): Operation {
  return {
    protocol: row.protocol,
    type: row.type,
    accountId: row.account_id,
    subject: row.subject,
    callbackUrl: row.callback_url,
    requestData: row.request_data,
    resultData: row.result_data,
    status: row.status,
    late: row.late === 1,
    requestedAt: row.requested_at,
    expiresAt: row.expires_at,
    timedOutAt: row.timed_out_at,
    completedAt: row.completed_at,
  };
}

