import { createHmac, createPrivateKey, createPublicKey, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';

// Verifying hookd's webhooks on the receiving side, per Standard Webhooks, over
// "{webhook-id}.{webhook-timestamp}.{signed content}" in either scheme:
// - HMAC-SHA256 with the secret's bytes (`whsec_…`), sent as `v1,<base64>`;
// - ed25519, checked with the endpoint's public key (`whpk_…`), sent as `v1a,<base64>`: the
//   receiver holds nothing that could sign.
// Several entries are space-separated (a rotation, or an endpoint signing with both schemes). The
// signed content is the raw body, or for a GET (which has none) the request target: `/hooks?call=42`.

export type WebhookFailure =
  /** webhook-id, webhook-timestamp or webhook-signature is absent. */
  | 'missing_headers'
  /** webhook-timestamp is not unix seconds. */
  | 'invalid_timestamp'
  /** A secret is not `whsec_` + base64 (or bare base64), or a public key not `whpk_` + base64 of 32 bytes. */
  | 'invalid_secret'
  /** No signature in the header matches any of the secrets or public keys: wrong key or altered content. */
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
const PUBLIC_KEY_PREFIX = 'whpk_';
const SIGNING_KEY_PREFIX = 'whsk_';
// DER prefixes that turn an ed25519 key's raw 32 bytes into SPKI (public) and PKCS#8 (seed) form (RFC 8410).
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * Checks that a request came from hookd, unchanged and recently, and returns what it carries.
 * Throws a WebhookVerificationError saying why otherwise.
 *
 * @param secret the endpoint's `whsec_…` secret or `whpk_…` public key, or several (old and new
 *   during a rotation); a `whpk_` key checks the `v1a` (ed25519) entries, a secret the `v1` ones
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

  const entries = signatures.split(' ').map((entry) => entry.split(','));
  const offered = (scheme: 'v1' | 'v1a') =>
    entries.filter(([version, value]) => version === scheme && value !== undefined).map(([, value]) => Buffer.from(value!, 'base64'));
  const secrets = typeof secret === 'string' ? [secret] : secret;
  const matched = secrets.some((candidate) => {
    if (candidate.startsWith(PUBLIC_KEY_PREFIX)) {
      const key = publicKey(candidate);
      const content = signedContent(id, timestamp, body);
      return offered('v1a').some((signature) => signature.length === 64 && verify(null, content, key, signature));
    }
    const expected = hmac(secretBytes(candidate), id, timestamp, body);
    // Constant time: the comparison must not reveal how much of a forged signature was right.
    return offered('v1').some((signature) => signature.length === expected.length && timingSafeEqual(signature, expected));
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
 * A `whsec_` secret gives a `v1` entry, a `whsk_` signing key a `v1a` (ed25519) one; several give
 * several entries, as during a rotation.
 */
export function signWebhook(
  secret: string | readonly string[],
  id: string,
  timestampSeconds: number,
  body: string | Uint8Array,
): string {
  const secrets = typeof secret === 'string' ? [secret] : secret;
  return secrets
    .map((candidate) =>
      candidate.startsWith(SIGNING_KEY_PREFIX)
        ? 'v1a,' + sign(null, signedContent(id, String(timestampSeconds), body), privateKey(candidate)).toString('base64')
        : 'v1,' + hmac(secretBytes(candidate), id, String(timestampSeconds), body).toString('base64'),
    )
    .join(' ');
}

function signedContent(id: string, timestamp: string, body: string | Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`${id}.${timestamp}.`), typeof body === 'string' ? Buffer.from(body) : body]);
}

function publicKey(key: string): KeyObject {
  const encoded = key.slice(PUBLIC_KEY_PREFIX.length);
  const raw = Buffer.from(encoded, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || raw.length !== 32) {
    throw new WebhookVerificationError('invalid_secret', 'a public key must be whpk_ followed by the base64 of 32 bytes');
  }
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** A `whsk_` key: the 32-byte seed, or hookd's 64-byte seed+public form (its first 32 bytes are the seed). */
function privateKey(key: string): KeyObject {
  const raw = Buffer.from(key.slice(SIGNING_KEY_PREFIX.length), 'base64');
  if (raw.length !== 32 && raw.length !== 64) throw new TypeError('a signing key must be whsk_ followed by the base64 of 32 or 64 bytes');
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, raw.subarray(0, 32)]), format: 'der', type: 'pkcs8' });
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
