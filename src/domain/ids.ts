import { randomFillSync } from 'node:crypto';

// Ids are a type prefix and a ULID: 48 bits of milliseconds then 80 random bits, in Crockford
// base32. They sort by creation time, so lists page by id; within one millisecond the random part
// is incremented (monotonic ULID) so ids made by one process never sort out of order.

const ENCODING = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export type IdPrefix = 'key' | 'ep' | 'evt' | 'msg' | 'dlv' | 'att' | 'op';

let lastTime = -1;
const lastRandom = new Uint8Array(10);

/**
 * Random bytes are drawn 4 KiB at a time and each used once: a `randomBytes` call per id was
 * ~2 % of a core at 600 deliveries/s (docs/performance.md, section 27).
 */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function fillRandom(target: Uint8Array): void {
  if (poolOffset + target.length > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  target.set(pool.subarray(poolOffset, poolOffset + target.length));
  poolOffset += target.length;
}

function encodeTime(ms: number): string {
  let out = '';
  let rest = ms;
  for (let i = 0; i < 10; i++) {
    out = ENCODING[rest % 32]! + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

function encodeRandom(bytes: Uint8Array): string {
  // 80 bits → 16 base32 characters, most significant first.
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ENCODING[(buffer >> bits) & 31]!;
    }
    buffer &= (1 << bits) - 1;
  }
  return out;
}

function incrementRandom(bytes: Uint8Array): void {
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i]! < 255) {
      bytes[i]! += 1;
      return;
    }
    bytes[i] = 0;
  }
}

export function ulid(now: number = Date.now()): string {
  if (now <= lastTime) {
    incrementRandom(lastRandom);
  } else {
    lastTime = now;
    fillRandom(lastRandom);
  }
  return encodeTime(lastTime) + encodeRandom(lastRandom);
}

export function newId(prefix: IdPrefix, now?: number): string {
  return `${prefix}_${ulid(now)}`;
}

/** The Standard Webhooks `webhook-id` of a delivery: stable across its retries, unique per delivery. */
export function messageIdOf(deliveryId: string): string {
  return 'msg_' + deliveryId.slice(deliveryId.indexOf('_') + 1);
}

/** The inverse of messageIdOf: which delivery a received `webhook-id` belongs to. */
export function deliveryIdOfMessage(messageId: string): string | null {
  return /^msg_[0-9A-Za-z]+$/.test(messageId) ? 'dlv_' + messageId.slice(4) : null;
}
