import { describe, expect, it } from 'vitest';
import { keysThatSign, newSigningKeys, publishedKeys, rotateSigningKeys, usesEd25519 } from './endpoint-keys.js';
import { isValidSigningKey, publicKeyOf } from './signing.js';
import type { EndpointSecrets } from './types.js';

const NOW = 1_700_000_000_000;
const secrets: EndpointSecrets = { current: 'whsec_new', previous: 'whsec_old', previousExpiresAt: NOW + 1000 };

describe('endpoint keys', () => {
  it('creates a fresh, valid key pair current from now', () => {
    const keys = newSigningKeys(NOW);
    expect(isValidSigningKey(keys.current)).toBe(true);
    expect(keys).toMatchObject({ currentSince: NOW, previous: null, previousSince: null, previousExpiresAt: null });
    expect(newSigningKeys(NOW).current).not.toBe(keys.current);
  });

  it.each([
    ['hmac', false],
    ['ed25519', true],
    ['both', true],
  ] as const)('%s uses ed25519: %s', (signing, expected) => {
    expect(usesEd25519(signing)).toBe(expected);
  });

  it('signs with the secrets, the signing keys or both, each with the one before while its grace lasts', () => {
    const keys = rotateSigningKeys(newSigningKeys(NOW - 5000), NOW, NOW + 1000);
    expect(keysThatSign('hmac', secrets, keys, NOW)).toEqual(['whsec_new', 'whsec_old']);
    expect(keysThatSign('ed25519', secrets, keys, NOW)).toEqual([keys.current, keys.previous]);
    expect(keysThatSign('both', secrets, keys, NOW)).toEqual(['whsec_new', 'whsec_old', keys.current, keys.previous]);
    // At the end of the grace period the old ones stop signing.
    expect(keysThatSign('both', secrets, keys, NOW + 1000)).toEqual(['whsec_new', keys.current]);
  });

  it('signs with HMAC alone when an endpoint has no key pair', () => {
    expect(keysThatSign('hmac', { current: 'whsec_a', previous: null, previousExpiresAt: null }, null, NOW)).toEqual(['whsec_a']);
  });

  it('rotation keeps the old key until the end of the grace period, or drops it at once without one', () => {
    const first = newSigningKeys(NOW - 5000);
    const rotated = rotateSigningKeys(first, NOW, NOW + 86_400_000);
    expect(rotated).toMatchObject({ currentSince: NOW, previous: first.current, previousSince: NOW - 5000, previousExpiresAt: NOW + 86_400_000 });
    expect(rotated.current).not.toBe(first.current);
    expect(rotateSigningKeys(first, NOW, null)).toMatchObject({ previous: null, previousSince: null, previousExpiresAt: null });
  });

  it('publishes the current public key, and the old one with its until during the grace period', () => {
    const first = newSigningKeys(NOW - 5000);
    expect(publishedKeys(first, NOW)).toEqual([{ publicKey: publicKeyOf(first.current), since: NOW - 5000, until: null }]);
    const rotated = rotateSigningKeys(first, NOW, NOW + 1000);
    expect(publishedKeys(rotated, NOW + 999)).toEqual([
      { publicKey: publicKeyOf(rotated.current), since: NOW, until: null },
      { publicKey: publicKeyOf(first.current), since: NOW - 5000, until: NOW + 1000 },
    ]);
    expect(publishedKeys(rotated, NOW + 1000)).toEqual([{ publicKey: publicKeyOf(rotated.current), since: NOW, until: null }]);
    // Only whpk_ public keys: the signing keys never leave.
    expect(JSON.stringify(publishedKeys(rotated, NOW))).not.toContain('whsk_');
  });
});
