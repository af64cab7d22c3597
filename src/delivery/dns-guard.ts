import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import { checkHostLiteral, classifyAddress } from '../domain/url-guard.js';

// The SSRF guard's connect-time half. Every address a name resolves to is checked, and the
// connection is made to one of those checked addresses — the same resolution — so a receiver's
// DNS cannot answer "public" to the check and "internal" to the connect (DNS rebinding).

export type Resolver = (hostname: string) => Promise<Array<{ address: string; family: 4 | 6 }>>;

const systemResolver: Resolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })) as Array<{ address: string; family: 4 | 6 }>;

export class UrlNotAllowedError extends Error {
  readonly code = 'URL_NOT_ALLOWED';
}

/**
 * Literal IP hosts are connected to without any lookup, so the sender checks them with this
 * before connecting (the lookup below covers names).
 */
export function assertHostAllowed(hostname: string, allowPrivate: boolean): void {
  if (allowPrivate) return;
  const verdict = checkHostLiteral(hostname);
  if (!verdict.allowed) throw new UrlNotAllowedError(`${hostname} is not allowed: ${verdict.reason}`);
}

export function createDnsGuardedLookup(opts: { allowPrivate: boolean; resolve?: Resolver }): LookupFunction {
  const resolve = opts.resolve ?? systemResolver;
  return (hostname, options, callback) => {
    resolve(hostname)
      .then((addresses) => {
        if (addresses.length === 0) throw Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' });
        if (!opts.allowPrivate) {
          for (const { address } of addresses) {
            const verdict = classifyAddress(address);
            if (!verdict.allowed) throw new UrlNotAllowedError(`${hostname} resolves to ${address}: ${verdict.reason}`);
          }
        }
        if ((options as { all?: boolean }).all) {
          (callback as unknown as (err: null, addresses: Array<{ address: string; family: number }>) => void)(null, addresses);
        } else {
          callback(null, addresses[0]!.address, addresses[0]!.family);
        }
      })
      .catch((error: NodeJS.ErrnoException) => callback(error, '', 0));
  };
}

/**
 * The address a broker client connects to: `host` resolved once and every answer checked, like
 * the lookup above (broker clients do their own DNS otherwise, past the guard). Literal addresses
 * are checked as they are.
 */
export async function resolveGuarded(host: string, opts: { allowPrivate: boolean; resolve?: Resolver }): Promise<string> {
  if (isIP(host) !== 0) {
    assertHostAllowed(host, opts.allowPrivate);
    return host;
  }
  assertHostAllowed(host, opts.allowPrivate);
  const addresses = await (opts.resolve ?? systemResolver)(host);
  if (addresses.length === 0) throw Object.assign(new Error(`no address for ${host}`), { code: 'ENOTFOUND' });
  if (!opts.allowPrivate) {
    for (const { address } of addresses) {
      const verdict = classifyAddress(address);
      if (!verdict.allowed) throw new UrlNotAllowedError(`${host} resolves to ${address}: ${verdict.reason}`);
    }
  }
  return addresses[0]!.address;
}
