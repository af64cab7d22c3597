import { createHmac, createPrivateKey, createPublicKey, randomBytes, sign as signBytes, type KeyObject } from 'node:crypto';

// Standard Webhooks signatures over "{id}.{timestamp}.{content}", in two schemes:
// - symmetric: HMAC-SHA256 with the secret's bytes (the base64 after `whsec_`), sent as `v1,<base64>`;
// - asymmetric: ed25519 with a signing key `whsk_<base64>`, sent as `v1a,<base64>`, verified by the
//   receiver with the public key `whpk_<base64 of 32 bytes>` (hookd publishes it; no shared secret).
// An endpoint signing with both sends both entries in the one `webhook-signature` header.

const SECRET_PREFIX = 'whsec_';
const SIGNING_KEY_PREFIX = 'whsk_';
const PUBLIC_KEY_PREFIX = 'whpk_';

/** The only base64 the Standard Webhooks libraries all decode: the standard alphabet. */
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

/** A client-supplied secret must be `whsec_` + base64 of 24 to 64 bytes (padding optional). */
export function isValidSecret(secret: string): boolean {
  if (!secret.startsWith(SECRET_PREFIX)) return false;
  const encoded = secret.slice(SECRET_PREFIX.length);
  // One character past a multiple of four carries under a byte: no encoder produces it.
  if (!BASE64.test(encoded) || encoded.replace(/=+$/, '').length % 4 === 1) return false;
  const bytes = Buffer.from(encoded, 'base64').length;
  return bytes >= 24 && bytes <= 64;
}

/**
 * A valid client secret in canonical form: padded standard base64. The same bytes, so the same
 * signatures, but the Go library (strict base64) refuses the unpadded form a client may send.
 */
export function normaliseSecret(secret: string): string {
  return SECRET_PREFIX + Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64').toString('base64');
}

function secretBytes(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
}

// --- ed25519 -------------------------------------------------------------------------------------

/** PKCS#8 for an ed25519 private key is this fixed prefix followed by the 32-byte seed (RFC 8410). */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function privateKeyFromSeed(seed: Buffer): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

function publicKeyBytes(privateKey: KeyObject): Buffer {
  // SPKI DER for ed25519 ends with the 32 bytes of the public key.
  return createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(-32);
}

/** The seed of a `whsk_` key (64-byte seed+public form or bare 32-byte seed), or null if it is not one. */
function signingKeySeed(key: string): Buffer | null {
  if (!key.startsWith(SIGNING_KEY_PREFIX)) return null;
  const encoded = key.slice(SIGNING_KEY_PREFIX.length);
  if (!BASE64.test(encoded)) return null;
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.length === 32) return bytes;
  if (bytes.length !== 64) return null;
  const seed = bytes.subarray(0, 32);
  // The 64-byte form carries its public half: a mismatch means a corrupted or spliced key.
  return publicKeyBytes(privateKeyFromSeed(seed)).equals(bytes.subarray(32)) ? seed : null;
}

/** A new signing key in the form hookd issues: `whsk_` + base64 of the 32-byte seed and 32-byte public key. */
export function generateSigningKey(): string {
  return normaliseSigningKey(SIGNING_KEY_PREFIX + randomBytes(32).toString('base64'));
}

/** A client-supplied signing key: `whsk_` + base64 of a 32-byte seed, or of the 64-byte seed+public form. */
export function isValidSigningKey(key: string): boolean {
  return signingKeySeed(key) !== null;
}

/**
 * A valid client signing key in the form hookd issues (64-byte seed+public), whichever form the
 * client sent: every stored key then has one shape, and its public half is at hand.
 */
export function normaliseSigningKey(key: string): string {
  const seed = signingKeySeed(key);
  if (seed === null) throw new Error('not a whsk_ signing key');
  return SIGNING_KEY_PREFIX + Buffer.concat([seed, publicKeyBytes(privateKeyFromSeed(seed))]).toString('base64');
}

/** The `whpk_` public key receivers verify `v1a` signatures with. */
export function publicKeyOf(signingKey: string): string {
  const seed = signingKeySeed(signingKey);
  if (seed === null) throw new Error('not a whsk_ signing key');
  return PUBLIC_KEY_PREFIX + publicKeyBytes(privateKeyFromSeed(seed)).toString('base64');
}

function signedPayload(messageId: string, timestampSeconds: number, content: string | Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${messageId}.${timestampSeconds}.`), typeof content === 'string' ? Buffer.from(content) : content]);
}

/**
 * One `webhook-signature` entry: `v1a,<base64>` (ed25519) for a `whsk_` signing key, `v1,<base64>`
 * (HMAC-SHA256) for a `whsec_` secret.
 */
export function sign(key: string, messageId: string, timestampSeconds: number, content: string | Buffer): string {
  if (key.startsWith(SIGNING_KEY_PREFIX)) {
    const seed = signingKeySeed(key);
    if (seed === null) throw new Error('not a valid whsk_ signing key');
    return 'v1a,' + signBytes(null, signedPayload(messageId, timestampSeconds, content), privateKeyFromSeed(seed)).toString('base64');
  }
  const hmac = createHmac('sha256', secretBytes(key));
  hmac.update(`${messageId}.${timestampSeconds}.`);
  hmac.update(content);
  return 'v1,' + hmac.digest('base64');
}

/**
 * The `webhook-signature` value: one entry per key, space-separated, in the order given (newest
 * first during a rotation). An endpoint signing with `both` passes its secrets and its signing keys.
 */
export function signatureHeader(
  keys: readonly string[],
  messageId: string,
  timestampSeconds: number,
  content: string | Buffer,
): string {
  return keys.map((key) => sign(key, messageId, timestampSeconds, content)).join(' ');
}
