import { createHmac, randomBytes } from 'node:crypto';

// Standard Webhooks signatures: HMAC-SHA256 over "{id}.{timestamp}.{content}" with the secret's
// bytes (the base64 after `whsec_`), sent as `v1,<base64>`.

const SECRET_PREFIX = 'whsec_';

export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

/** A client-supplied secret must be `whsec_` + base64 of 24 to 64 bytes. */
export function isValidSecret(secret: string): boolean {
  if (!secret.startsWith(SECRET_PREFIX)) return false;
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return false;
  const bytes = Buffer.from(encoded, 'base64').length;
  return bytes >= 24 && bytes <= 64;
}

function secretBytes(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
}

export function sign(secret: string, messageId: string, timestampSeconds: number, content: string | Buffer): string {
  const hmac = createHmac('sha256', secretBytes(secret));
  hmac.update(`${messageId}.${timestampSeconds}.`);
  hmac.update(content);
  return 'v1,' + hmac.digest('base64');
}

/** The `webhook-signature` value: one signature per secret, space-separated, newest secret first. */
export function signatureHeader(
  secrets: readonly string[],
  messageId: string,
  timestampSeconds: number,
  content: string | Buffer,
): string {
  return secrets.map((secret) => sign(secret, messageId, timestampSeconds, content)).join(' ');
}
