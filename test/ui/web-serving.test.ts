import Fastify from 'fastify';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notFoundHandler } from '../../src/api/errors.js';
import { WEB_ROOT, webRoutes } from '../../src/api/web.js';
import { loadConfig } from '../../src/config.js';
import { startServer, type TestServer } from '../support/server.js';

// How hookd serves the built web app (npm test builds it first): the dashboard at `/`, the
// portal at `/portal`, page paths falling back to the app, the API's JSON answers untouched, and
// the security headers that keep the dashboard unframeable and everything same-origin.

async function get(url: string, init: RequestInit = {}) {
  const response = await fetch(url, { redirect: 'manual', ...init });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text };
}

describe('serving the dashboard and the portal', () => {
  let server: TestServer;
  let framed: TestServer;
  beforeAll(async () => {
    [server, framed] = await Promise.all([
      startServer(),
      startServer({ HOOKD_PORTAL_FRAME_ANCESTORS: "'self' https://app.example.com", HOOKD_PORTAL_NAME: 'Acme Telecom', HOOKD_PORTAL_LOGO_URL: 'https://cdn.example.com/acme/logo.svg' }),
    ]);
  });
  afterAll(async () => {
    await server?.close();
    await framed?.close();
  });

  it('serves the dashboard at / with a strict policy: same-origin only, never framed', async () => {
    const response = await get(server.url + '/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.text).toContain('<div id="root"></div>');
    const policy = response.headers.get('content-security-policy')!;
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("style-src 'self'");
    expect(policy).toContain("connect-src 'self'");
    expect(policy).toContain("object-src 'none'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toContain('unsafe');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('cache-control')).toBe('no-cache');
  });

  it('serves the portal at /portal, frameable by any page unless configured', async () => {
    for (const path of ['/portal', '/portal/', '/portal/endpoints/ep_01ABC', '/portal/catalog/invoice.paid']) {
      const response = await get(server.url + path);
      expect(response.status, path).toBe(200);
      expect(response.text, path).toContain('<div id="root"></div>');
      expect(response.headers.get('content-security-policy'), path).toMatch(/frame-ancestors \*$/);
      expect(response.headers.get('x-frame-options'), path).toBeNull();
    }
    const configured = await get(framed.url + '/portal');
    expect(configured.headers.get('content-security-policy')).toMatch(/frame-ancestors 'self' https:\/\/app\.example\.com$/);
    expect((await get(framed.url + '/')).headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'$/);
  });

  it('serves the operator\'s portal branding without a key, and lets only the portal load the logo\'s origin', async () => {
    const defaults = await get(server.url + '/portal/settings.json');
    expect(defaults.status).toBe(200);
    expect(JSON.parse(defaults.text)).toEqual({ name: 'Webhooks', logoUrl: null, accent: null, eventTypes: ['*'] });
    const branded = JSON.parse((await get(framed.url + '/portal/settings.json')).text);
    expect(branded).toMatchObject({ name: 'Acme Telecom', logoUrl: 'https://cdn.example.com/acme/logo.svg' });
    expect((await get(framed.url + '/portal')).headers.get('content-security-policy')).toContain("img-src 'self' data: https://cdn.example.com;");
    expect((await get(framed.url + '/')).headers.get('content-security-policy')).toContain("img-src 'self' data:;");
  });

  it('answers page paths of the app with the app, so links and reloads work', async () => {
    for (const path of ['/keys', '/endpoints', '/endpoints/ep_01ABC/edit', '/catalog/invoice.paid', '/deliveries?status=failed', '/events/evt_1', '/operations/' + 'p'.repeat(300)]) {
      const response = await get(server.url + path);
      expect(response.status, path).toBe(200);
      expect(response.text, path).toContain('<div id="root"></div>');
    }
    expect((await get(server.url + '/', { method: 'HEAD' })).status).toBe(200);
  });

  it('serves the built assets, cached for good since their names carry a hash', async () => {
    const index = (await get(server.url + '/')).text;
    const assets = [...index.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    expect(assets.some((a) => a.endsWith('.css'))).toBe(true);
    for (const asset of assets) {
      const response = await get(server.url + asset);
      expect(response.status, asset).toBe(200);
      expect(response.headers.get('content-type'), asset).toMatch(asset.endsWith('.js') ? /javascript/ : /text\/css/);
      expect(response.headers.get('cache-control'), asset).toBe('public, max-age=31536000, immutable');
      expect(response.headers.get('x-content-type-options'), asset).toBe('nosniff');
    }
    const icon = await get(server.url + '/favicon.svg');
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toMatch(/image\/svg\+xml/);
  });

  it('keeps the API\'s answers for every other path, and answers missing files with a 404 rather than the app', async () => {
    const paths = [
      '/no/such/page',
      '/v1',
      '/v1/',
      '/v1/nothing-here',
      '/v1/endpoints/ep_x/nothing',
      '/docs/nothing-here',
      '/openapi.json/x',
      '/health/x',
      '/ready/x',
      '/metrics/x',
      '/assets/index-missing.js',
      '/robots.txt',
      '/favicon.ico',
    ];
    for (const path of paths) {
      const response = await get(server.url + path);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type'), path).toMatch(/^application\/json/);
      expect(JSON.parse(response.text).error.code, path).toBe('not_found');
    }
    // Only GET (and HEAD) fall back to the app.
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const response = await get(server.url + '/endpoints', { method });
      expect(response.status, method).toBe(404);
      expect(JSON.parse(response.text).error.code).toBe('not_found');
    }
    // An over-long id is still the router's 414, not a page.
    expect((await get(`${server.url}/v1/endpoints/${'e'.repeat(300)}`)).status).toBe(414);
    // The API itself still answers as before.
    expect((await get(server.url + '/health')).status).toBe(200);
    expect((await get(server.url + '/openapi.json')).status).toBe(200);
    expect((await get(server.url + '/metrics')).status).toBe(401);
    expect((await server.request('GET', '/v1/endpoints')).status).toBe(200);
  });

  it('bundles everything: no inline script and no address of another origin in the page or its styles', () => {
    const index = readFileSync(join(WEB_ROOT, 'index.html'), 'utf8');
    expect(index).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(index).not.toMatch(/https?:\/\//);
    const css = [...index.matchAll(/href="\/(assets\/[^"]+\.css)"/g)].map((m) => readFileSync(join(WEB_ROOT, m[1]!), 'utf8')).join('\n');
    expect(css.length).toBeGreaterThan(1000);
    expect(css).not.toMatch(/@import|url\(\s*['"]?(https?:)?\/\//);
  });
});

describe('serving when the app was not built', () => {
  const empty = mkdtempSync(join(tmpdir(), 'hookd-web-empty-'));
  afterAll(() => rmSync(empty, { recursive: true, force: true }));

  it('says how to build it, and the API paths are unaffected', async () => {
    const app = Fastify();
    app.setNotFoundHandler(notFoundHandler);
    app.get('/v1/thing', async () => ({ ok: true }));
    await app.register(webRoutes, { config: loadConfig({}), root: empty });
    const page = await app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(404);
    expect(page.json().error.message).toContain('npm run build');
    expect((await app.inject({ method: 'GET', url: '/v1/thing' })).json()).toEqual({ ok: true });
    expect((await app.inject({ method: 'GET', url: '/v1/other' })).json().error.code).toBe('not_found');
    await app.close();
  });
});
