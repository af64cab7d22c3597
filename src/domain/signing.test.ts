import { createPublicKey, verify } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  generateSecret,
  generateSigningKey,
  isValidSecret,
  isValidSigningKey,
  normaliseSecret,
  publicKeyOf,
  sign,
  signatureHeader,
} from './signing.js';

describe('signing', () => {
  it('matches the Standard Webhooks specification test vector', () => {
    // From the Standard Webhooks spec's reference libraries.
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const signature = sign(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');
    expect(signature).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('signs with every secret given, newest first, space-separated', () => {
    const header = signatureHeader(['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', generateSecret()], 'msg_1', 1, 'x');
    const parts = header.split(' ');
    expect(parts).toHaveLength(2);
    expect(parts[0]).toBe(sign('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_1', 1, 'x'));
  });

  it('is accepted by the standardwebhooks verifier', () => {
    const secret = generateSecret();
    const timestamp = Math.floor(Date.now() / 1000);
    const body = '{"type":"a","data":{"x":1}}';
    const headers = {
      'webhook-id': 'msg_abc',
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signatureHeader([secret], 'msg_abc', timestamp, body),
    };
    expect(new StandardWebhook(secret).verify(body, headers)).toEqual({ type: 'a', data: { x: 1 } });
  });

  it('generates secrets of 32 random bytes that validate', () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(isValidSecret(secret)).toBe(true);
    expect(generateSecret()).not.toBe(secret);
  });

  it.each([
    ['no prefix', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
    ['too short', 'whsec_YWJj'],
    ['not base64', 'whsec_!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!'],
  ])('refuses a client secret that is %s', (_why, secret) => {
    expect(isValidSecret(secret)).toBe(false);
  });

  it.each([
    ['unpadded (two = missing)', 'whsec_' + Buffer.alloc(25, 9).toString('base64').replace(/=+$/, '')],
    ['unpadded (one = missing)', 'whsec_' + Buffer.alloc(26, 9).toString('base64').replace(/=+$/, '')],
    ['already padded', 'whsec_' + Buffer.alloc(25, 9).toString('base64')],
    ['without padding needed', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
  ])('normalises a client secret %s to padded base64 with the same bytes and signatures', (_why, secret) => {
    expect(isValidSecret(secret)).toBe(true);
    const normal = normaliseSecret(secret);
    expect(normal).toMatch(/^whsec_([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
    // Standard base64 with padding is what the Go library's strict decoder requires.
    expect(normal.slice(6).length % 4).toBe(0);
    expect(Buffer.from(normal.slice(6), 'base64').equals(Buffer.from(secret.slice(6), 'base64'))).toBe(true);
    expect(sign(normal, 'msg_1', 1, 'x')).toBe(sign(secret, 'msg_1', 1, 'x'));
    expect(normaliseSecret(normal)).toBe(normal);
  });

  it('refuses a secret whose base64 length cannot be padded (4n+1 characters)', () => {
    expect(isValidSecret('whsec_' + 'A'.repeat(33))).toBe(false);
  });
});

// Verified the way a receiver following the Standard Webhooks text would, with nothing of hookd's:
// the public key's 32 bytes in an SPKI wrapper (RFC 8410), Node's crypto.verify over
// "{webhook-id}.{webhook-timestamp}.{body}".
function receiverVerifies(publicKey: string, id: string, timestamp: number, body: string, header: string): boolean {
  expect(publicKey.startsWith('whpk_')).toBe(true);
  const raw = Buffer.from(publicKey.slice('whpk_'.length), 'base64');
  const key = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]), format: 'der', type: 'spki' });
  return header
    .split(' ')
    .filter((entry) => entry.startsWith('v1a,'))
    .some((entry) => verify(null, Buffer.from(`${id}.${timestamp}.${body}`), key, Buffer.from(entry.slice(4), 'base64')));
}

describe('ed25519 signing (v1a)', () => {
  it('matches the Standard Webhooks reference test vector (Go library, 32-byte seed)', () => {
    const key = 'whsk_VEVTVFNJR05JTkdLRVlET05PVFVTRVRISVNGT1JBTlk=';
    expect(sign(key, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')).toBe(
      'v1a,tQ9V2XOqn7jL/DQenEFpqIugdBVtiMmER5mhSkXBNwM0mkATuDe6KYYUuxqtaiHeYGb7KaaBRdM5WqyeFiL8Ag==',
    );
  });

  it('derives the public key of RFC 8032 test 1 from its seed', () => {
    const seed = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex');
    expect(publicKeyOf('whsk_' + seed.toString('base64'))).toBe(
      'whpk_' + Buffer.from('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', 'hex').toString('base64'),
    );
  });

  it('issues 64-byte seed+public keys that sign exactly as their 32-byte seed', () => {
    const key = generateSigningKey();
    const bytes = Buffer.from(key.slice('whsk_'.length), 'base64');
    expect(key).toMatch(/^whsk_[A-Za-z0-9+/]{86}==$/);
    expect(bytes).toHaveLength(64);
    expect('whpk_' + bytes.subarray(32).toString('base64')).toBe(publicKeyOf(key));
    const seedOnly = 'whsk_' + bytes.subarray(0, 32).toString('base64');
    expect(sign(seedOnly, 'msg_1', 1, 'x')).toBe(sign(key, 'msg_1', 1, 'x'));
    expect(publicKeyOf(seedOnly)).toBe(publicKeyOf(key));
    expect(generateSigningKey()).not.toBe(key);
  });

  it('is verified by a receiver with the public key alone, and fails for other content or another key', () => {
    const key = generateSigningKey();
    const body = '{"type":"call.started","data":{"callId":"c1","from":"Zoë 📞"}}';
    const header = signatureHeader([key], 'msg_abc', 1700000000, body);
    expect(header).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
    expect(receiverVerifies(publicKeyOf(key), 'msg_abc', 1700000000, body, header)).toBe(true);
    expect(receiverVerifies(publicKeyOf(key), 'msg_abc', 1700000001, body, header)).toBe(false);
    expect(receiverVerifies(publicKeyOf(key), 'msg_abc', 1700000000, body + ' ', header)).toBe(false);
    expect(receiverVerifies(publicKeyOf(generateSigningKey()), 'msg_abc', 1700000000, body, header)).toBe(false);
  });

  it('with both schemes, one header carries a v1 entry per secret and a v1a entry per signing key', () => {
    const secret = generateSecret();
    const key = generateSigningKey();
    const body = '{"x":1}';
    const timestamp = Math.floor(Date.now() / 1000);
    const header = signatureHeader([secret, key], 'msg_both', timestamp, body);
    const [v1, v1a] = header.split(' ');
    expect(v1).toMatch(/^v1,/);
    expect(v1a).toMatch(/^v1a,/);
    expect(receiverVerifies(publicKeyOf(key), 'msg_both', timestamp, body, header)).toBe(true);
    // An HMAC-only verifier skips the v1a entry and still finds its v1.
    const headers = { 'webhook-id': 'msg_both', 'webhook-timestamp': String(timestamp), 'webhook-signature': header };
    expect(new StandardWebhook(secret).verify(body, headers)).toEqual({ x: 1 });
  });

  it.each([
    ['a whsec_ secret', 'whsec_' + Buffer.alloc(32, 1).toString('base64')],
    ['no prefix', Buffer.alloc(32, 1).toString('base64')],
    ['16 bytes', 'whsk_' + Buffer.alloc(16, 1).toString('base64')],
    ['48 bytes', 'whsk_' + Buffer.alloc(48, 1).toString('base64')],
    ['64 bytes whose public half does not match the seed', 'whsk_' + Buffer.alloc(64, 1).toString('base64')],
    ['not base64', 'whsk_' + '!'.repeat(44)],
  ])('refuses a signing key that is %s', (_why, key) => {
    expect(isValidSigningKey(key)).toBe(false);
  });

  it('accepts a 32-byte seed as a signing key', () => {
    expect(isValidSigningKey('whsk_' + Buffer.alloc(32, 1).toString('base64'))).toBe(true);
  });
});
