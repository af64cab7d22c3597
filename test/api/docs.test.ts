import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDOC_BUNDLE, REDOC_CDN_LOGO } from '../../src/api/docs.js';
import { startServer, type TestServer } from '../support/server.js';

// GET /docs is hookd's own API reference: Redoc from its npm package, in hookd's colours, every
// file of the page served by hookd itself (no CDN, no fonts from elsewhere). The browser side of
// this (the page renders, requests stay on this origin) is test/ui/docs.test.ts.

describe('the API reference at /docs', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => server?.close());

  it('is a hookd-branded page whose scripts, styles and icon are all served by hookd', async () => {
    const response = await fetch(`${server.url}/docs`, { redirect: 'manual' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const page = await response.text();
    expect(page).toContain('<title>hookd API reference</title>');
    expect(page).toContain('class="hookd-bar"');
    expect(page).not.toMatch(/swagger/i);
    // No inline script (the policy forbids it) and no address of another origin.
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(page).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
    const assets = [...page.matchAll(/(?:src|href)="(\/[^"]*)"/g)].map((match) => match[1]!);
    expect(assets).toEqual(expect.arrayContaining(['/docs/redoc.standalone.js', '/docs/init.js', '/docs/docs.css', '/docs/hookd.svg', '/openapi.json']));
    for (const asset of assets) {
      const loaded = await fetch(server.url + asset);
      expect(loaded.status, asset).toBe(200);
      expect((await loaded.arrayBuffer()).byteLength, asset).toBeGreaterThan(0);
    }
  });

  it('serves Redoc from its npm package and starts it on /openapi.json in hookd\'s colours', async () => {
    const bundle = await fetch(`${server.url}/docs/redoc.standalone.js`);
    expect(bundle.headers.get('content-type')).toBe('application/javascript; charset=utf-8');
    const served = await bundle.text();
    // The package's bundle as it is, but for the one CDN address it would load (its logo).
    const packaged = readFileSync(REDOC_BUNDLE, 'utf8');
    expect(served.length).toBeGreaterThan(500_000);
    expect(served).toBe(packaged.split(REDOC_CDN_LOGO).join('data:,'));
    expect(served).not.toContain('cdn.redoc.ly');
    const init = await (await fetch(`${server.url}/docs/init.js`)).text();
    expect(init).toContain("Redoc.init('/openapi.json'");
    expect(init).toContain('#4f46e5');
  });

  it('is served under a policy that allows this origin only, and never framed', async () => {
    const response = await fetch(`${server.url}/docs`);
    const policy = response.headers.get('content-security-policy')!;
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("script-src 'self';");
    expect(policy).toContain("connect-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toContain('unsafe-eval');
    expect(policy).not.toMatch(/https?:/);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
  });

  it('sends the old Swagger UI address /docs/ to the reference', async () => {
    const response = await fetch(`${server.url}/docs/`, { redirect: 'manual' });
    expect(response.status).toBe(301);
    expect(response.headers.get('location')).toBe('/docs');
  });
});
