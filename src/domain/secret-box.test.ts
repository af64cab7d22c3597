import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseEncryptionKey, SecretBox, SecretBoxError } from './secret-box.js';

const keyA = randomBytes(32);
const keyB = randomBytes(32);
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('SecretBox', () => {
  it('seals with AES-256-GCM and opens again; the sealed form shows nothing of the secret', () => {
    const box = new SecretBox({ current: keyA, old: [] });
    const sealed = box.seal(SECRET);
    expect(sealed).toMatch(/^enc:v1:[0-9a-f]{8}:[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('MfKQ9r8');
    expect(box.open(sealed)).toBe(SECRET);
    // A fresh IV each time.
    expect(box.seal(SECRET)).not.toBe(sealed);
  });

  it('leaves values in the clear without a key, and opens clear values either way', () => {
    expect(new SecretBox({ current: null, old: [] }).seal(SECRET)).toBe(SECRET);
    expect(new SecretBox({ current: keyA, old: [] }).open(SECRET)).toBe(SECRET);
  });

  it('opens values sealed with an old key during a rotation, and says which are stale', () => {
    const sealedWithA = new SecretBox({ current: keyA, old: [] }).seal(SECRET);
    const rotated = new SecretBox({ current: keyB, old: [keyA] });
    expect(rotated.open(sealedWithA)).toBe(SECRET);
    expect(rotated.isStale(sealedWithA)).toBe(true);
    expect(rotated.isStale(rotated.seal(SECRET))).toBe(false);
    expect(rotated.isStale(SECRET)).toBe(true);
  });

  it('refuses a value sealed with a key it does not have', () => {
    const sealedWithA = new SecretBox({ current: keyA, old: [] }).seal(SECRET);
    expect(() => new SecretBox({ current: keyB, old: [] }).open(sealedWithA)).toThrow(SecretBoxError);
  });

  it('detects tampering', () => {
    const box = new SecretBox({ current: keyA, old: [] });
    const sealed = box.seal(SECRET);
    const bytes = Buffer.from(sealed.split(':')[3]!, 'base64url');
    bytes[bytes.length - 1]! ^= 1;
    expect(() => box.open(`${sealed.split(':').slice(0, 3).join(':')}:${bytes.toString('base64url')}`)).toThrow();
  });

  it('opens values again from what it remembers, still refuses a tampered copy, and stays right beyond what it keeps', () => {
    const box = new SecretBox({ current: keyA, old: [] });
    const sealed = box.seal(SECRET);
    expect(box.open(sealed)).toBe(SECRET);
    const bytes = Buffer.from(sealed.split(':')[3]!, 'base64url');
    bytes[bytes.length - 1]! ^= 1;
    expect(() => box.open(`${sealed.split(':').slice(0, 3).join(':')}:${bytes.toString('base64url')}`)).toThrow();
    // Far more values than it remembers: each still opens to its own value.
    const values = Array.from({ length: 5000 }, (_, i) => `secret-${i}`);
    const sealedValues = values.map((value) => box.seal(value));
    for (const round of [0, 1]) sealedValues.forEach((value, i) => expect(box.open(value), `round ${round}`).toBe(values[i]));
    expect(box.open(sealed)).toBe(SECRET);
  });

  it('accepts only 32-byte base64 keys', () => {
    expect(parseEncryptionKey(keyA.toString('base64'), 'K')).toEqual(keyA);
    expect(() => parseEncryptionKey('c2hvcnQ=', 'K')).toThrow(/32 bytes/);
  });
});
