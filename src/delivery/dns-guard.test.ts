import { describe, expect, it } from 'vitest';
import { assertHostAllowed, createDnsGuardedLookup, resolveGuarded, type Resolver } from './dns-guard.js';

// The resolver is injected: these tests never touch real DNS or the network.

function lookup(addresses: Array<{ address: string; family: 4 | 6 }>, allowPrivate = false, options: object = {}) {
  const resolve: Resolver = async () => addresses;
  const guarded = createDnsGuardedLookup({ allowPrivate, resolve });
  return new Promise<{ error: NodeJS.ErrnoException | null; address: unknown; family?: number }>((done) => {
    guarded('hooks.example.com', options as never, ((error: NodeJS.ErrnoException | null, address: unknown, family?: number) =>
      done({ error, address, family })) as never);
  });
}

describe('guarded lookup', () => {
  it('connects to the checked public address', async () => {
    expect(await lookup([{ address: '93.184.216.34', family: 4 }])).toEqual({ error: null, address: '93.184.216.34', family: 4 });
  });

  it('refuses a name that resolves to a private address', async () => {
    const { error } = await lookup([{ address: '10.0.0.5', family: 4 }]);
    expect(error?.code).toBe('URL_NOT_ALLOWED');
    expect(error?.message).toContain('10.0.0.5');
  });

  it('refuses a name when any of its addresses is refused (no rebinding through a second record)', async () => {
    const { error } = await lookup([
      { address: '8.8.8.8', family: 4 },
      { address: '127.0.0.1', family: 4 },
    ]);
    expect(error?.code).toBe('URL_NOT_ALLOWED');
  });

  it('refuses cloud metadata behind a name, in IPv6-mapped form too', async () => {
    expect((await lookup([{ address: '::ffff:169.254.169.254', family: 6 }])).error?.code).toBe('URL_NOT_ALLOWED');
  });

  it('returns every checked address when asked for all', async () => {
    const addresses = [
      { address: '93.184.216.34', family: 4 as const },
      { address: '2606:2800:220:1::248', family: 6 as const },
    ];
    expect((await lookup(addresses, false, { all: true })).address).toEqual(addresses);
  });

  it('checks nothing when private URLs are allowed', async () => {
    expect(await lookup([{ address: '127.0.0.1', family: 4 }], true)).toEqual({ error: null, address: '127.0.0.1', family: 4 });
  });

  it('checks literal hosts before connecting, since they are never looked up', () => {
    expect(() => assertHostAllowed('127.0.0.1', false)).toThrow(/loopback/);
    expect(() => assertHostAllowed('[::1]', false)).toThrow(/loopback/);
    expect(() => assertHostAllowed('127.0.0.1', true)).not.toThrow();
    expect(() => assertHostAllowed('93.184.216.34', false)).not.toThrow();
  });
});

describe('resolveGuarded (broker connections)', () => {
  const resolving = (address: string): Resolver => async () => [{ address, family: 4 }];

  it('answers the checked address, and refuses a private one unless allowed', async () => {
    expect(await resolveGuarded('mq.example.com', { allowPrivate: false, resolve: resolving('93.184.216.34') })).toBe('93.184.216.34');
    await expect(resolveGuarded('mq.example.com', { allowPrivate: false, resolve: resolving('10.1.2.3') })).rejects.toMatchObject({ code: 'URL_NOT_ALLOWED' });
    await expect(resolveGuarded('127.0.0.1', { allowPrivate: false })).rejects.toMatchObject({ code: 'URL_NOT_ALLOWED' });
    expect(await resolveGuarded('mq.example.com', { allowPrivate: true, resolve: resolving('10.1.2.3') })).toBe('10.1.2.3');
  });
});
