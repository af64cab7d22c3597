import { fullFormats } from 'ajv-formats/dist/formats.js';
import { describe, expect, it } from 'vitest';
import { LINEAR_FORMATS, linearFormats } from './payload-formats.js';

const SAMPLES = [
  '',
  'a',
  'user@example.com',
  'User.Name+tag@sub.example.co',
  'bad@@example.com',
  '192.168.0.1',
  '256.1.1.1',
  '::1',
  '2001:db8::8a2e:370:7334',
  'fe80::1%eth0',
  '550e8400-e29b-41d4-a716-446655440000',
  'urn:uuid:550E8400-E29B-41D4-A716-446655440000',
  '/a/b~0c/d~1e',
  '/a~2',
  '#/a/%20b',
  '0#',
  '1/a/b',
  'https://example.com/path?q=1#frag',
  '//example.com',
  'relative/path',
  'http://[::1]:8080/',
  'http://example.com/{id}{?q,r}',
  'http://example.com/{',
  'a b',
];

describe('payload formats on RE2', () => {
  it('give the same answers as ajv-formats on its own regular expressions', () => {
    const formats = linearFormats();
    for (const name of LINEAR_FORMATS) {
      const original = fullFormats[name] as RegExp;
      const linear = formats[name] as (text: string) => boolean;
      for (const sample of SAMPLES) expect(linear(sample), `${name}: ${JSON.stringify(sample)}`).toBe(original.test(sample));
    }
  });

  it('check url as an http(s) or ftp uri', () => {
    const url = linearFormats().url as (text: string) => boolean;
    expect(url('https://example.com/a?b=c')).toBe(true);
    expect(url('ftp://files.example.com/x')).toBe(true);
    expect(url('mailto:a@example.com')).toBe(false);
    expect(url('https://exa mple.com')).toBe(false);
    // A hostile string ajv-formats' own url regex takes quadratic time on.
    expect(url('http://' + ':'.repeat(100_000) + ' ')).toBe(false);
  });
});
