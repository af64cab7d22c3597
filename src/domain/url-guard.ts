import { BlockList, isIP } from 'node:net';

// The SSRF guard's pure half: which addresses hookd refuses to deliver to, and the checks made
// when a URL is saved (which never resolve names: saving must not depend on DNS).

type Rule = [network: string, prefix: number, family: 'ipv4' | 'ipv6', reason: string];

const RULES: Rule[] = [
  ['0.0.0.0', 8, 'ipv4', 'unspecified'],
  ['10.0.0.0', 8, 'ipv4', 'private'],
  ['100.64.0.0', 10, 'ipv4', 'cgnat'],
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['169.254.0.0', 16, 'ipv4', 'link_local'],
  ['172.16.0.0', 12, 'ipv4', 'private'],
  ['192.0.0.0', 24, 'ipv4', 'reserved'],
  ['192.0.2.0', 24, 'ipv4', 'reserved'],
  ['192.88.99.0', 24, 'ipv4', 'reserved'],
  ['192.168.0.0', 16, 'ipv4', 'private'],
  ['198.18.0.0', 15, 'ipv4', 'reserved'],
  ['198.51.100.0', 24, 'ipv4', 'reserved'],
  ['203.0.113.0', 24, 'ipv4', 'reserved'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['100::', 64, 'ipv6', 'reserved'],
  ['2001:db8::', 32, 'ipv6', 'reserved'],
  // Documentation (RFC 9637), the second range after 2001:db8::/32.
  ['3fff::', 20, 'ipv6', 'reserved'],
  // IPv4-translated (SIIT, RFC 2765: ::ffff:0:a.b.c.d). Never routed on the internet; refused whatever
  // address it carries, so no translator on the path can turn it into one of ours.
  ['::ffff:0:0:0', 96, 'ipv6', 'reserved'],
  // IETF protocol assignments (Teredo, ORCHID, benchmarking…), not only Teredo's 2001::/32.
  ['2001::', 23, 'ipv6', 'reserved'],
  // Local-use NAT64 (RFC 8215): may embed any IPv4 address, private ones included, in any layout.
  ['64:ff9b:1::', 48, 'ipv6', 'reserved'],
  ['fc00::', 7, 'ipv6', 'unique_local'],
  ['fe80::', 10, 'ipv6', 'link_local'],
  ['fec0::', 10, 'ipv6', 'reserved'],
  ['ff00::', 8, 'ipv6', 'multicast'],
];

const lists = RULES.map(([network, prefix, family, reason]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return { list, family, reason };
});

export type AddressVerdict = { allowed: true } | { allowed: false; reason: string };

function expandIpv6(address: string): number[] {
  // Returns the 8 groups of an IPv6 address, with an embedded dotted IPv4 tail turned into two groups.
  let text = address.toLowerCase().split('%')[0]!;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const parts = dotted[1]!.split('.').map(Number);
    text = text.slice(0, -dotted[1]!.length) + `${((parts[0]! << 8) | parts[1]!).toString(16)}:${((parts[2]! << 8) | parts[3]!).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, null];
  const headGroups = head ? head.split(':').filter((g) => g !== '') : [];
  const tailGroups = tail ? tail.split(':').filter((g) => g !== '') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...(tail === null ? [] : Array(missing).fill('0')), ...tailGroups];
  return groups.map((g) => parseInt(g, 16));
}

/** IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64, 6to4): judged by that address. */
function embeddedIpv4(groups: number[]): string | null {
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zeros = (from: number, to: number) => groups.slice(from, to).every((g) => g === 0);
  if (zeros(0, 5) && groups[5] === 0xffff) return v4(groups[6]!, groups[7]!); // ::ffff:a.b.c.d
  if (zeros(0, 6) && (groups[6] !== 0 || groups[7]! > 1)) return v4(groups[6]!, groups[7]!); // ::a.b.c.d
  if (groups[0] === 0x64 && groups[1] === 0xff9b && zeros(2, 6)) return v4(groups[6]!, groups[7]!); // 64:ff9b::/96
  if (groups[0] === 0x2002) return v4(groups[1]!, groups[2]!); // 6to4
  return null;
}

export function classifyAddress(ip: string): AddressVerdict {
  const address = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  const version = isIP(address.split('%')[0]!);
  if (version === 0) return { allowed: false, reason: 'not_an_ip' };
  if (version === 4) {
    if (address === '255.255.255.255') return { allowed: false, reason: 'broadcast' };
    const rule = lists.find((r) => r.family === 'ipv4' && r.list.check(address, 'ipv4'));
    return rule ? { allowed: false, reason: rule.reason } : { allowed: true };
  }
  const groups = expandIpv6(address);
  const v4 = embeddedIpv4(groups);
  if (v4 !== null) return classifyAddress(v4);
  const bare = address.split('%')[0]!;
  const rule = lists.find((r) => r.family === 'ipv6' && r.list.check(bare, 'ipv6'));
  return rule ? { allowed: false, reason: rule.reason } : { allowed: true };
}

export type ParsedHost = { kind: 'ip'; address: string } | { kind: 'name'; name: string };

/** The host of a WHATWG-parsed URL (which already turns 0x7f.1 or 2130706433 into dotted IPv4). */
export function parseHost(host: string): ParsedHost {
  let name = host.toLowerCase();
  if (name.startsWith('[') && name.endsWith(']')) return { kind: 'ip', address: name.slice(1, -1) };
  while (name.endsWith('.')) name = name.slice(0, -1);
  if (isIP(name) !== 0) return { kind: 'ip', address: name };
  return { kind: 'name', name };
}

/** `localhost` and names under `.localhost` resolve to loopback by definition (RFC 6761). */
export function isLoopbackName(name: string): boolean {
  return name === 'localhost' || name.endsWith('.localhost');
}

export type HostVerdict = { allowed: true } | { allowed: false; reason: string };

/** The guard for a host as written: refused literal addresses and loopback names; other names pass. */
export function checkHostLiteral(hostname: string): HostVerdict {
  const host = parseHost(hostname);
  if (host.kind === 'ip') return classifyAddress(host.address);
  if (isLoopbackName(host.name)) return { allowed: false, reason: 'loopback' };
  return { allowed: true };
}

export type UrlCheck = { ok: true } | { ok: false; code: 'invalid_url' | 'url_not_allowed'; reason: string };

export function checkUrlOnSave(url: string, opts: { allowPrivate: boolean }): UrlCheck {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, code: 'invalid_url', reason: 'is not a valid URL' };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return { ok: false, code: 'invalid_url', reason: 'must use http or https' };
  }
  // Credentials in a URL end up in logs and attempt records: headers are the place for them.
  if (parsed.username !== '' || parsed.password !== '') {
    return { ok: false, code: 'invalid_url', reason: 'must not contain a username or password' };
  }
  if (parsed.hostname === '') return { ok: false, code: 'invalid_url', reason: 'must have a host' };
  if (opts.allowPrivate) return { ok: true };
  const verdict = checkHostLiteral(parsed.hostname);
  return verdict.allowed ? { ok: true } : { ok: false, code: 'url_not_allowed', reason: verdict.reason };
}
