import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

// Every secret at rest — endpoint and callback signing secrets, ed25519 signing keys, receiver-auth
// secrets, custom header values — sealed with AES-256-GCM. The key is HOOKD_ENCRYPTION_KEY or, on
// SQLite, the generated key file (src/encryption-key-file.ts); only PostgreSQL with
// HOOKD_INSECURE_PLAINTEXT_SECRETS runs without one.
// A sealed value names the key that sealed it, so several keys can be in use during a rotation:
// new values are sealed with the current key, old ones still open with the old keys until the next
// start (or `hookd secrets reseal`) rewrites them.
//
//   enc:v1:<key id>:<base64url(iv 12 bytes | tag 16 bytes | ciphertext)>

const PREFIX = 'enc:v1:';

export class SecretBoxError extends Error {}

export interface SecretBoxKeys {
  /** Seals new values; null leaves them in the clear (HOOKD_INSECURE_PLAINTEXT_SECRETS, and stores opened without a key). */
  current: Buffer | null;
  /** Still open values sealed with them. */
  old: Buffer[];
}

/** HOOKD_ENCRYPTION_KEY is the base64 of 32 random bytes (`openssl rand -base64 32`). */
export function parseEncryptionKey(text: string, name: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new SecretBoxError(`${name} must be the base64 of 32 bytes (openssl rand -base64 32)`);
  return key;
}

function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/**
 * How many opened values are remembered. The worker reads each endpoint it sends to at every
 * dispatch and opened its secrets each time (~0.9 s of the main thread a minute at 600
 * deliveries/s, docs/performance.md section 30); the sealed text of a value is unique (a random IV), so it is the key.
 */
const OPENED_KEPT = 4096;

export class SecretBox {
  private readonly current: { id: string; key: Buffer } | null;
  private readonly byId = new Map<string, Buffer>();
  /** Sealed text → its value. Emptied when full: what is in use is opened again once. */
  private readonly opened = new Map<string, string>();

  constructor(keys: SecretBoxKeys) {
    this.current = keys.current === null ? null : { id: keyId(keys.current), key: keys.current };
    for (const key of [...(keys.current === null ? [] : [keys.current]), ...keys.old]) this.byId.set(keyId(key), key);
  }

  get enabled(): boolean {
    return this.current !== null;
  }

  seal(plain: string): string {
    if (this.current === null) return plain;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${PREFIX}${this.current.id}:${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url')}`;
  }

  open(stored: string): string {
    if (!stored.startsWith(PREFIX)) return stored;
    const known = this.opened.get(stored);
    if (known !== undefined) return known;
    const plain = this.decrypt(stored);
    if (this.opened.size >= OPENED_KEPT) this.opened.clear();
    this.opened.set(stored, plain);
    return plain;
  }

  private decrypt(stored: string): string {
    const [id, payload] = stored.slice(PREFIX.length).split(':') as [string, string | undefined];
    const key = this.byId.get(id);
    if (key === undefined || payload === undefined) {
      throw new SecretBoxError(`a secret is sealed with key ${id}, which is not configured (HOOKD_ENCRYPTION_KEY / HOOKD_ENCRYPTION_OLD_KEYS)`);
    }
    const bytes = Buffer.from(payload, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
  }

  /** Whether a stored value should be rewritten: in the clear while a key is set, or sealed with an old key. */
  isStale(stored: string): boolean {
    if (this.current === null) return false;
    return !stored.startsWith(`${PREFIX}${this.current.id}:`);
  }
}
