import { generateSigningKey, publicKeyOf } from './signing.js';
import type { EndpointSecrets, EndpointSigningKeys, SigningScheme } from './types.js';

// Which keys sign an endpoint's requests and which public keys it publishes: pure rules over the
// stored secrets, so the worker, the API and the tests agree. A key replaced by a rotation keeps
// signing (and stays published) until its grace period ends, like the HMAC secret it rotates with.

export function usesEd25519(signing: SigningScheme): boolean {
  return signing !== 'hmac';
}

/** A key pair current from `now`: the client's `whsk_` key (64-byte form) or a fresh one. */
export function newSigningKeys(now: number, current: string = generateSigningKey()): EndpointSigningKeys {
  return { current, currentSince: now, previous: null, previousSince: null, previousExpiresAt: null };
}

/** A rotation: a new current key; the old one stays in use until `previousExpiresAt` (null: dropped now). */
export function rotateSigningKeys(
  keys: EndpointSigningKeys,
  now: number,
  previousExpiresAt: number | null,
  current: string = generateSigningKey(),
): EndpointSigningKeys {
  return {
    current,
    currentSince: now,
    previous: previousExpiresAt === null ? null : keys.current,
    previousSince: previousExpiresAt === null ? null : keys.currentSince,
    previousExpiresAt,
  };
}

function inGrace(previous: string | null, expiresAt: number | null, now: number): previous is string {
  return previous !== null && expiresAt !== null && expiresAt > now;
}

/**
 * The keys that sign one request, newest first within each kind: `whsec_` secrets for `v1`
 * entries, `whsk_` keys for `v1a` entries. The previous key of each kind signs too while its grace
 * period lasts.
 */
export function keysThatSign(
  signing: SigningScheme,
  secrets: EndpointSecrets,
  signingKeys: EndpointSigningKeys | null,
  now: number,
): string[] {
  const keys: string[] = [];
  // The API creates the key pair before it stores an ed25519 scheme, so `signingKeys` is only
  // null here for `hmac`.
  if (signing !== 'ed25519' || signingKeys === null) {
    keys.push(secrets.current);
    if (inGrace(secrets.previous, secrets.previousExpiresAt, now)) keys.push(secrets.previous);
  }
  if (usesEd25519(signing) && signingKeys !== null) {
    keys.push(signingKeys.current);
    if (inGrace(signingKeys.previous, signingKeys.previousExpiresAt, now)) keys.push(signingKeys.previous);
  }
  return keys;
}

export interface PublishedKey {
  publicKey: string;
  since: number;
  /** When the key stops signing; null for the current one. */
  until: number | null;
}

/** The public keys a receiver may meet in `v1a` entries now: the current one first, then one in its grace period. */
export function publishedKeys(keys: EndpointSigningKeys, now: number): PublishedKey[] {
  const published: PublishedKey[] = [{ publicKey: publicKeyOf(keys.current), since: keys.currentSince, until: null }];
  if (inGrace(keys.previous, keys.previousExpiresAt, now)) {
    published.push({ publicKey: publicKeyOf(keys.previous), since: keys.previousSince ?? keys.currentSince, until: keys.previousExpiresAt });
  }
  return published;
}
