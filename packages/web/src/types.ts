// The resources of hookd's HTTP API (v1), as the dashboard reads them. The server's route schemas
// (src/api/*.ts, /openapi.json) are the reference; these mirror what the pages use.

export type KeyKind = 'admin' | 'publisher' | 'account';

export interface Me {
  keyId: string;
  kind: KeyKind;
  accountId: string | null;
  name: string | null;
  expiresAt: string | null;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface Account {
  id: string;
  name: string | null;
  enabled: boolean;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface PortalSession {
  token: string;
  url: string;
  expiresAt: string;
  keyId: string;
}

export interface Parameter {
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
  parameters: Parameter[];
  archived: boolean;
  builtIn: boolean;
  createdAt: string;
  updatedAt: string;
}

export type HttpMethod = 'POST' | 'PUT' | 'PATCH' | 'GET';
export type BodyFormat = 'standard' | 'raw' | 'json' | 'text';
export type RetrySchedule = 'exponential' | 'fixed' | 'custom';

export interface Endpoint {
  id: string;
  accountId: string | null;
  url: string;
  title: string;
  description: string;
  eventTypes: string[];
  active: boolean;
  method: HttpMethod;
  headers: Record<string, string>;
  queryParams: Record<string, string>;
  body: { format: BodyFormat; fields?: string[]; userParams?: Record<string, unknown>; template?: string; contentType?: string };
  retry: {
    enabled: boolean;
    schedule: RetrySchedule;
    delaysSeconds?: number[];
    intervalSeconds?: number;
    maxAttempts?: number;
    dropOn4xx: boolean;
  };
  timeoutMs: number;
  rateLimitPerSecond: number | null;
  filter: { path: string; in: Array<string | number | boolean | null> } | null;
  disabledReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Preview {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
}

export interface StatsWindow {
  attempts: { total: number; succeeded: number; failed: number };
  latencyMs: { p50: number | null; p90: number | null; p99: number | null };
}

export interface StatsBucket {
  start: string;
  succeeded: number;
  failed: number;
  latencyMs: { p50: number | null; p99: number | null };
}

export interface EndpointStats {
  lastHour: StatsWindow;
  lastDay: StatsWindow;
  series: StatsBucket[];
}

export interface HookEvent {
  id: string;
  type: string;
  accountId: string | null;
  payload: unknown;
  correlationId: string | null;
  callbackUrl: string | null;
  occurredAt: string;
  createdAt: string;
}

export type DeliveryStatus = 'pending' | 'sending' | 'succeeded' | 'failed' | 'dropped' | 'canceled';
export const DELIVERY_STATUSES: DeliveryStatus[] = ['pending', 'sending', 'succeeded', 'failed', 'dropped', 'canceled'];

export interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  endpointId: string | null;
  accountId: string | null;
  url: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  correlationId: string | null;
  createdAt: string;
  completedAt: string | null;
}

export interface Attempt {
  id: string;
  deliveryId: string;
  startedAt: string;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  requestHeaders: Record<string, string>;
  responseHeaders: Record<string, string>;
  responseBody: string | null;
}

export type OperationStatus = 'pending' | 'succeeded' | 'failed' | 'timed_out';
export const OPERATION_STATUSES: OperationStatus[] = ['pending', 'succeeded', 'failed', 'timed_out'];

export interface Operation {
  protocol: string;
  type: string;
  accountId: string | null;
  subject: string | null;
  callbackUrl: string | null;
  status: OperationStatus;
  late: boolean;
  data: unknown;
  result: unknown;
  requestedAt: string;
  expiresAt: string;
  timedOutAt: string | null;
  completedAt: string | null;
}
