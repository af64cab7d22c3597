import { createHmac, timingSafeEqual } from 'node:crypto';

// Verifying hookd's webhooks on the receiving side, per Standard Webhooks: HMAC-SHA256 with the
// secret's bytes over "{webhook-id}.{webhook-timestamp}.{signed content}", sent as `v1,<base64>`,
// several space-separated while a secret rotates. The signed content is the raw body, or for a GET
// (which has none) the request target, path and query: `/hooks?call=42`.

export type WebhookFailure =
  /** webhook-id, webhook-timestamp or webhook-signature is absent. */
  | 'missing_headers'
  /** webhook-timestamp is not unix seconds. */
  | 'invalid_timestamp'
  /** A secret is not `whsec_` + base64 (or bare base64). */
  | 'invalid_secret'
  /** No `v1` signature in the header matches any of the secrets: wrong secret or altered content. */
  | 'no_matching_signature'
  /** Signed correctly, but longer ago than the tolerance: possibly a replay. */
  | 'timestamp_too_old'
  /** Signed correctly, but dated further in the future than the tolerance. */
  | 'timestamp_too_new';

export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
  constructor(
    readonly reason: WebhookFailure,
    message: string,
  ) {
    super(message);
  }
}

/** Node's `req.headers`, a fetch `Headers`, or any object of header names (any case) to values. */
export type WebhookHeaders =
  | { get(name: string): string | null }
  | Record<string, string | readonly string[] | undefined>;

export interface VerifyOptions {
  /** How far webhook-timestamp may be from now, either way. Default 300 (5 minutes). */
  toleranceSeconds?: number;
  /** The time to check the timestamp against (a Date or unix milliseconds). Default: the clock. */
  now?: Date | number;
}

export interface VerifiedWebhook {
  /** webhook-id: the same on every retry of a delivery; deduplicate on it. */
  id: string;
  timestamp: Date;
  eventType: string | null;
  correlationId: string | null;
  /** The content parsed as JSON, or its text when it is not JSON (text bodies, GET targets). */
  payload: unknown;
}

const DEFAULT_TOLERANCE_SECONDS = 300;
const SECRET_PREFIX = 'whsec_';

/**
 * Checks that a request came from hookd, unchanged and recently, and returns what it carries.
 * Throws a WebhookVerificationError saying why otherwise.
 *
 * @param secret the endpoint's `whsec_…` secret, or several (old and new during a rotation)
 * @param body the raw body exactly as received (not re-serialised JSON); for a GET, the request target
 */
export function verifyWebhook(
  secret: string | readonly string[],
  headers: WebhookHeaders,
  body: string | Uint8Array,
  options: VerifyOptions = {},
): VerifiedWebhook {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (id === null || timestamp === null || signatures === null) {
    throw new WebhookVerificationError('missing_headers', 'webhook-id, webhook-timestamp and webhook-signature are required');
  }
  if (!/^\d{1,15}$/.test(timestamp)) {
    throw new WebhookVerificationError('invalid_timestamp', `webhook-timestamp is not unix seconds: ${JSON.stringify(timestamp.slice(0, 40))}`);
  }

  const offered = signatures
    .split(' ')
    .map((entry) => entry.split(','))
    .filter(([version, value]) => version === 'v1' && value !== undefined)
    .map(([, value]) => Buffer.from(value!, 'base64'));
  const secrets = typeof secret === 'string' ? [secret] : secret;
  const matched = secrets.some((candidate) => {
    const expected = hmac(secretBytes(candidate), id, timestamp, body);
    // Constant time: the comparison must not reveal how much of a forged signature was right.
    return offered.some((signature) => signature.length === expected.length && timingSafeEqual(signature, expected));
  });
  if (!matched) {
    throw new WebhookVerificationError('no_matching_signature', 'no signature matches: wrong secret, or the content was altered');
  }

  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const nowSeconds = Math.floor(Number(options.now ?? Date.now()) / 1000);
  const age = nowSeconds - Number(timestamp);
  if (age > tolerance) throw new WebhookVerificationError('timestamp_too_old', `signed ${age} s ago, more than the ${tolerance} s allowed`);
  if (-age > tolerance) throw new WebhookVerificationError('timestamp_too_new', `dated ${-age} s ahead, more than the ${tolerance} s allowed`);

  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  let payload: unknown = text;
  try {
    payload = JSON.parse(text);
  } catch {
    // Not JSON: the text is the payload.
  }
  return {
    id,
    timestamp: new Date(Number(timestamp) * 1000),
    eventType: header(headers, 'webhook-event-type'),
    correlationId: header(headers, 'webhook-correlation-id'),
    payload,
  };
}

/**
 * The `webhook-signature` value hookd would send: for testing your receiver with requests of your own.
 * Several secrets give several signatures, as during a rotation.
 */
export function signWebhook(
  secret: string | readonly string[],
  id: string,
  timestampSeconds: number,
  body: string | Uint8Array,
): string {
  const secrets = typeof secret === 'string' ? [secret] : secret;
  return secrets.map((candidate) => 'v1,' + hmac(secretBytes(candidate), id, String(timestampSeconds), body).toString('base64')).join(' ');
}

function hmac(key: Buffer, id: string, timestamp: string, body: string | Uint8Array): Buffer {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
}

function secretBytes(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) {
    throw new WebhookVerificationError('invalid_secret', 'the secret must be whsec_ followed by base64');
  }
  return Buffer.from(encoded, 'base64');
}

function header(headers: WebhookHeaders, name: string): string | null {
  if (typeof headers.get === 'function') return (headers as { get(name: string): string | null }).get(name);
  for (const [key, value] of Object.entries(headers as Record<string, string | readonly string[] | undefined>)) {
    if (key.toLowerCase() !== name || value === undefined) continue;
    return typeof value === 'string' ? value : (value[0] ?? null);
  }
  return null;
}
