import { createHash, randomBytes } from 'node:crypto';
import type { KeyKind } from './types.js';

// API keys are 32 random bytes; only their SHA-256 is stored. A fast hash is enough here because
// the keys are random and long (nothing to brute-force from a dictionary), and it keeps auth cheap
// on the ingest path.

export function generateApiKey(kind: KeyKind): string {
  return `hk_${kind}_${randomBytes(32).toString('base64url')}`;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}
