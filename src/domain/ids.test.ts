import { describe, expect, it } from 'vitest';
import { deliveryIdOfMessage, messageIdOf, newId } from './ids.js';

describe('ids', () => {
  it('are prefixed and sort by creation time, also within one millisecond', () => {
    const ids = Array.from({ length: 1000 }, () => newId('dlv', 1_700_000_000_000));
    expect(ids[0]).toMatch(/^dlv_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(newId('dlv', 1_700_000_000_001) > ids[999]!).toBe(true);
  });

  it('draw fresh random bits for each new millisecond, past the pool’s refills', () => {
    const randomParts = Array.from({ length: 2000 }, (_, n) => newId('evt', 1_800_000_000_000 + n).slice(-16));
    expect(new Set(randomParts).size).toBe(randomParts.length);
  });

  it('give each delivery a message id that is stable and distinct', () => {
    expect(messageIdOf('dlv_01ABC')).toBe('msg_01ABC');
  });

  it('lead a received message id back to its delivery, and nothing else anywhere', () => {
    expect(deliveryIdOfMessage(messageIdOf('dlv_01ABC'))).toBe('dlv_01ABC');
    for (const foreign of ['evt_01ABC', 'msg_', 'msg_../x', '01ABC']) expect(deliveryIdOfMessage(foreign)).toBeNull();
  });
});
