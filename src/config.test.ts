import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

// The settings of the web dashboard and portal: where portal links point, who may frame the portal.

describe('HOOKD_PUBLIC_URL', () => {
  it('is unset by default: links use the origin the request came to', () => {
    expect(loadConfig({}).publicUrl).toBeNull();
  });

  it.each([
    ['https://hooks.example.com', 'https://hooks.example.com'],
    ['https://hooks.example.com/', 'https://hooks.example.com'],
    ['HTTPS://Hooks.Example.com:8443', 'https://hooks.example.com:8443'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
  ])('accepts the origin %s as %s', (raw, origin) => {
    expect(loadConfig({ HOOKD_PUBLIC_URL: raw }).publicUrl).toBe(origin);
  });

  it.each(['hooks.example.com', 'ftp://hooks.example.com', 'https://hooks.example.com/hookd', 'https://h.example.com/?a=1', 'https://h.example.com/#x', 'https://u:p@h.example.com'])(
    'refuses %s, naming the variable',
    (raw) => {
      expect(() => loadConfig({ HOOKD_PUBLIC_URL: raw })).toThrow(ConfigError);
      expect(() => loadConfig({ HOOKD_PUBLIC_URL: raw })).toThrow(/HOOKD_PUBLIC_URL/);
    },
  );

  it('is a serve flag too, and the flag wins', () => {
    expect(loadConfig({ HOOKD_PUBLIC_URL: 'https://a.example.com' }, { publicUrl: 'https://b.example.com' }).publicUrl).toBe('https://b.example.com');
    expect(() => loadConfig({}, { publicUrl: 'nope' })).toThrow(/--public-url/);
  });
});

describe('HOOKD_PORTAL_FRAME_ANCESTORS', () => {
  it('lets any page frame the portal by default', () => {
    expect(loadConfig({}).portalFrameAncestors).toBe('*');
  });

  it.each([
    ["'self'", "'self'"],
    ["'none'", "'none'"],
    ['https://app.example.com', 'https://app.example.com'],
    ['  https://app.example.com   https://*.example.com:443 ', 'https://app.example.com https://*.example.com:443'],
    ["'self' http://localhost:3000", "'self' http://localhost:3000"],
  ])('accepts %s', (raw, sources) => {
    expect(loadConfig({ HOOKD_PORTAL_FRAME_ANCESTORS: raw }).portalFrameAncestors).toBe(sources);
  });

  it.each([
    'app.example.com',
    "https://a.example.com; script-src 'unsafe-inline'",
    'https://a.example.com,https://b.example.com',
    'javascript:alert(1)',
    "'unsafe-inline'",
    "'none' https://a.example.com",
    'https://a.example.com/path',
    ' ',
  ])('refuses %j: it could not stand alone in a frame-ancestors directive', (raw) => {
    expect(() => loadConfig({ HOOKD_PORTAL_FRAME_ANCESTORS: raw })).toThrow(/HOOKD_PORTAL_FRAME_ANCESTORS/);
  });
});

describe('the customer portal\'s branding and event types', () => {
  it('calls itself "Webhooks" with hookd\'s colours and shows every type but hookd\'s own by default', () => {
    const config = loadConfig({});
    expect([config.portalName, config.portalLogoUrl, config.portalAccent, config.portalEventTypes]).toEqual(['Webhooks', null, null, ['*']]);
  });

  it('takes the operator\'s name, logo, accent and type patterns', () => {
    const config = loadConfig({
      HOOKD_PORTAL_NAME: ' Acme Telecom ',
      HOOKD_PORTAL_LOGO_URL: 'https://cdn.example.com/logo.svg',
      HOOKD_PORTAL_ACCENT: '#F60',
      HOOKD_PORTAL_EVENT_TYPES: 'invoice.*, customer.created hookd.endpoint.disabled',
    });
    expect(config).toMatchObject({
      portalName: 'Acme Telecom',
      portalLogoUrl: 'https://cdn.example.com/logo.svg',
      portalAccent: '#ff6600',
      portalEventTypes: ['invoice.*', 'customer.created', 'hookd.endpoint.disabled'],
    });
  });

  it.each([
    ['HOOKD_PORTAL_LOGO_URL', 'javascript:alert(1)'],
    ['HOOKD_PORTAL_LOGO_URL', 'https://user:pw@cdn.example.com/logo.svg'],
    ['HOOKD_PORTAL_ACCENT', 'red;}body{'],
    ['HOOKD_PORTAL_EVENT_TYPES', 'invoice.*, in voice!'],
    ['HOOKD_PORTAL_NAME', 'x'.repeat(81)],
  ])('refuses %s=%s, naming it', (name, raw) => {
    expect(() => loadConfig({ [name]: raw })).toThrow(new RegExp(name));
  });
});

describe('HOOKD_ADMIN_KEY', () => {
  it('is unset by default (a key is generated on first start)', () => {
    expect(loadConfig({}).adminKey).toBeNull();
  });

  it.each(['short', 'hk_admin_try_me', 'x'.repeat(23), ' '.repeat(10) + 'y'.repeat(23) + ' '])('refuses to start with %j: shorter than 24 characters', (key) => {
    expect(() => loadConfig({ HOOKD_ADMIN_KEY: key })).toThrow(new ConfigError('HOOKD_ADMIN_KEY must be at least 24 characters'));
  });

  it('accepts 24 characters or more, trimmed', () => {
    expect(loadConfig({ HOOKD_ADMIN_KEY: 'x'.repeat(24) }).adminKey).toBe('x'.repeat(24));
    expect(loadConfig({ HOOKD_ADMIN_KEY: ' hk_admin_0123456789abcdefghij\n' }).adminKey).toBe('hk_admin_0123456789abcdefghij');
  });

  it('applies to the --admin-key flag too', () => {
    expect(() => loadConfig({}, { adminKey: 'short' })).toThrow(new ConfigError('--admin-key must be at least 24 characters'));
  });
});

describe('HOOKD_AUTO_DISABLE_AFTER', () => {
  it('is 5 days by default', () => {
    expect(loadConfig({}).autoDisableAfter).toBe(5 * 24 * 3600 * 1000);
  });

  it.each([
    ['5d', 5 * 86_400_000],
    ['12h', 12 * 3_600_000],
    ['30m', 30 * 60_000],
    ['2s', 2000],
    ['1500ms', 1500],
    ['1d12h', 36 * 3_600_000],
    [' 7d ', 7 * 86_400_000],
  ])('reads %s as %i ms', (raw, ms) => {
    expect(loadConfig({ HOOKD_AUTO_DISABLE_AFTER: raw }).autoDisableAfter).toBe(ms);
  });

  it.each(['5', '5 days', '-1d', '1.5d', 'd', '999ms', '366d', '5w'])('refuses %s, naming the variable', (raw) => {
    expect(() => loadConfig({ HOOKD_AUTO_DISABLE_AFTER: raw })).toThrow(ConfigError);
    expect(() => loadConfig({ HOOKD_AUTO_DISABLE_AFTER: raw })).toThrow(/HOOKD_AUTO_DISABLE_AFTER/);
  });

  it('is a serve flag too, and the flag wins', () => {
    expect(loadConfig({ HOOKD_AUTO_DISABLE_AFTER: '1d' }, { autoDisableAfter: '2h' }).autoDisableAfter).toBe(7_200_000);
    expect(() => loadConfig({}, { autoDisableAfter: 'soon' })).toThrow(/--auto-disable-after/);
  });
});
