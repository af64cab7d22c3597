import { describe, expect, it } from 'vitest';
import { checkUrlOnSave, classifyAddress } from './url-guard.js';

// Saving never resolves names, so every case here is a literal spelling of an address.
const REFUSED: Array<[url: string, reason: string]> = [
  ['http://127.0.0.1/', 'loopback'],
  ['http://127.1.2.3/', 'loopback'],
  ['http://2130706433/', 'loopback'],
  ['http://0177.0.0.1/', 'loopback'],
  ['http://0x7f000001/', 'loopback'],
  ['http://0x7f.1/', 'loopback'],
  ['http://127.1/', 'loopback'],
  ['http://localhost/', 'loopback'],
  ['http://localhost./', 'loopback'],
  ['http://LOCALHOST:8080/', 'loopback'],
  ['http://foo.localhost/', 'loopback'],
  ['http://[::1]/', 'loopback'],
  ['http://[0:0:0:0:0:0:0:1]/', 'loopback'],
  ['http://[::ffff:127.0.0.1]/', 'loopback'],
  ['http://[::ffff:7f00:1]/', 'loopback'],
  ['http://[::127.0.0.1]/', 'loopback'],
  ['http://0/', 'unspecified'],
  ['http://0.0.0.0/', 'unspecified'],
  ['http://[::]/', 'unspecified'],
  ['http://10.0.0.1/', 'private'],
  ['http://10.255.255.255/', 'private'],
  ['http://172.16.0.1/', 'private'],
  ['http://172.31.255.254/', 'private'],
  ['http://192.168.1.1/', 'private'],
  ['http://0xc0a80101/', 'private'],
  ['http://[::ffff:10.0.0.1]/', 'private'],
  ['http://[::ffff:c0a8:101]/', 'private'],
  ['http://[64:ff9b::10.0.0.1]/', 'private'],
  ['http://[2002:0a00:0001::]/', 'private'],
  ['http://100.64.0.1/', 'cgnat'],
  ['http://100.127.255.255/', 'cgnat'],
  ['http://169.254.169.254/latest/meta-data', 'link_local'],
  ['http://169.254.0.1/', 'link_local'],
  ['http://[fe80::1]/', 'link_local'],
  ['http://[febf::1]/', 'link_local'],
  ['http://[::ffff:169.254.169.254]/', 'link_local'],
  ['http://[fd00::1]/', 'unique_local'],
  ['http://[fc00::1]/', 'unique_local'],
  ['http://224.0.0.1/', 'multicast'],
  ['http://239.255.255.250/', 'multicast'],
  ['http://[ff02::1]/', 'multicast'],
  ['http://255.255.255.255/', 'broadcast'],
  ['http://240.0.0.1/', 'reserved'],
  ['http://192.0.2.10/', 'reserved'],
  ['http://198.51.100.7/', 'reserved'],
  ['http://203.0.113.9/', 'reserved'],
  ['http://198.18.0.1/', 'reserved'],
  ['http://192.0.0.8/', 'reserved'],
  ['http://[2001:db8::1]/', 'reserved'],
  ['http://[100::1]/', 'reserved'],
  ['http://[2001:10::1]/', 'reserved'],
  ['http://[2001:1ff::1]/', 'reserved'],
  ['http://[64:ff9b:1::a00:1]/', 'reserved'],
  ['http://[::ffff:0:127.0.0.1]/', 'reserved'],
  ['http://[::ffff:0:7f00:1]/', 'reserved'],
  ['http://[0:0:0:0:ffff:0:a00:1]/', 'reserved'],
  ['http://[::ffff:0:8.8.8.8]/', 'reserved'],
  ['http://[3fff::1]/', 'reserved'],
  ['http://[3fff:fff:ffff::1]/', 'reserved'],
];

const ALLOWED = [
  'https://93.184.216.34/hooks',
  'http://8.8.8.8/',
  'https://1.1.1.1:8443/x?y=z',
  'https://172.32.0.1/',
  'https://172.15.255.255/',
  'https://100.63.255.255/',
  'https://100.128.0.1/',
  'https://192.169.0.1/',
  'https://[2606:4700:4700::1111]/',
  'https://[2a00:1450:4007:80e::200e]/',
  'https://[::ffff:8.8.8.8]/',
  'https://[3ffe:ffff::1]/',
  'https://[3fff:1000::1]/',
  'https://example.com/hooks',
  'https://hooks.example.com./in',
  'http://localhost.example.com/',
  'https://xn--bcher-kva.example/',
];

describe('URL guard on save', () => {
  it.each(REFUSED)('refuses %s (%s)', (url, reason) => {
    expect(checkUrlOnSave(url, { allowPrivate: false })).toEqual({ ok: false, code: 'url_not_allowed', reason });
  });

  it.each(ALLOWED)('allows %s', (url) => {
    expect(checkUrlOnSave(url, { allowPrivate: false })).toEqual({ ok: true });
  });

  it.each([
    ['ftp://example.com/', 'must use http or https'],
    ['file:///etc/passwd', 'must use http or https'],
    ['javascript:alert(1)', 'must use http or https'],
    ['http://user:pass@example.com/', 'must not contain a username or password'],
    ['http://user@example.com/', 'must not contain a username or password'],
    ['not a url', 'is not a valid URL'],
    ['http://', 'is not a valid URL'],
  ])('refuses the malformed %s', (url, reason) => {
    expect(checkUrlOnSave(url, { allowPrivate: true })).toEqual({ ok: false, code: 'invalid_url', reason });
  });

  it('lets everything well-formed through when private URLs are allowed', () => {
    expect(checkUrlOnSave('http://127.0.0.1:9000/x', { allowPrivate: true })).toEqual({ ok: true });
    expect(checkUrlOnSave('http://169.254.169.254/', { allowPrivate: true })).toEqual({ ok: true });
  });
});

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', false],
    ['::1', false],
    ['::ffff:127.0.0.1', false],
    ['fe80::1%eth0', false],
    ['8.8.4.4', true],
    ['2001:4860:4860::8888', true],
    ['not-an-ip', false],
  ])('%s allowed: %s', (address, allowed) => {
    expect(classifyAddress(address).allowed).toBe(allowed);
  });
});
