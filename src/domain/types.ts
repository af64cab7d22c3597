import type { Destination } from './destination.js';
import type { RequestBodySource } from './request-body-source.js';

// The domain's vocabulary. Times are unix milliseconds everywhere inside hookd; the API layer
// turns them into ISO-8601 strings at the edge.

export type KeyKind = 'admin' | 'publisher' | 'account';

export interface ApiKey {
  id: string;
  kind: KeyKind;
  accountId: string | null;
  name: string | null;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
  /** API requests per second this key may make; null for no limit. */
  rateLimitPerSecond: number | null;
}

export interface Account {
  id: string;
  name: string | null;
  enabled: boolean;
  metadata: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

export interface EventTypeParameter {
  path: string;
  type: string;
  description: string;
}

export interface EventType {
  name: string;
  description: string;
  category: string | null;
  schema: Record<string, unknown> | null;
  examples: unknown[];
  parameters: EventTypeParameter[];
  archived: boolean;
  /** Built-in `hookd.*` types: never changed or deleted. */
  builtIn: boolean;
  createdAt: number;
  updatedAt: number;
}

export type HttpMethod = 'POST' | 'PUT' | 'PATCH' | 'GET';
export type BodyFormat = 'standard' | 'raw' | 'json' | 'text';

export interface BodySpec {
  format: BodyFormat;
  /** json only: dot paths of the payload to send (all of it when absent). */
  fields?: string[];
  /** json only: extra fields added to the body. */
  userParams?: Record<string, unknown>;
  /** text only. */
  template?: string;
  /** text only. */
  contentType?: string;
}

export type RetryScheduleKind = 'exponential' | 'fixed' | 'custom';

export interface RetryPolicy {
  enabled: boolean;
  schedule: RetryScheduleKind;
  /** custom: the delay before each retry, in order. */
  delaysSeconds?: number[];
  /** fixed: the delay between attempts. */
  intervalSeconds?: number;
  /** fixed: attempts in all, the first one included. */
  maxAttempts?: number;
  /** Updox: any 4xx is final. */
  dropOn4xx: boolean;
  /**
   * Spread each delay by ±10 %. Absent in policies stored before the setting existed: then the
   * schedule's default applies (see jitterOf).
   */
  jitter?: boolean;
}

export interface PayloadFilter {
  path: string;
  /** Scalars: the value at `path` must equal one of them. */
  in: Array<string | number | boolean | null>;
}

export type DeliveryOrdering = 'none' | 'fifo';

/** How requests to an endpoint are signed: `v1` HMAC entries, `v1a` ed25519 entries, or both. */
export type SigningScheme = 'hmac' | 'ed25519' | 'both';
/**
 * How hookd proves itself to the receiver. Each kind has exactly one secret field (password, token,
 * clientSecret, keyPem): write-only in the API, sealed at rest.
 */
export type EndpointAuth =
  | { type: 'basic'; username: string; password: string }
  | { type: 'bearer'; token: string }
  /** OAuth 2.0 client credentials (RFC 6749 §4.4): the token is fetched from tokenUrl and cached. */
  | { type: 'oauth2'; tokenUrl: string; clientId: string; clientSecret: string; scope?: string; audience?: string }
  /** A client certificate (PEM), and optionally the CA that the receiver's certificate must chain to. */
  | { type: 'mtls'; certPem: string; keyPem: string; caPem?: string };

/** What a client configures on an endpoint. */
export interface EndpointSpec {
  accountId: string | null;
  url: string;
  title: string;
  description: string;
  eventTypes: string[];
  active: boolean;
  method: HttpMethod;
  headers: Record<string, string>;
  queryParams: Record<string, string>;
  body: BodySpec;
  retry: RetryPolicy;
  timeoutMs: number;
  rateLimitPerSecond: number | null;
  filter: PayloadFilter | null;
  disabledReason: string | null;
  signing: SigningScheme;
  /**
   * `fifo`: deliveries sharing an event's orderingKey are attempted one at a time in ingest order
   * (README, "Ordered delivery"). Endpoints saved before it existed read as `none`.
   */
  ordering: DeliveryOrdering;
  /** How hookd authenticates to the receiver, secrets in the clear (the store seals them). */
  auth: EndpointAuth | null;
  /**
   * Where deliveries go: absent or `http` for the receiver at `url`; a broker's (`url` is then the
   * broker URL without its password, which the destination keeps, in the clear here, sealed at rest).
   */
  destination?: Destination;
}

export interface Endpoint extends EndpointSpec {
  id: string;
  createdAt: number;
  updatedAt: number;
  /** Receiver control, as stored (migration 0016); absent on an endpoint not read from the store (not paused). */
  control?: EndpointControl;
}

/** An endpoint's pause and circuit breaker (see domain/endpoint-state.ts), kept in columns of its own. */
export interface EndpointControl {
  /** The endpoint's deliveries are not claimed before this time (null: never paused, or resumed). */
  pausedUntil: number | null;
  pauseReason: string | null;
  /** The current run of failed attempts (timeout, connection error, 5xx). */
  breakerFailures: number;
  /** The cool-down of the breaker's last opening; 0 while it is closed. */
  breakerCooldownMs: number;
  /** Attempts in flight at once after a 429 without Retry-After (AIMD); null: the configured maximum. */
  concurrencyLimit: number | null;
}

/** The signing secrets of an endpoint: the current one and, during a rotation's grace period, the one before. */
export interface EndpointSecrets {
  current: string;
  previous: string | null;
  previousExpiresAt: number | null;
}

/**
 * The ed25519 key pair of an endpoint (`whsk_` signing keys, 64-byte form), created when ed25519
 * signing is first switched on: the current one and, during a rotation's grace period, the one
 * before. `since` is when each was created; receivers see it in the published key list.
 */
export interface EndpointSigningKeys {
  current: string;
  currentSince: number;
  previous: string | null;
  previousSince: number | null;
  previousExpiresAt: number | null;
}

export interface EndpointWithSecrets extends Endpoint {
  secrets: EndpointSecrets;
  /** Null until ed25519 signing is first switched on. */
  signingKeys: EndpointSigningKeys | null;
}

export interface HookEvent {
  id: string;
  type: string;
  accountId: string | null;
  /**
   * The payload as JSON text, exactly as the publisher sent it (events stored before hookd kept the
   * text hold it re-serialised, compact). `raw` and `standard` bodies send these bytes unchanged.
   */
  payload: string;
  correlationId: string | null;
  callbackUrl: string | null;
  occurredAt: number;
  createdAt: number;
  /** Deliveries to `fifo` endpoints sharing it go one at a time, in ingest order (null is one key of its own). */
  orderingKey?: string | null;
}

export type DeliveryStatus = 'pending' | 'sending' | 'succeeded' | 'failed' | 'dropped' | 'canceled' | 'aborted';

export const FINAL_DELIVERY_STATUSES: readonly DeliveryStatus[] = ['succeeded', 'failed', 'dropped', 'canceled', 'aborted'];

export interface Delivery {
  id: string;
  eventId: string;
  endpointId: string | null;
  accountId: string | null;
  eventType: string;
  url: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number | null;
  lastStatusCode: number | null;
  lastError: string | null;
  correlationId: string | null;
  createdAt: number;
  completedAt: number | null;
  /** A one-off (endpoint test, manual retry, recover): the first attempt is the last. */
  singleAttempt?: boolean;
  /**
   * The FIFO chain of its endpoint the delivery belongs to (fifoKeyOf: the event's orderingKey, ''
   * without one); null or absent: not ordered. See src/store/shared/fifo-chains.ts.
   */
  fifoKey?: string | null;
  /** The unfinished delivery before it in its chain, which it waits for (no nextAttemptAt meanwhile). */
  blockedBy?: string | null;
}

/** The chain key of an event's delivery to a `fifo` endpoint: ordering keys are 1–128 chars, so '' is free for "no key". */
export function fifoKeyOf(orderingKey: string | null | undefined): string {
  return orderingKey ?? '';
}

/** A delivery as a worker holds it: claimed under a lease. */
export interface ClaimedDelivery extends Delivery {
  singleAttempt: boolean;
}

export interface Attempt {
  id: string;
  deliveryId: string;
  startedAt: number;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  requestHeaders: Record<string, string>;
  /**
   * What was sent besides the headers (migration 0007): the method, the URL with secret-looking
   * query parameters redacted, the first 4 KiB of the body. Null on attempts recorded before it.
   */
  requestMethod?: string | null;
  requestUrl?: string | null;
  requestBody?: string | null;
  /**
   * Set when requestBody is the event itself (standard envelope or raw payload): the store then
   * keeps this instead of the body, and rebuilds the body from the event when read (migration 0014).
   */
  requestBodySource?: RequestBodySource | null;
  responseHeaders: Record<string, string>;
  responseBody: string | null;
}

export type OperationStatus = 'pending' | 'succeeded' | 'failed' | 'timed_out';

/** A long-running action (seed 000): its protocol number is known at once, its outcome later. */
export interface Operation {
  protocol: string;
  type: string;
  accountId: string | null;
  subject: string | null;
  callbackUrl: string | null;
  /** JSON text of what the caller sent, or null. */
  requestData: string | null;
  /** JSON text of what the provider's worker reported, or null. */
  resultData: string | null;
  status: OperationStatus;
  /** The outcome arrived after the timeout webhook was sent. */
  late: boolean;
  requestedAt: number;
  expiresAt: number;
  timedOutAt: number | null;
  completedAt: number | null;
}
