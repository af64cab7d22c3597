import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.js';
import { launchBrowser, type TestBrowser } from './browser.js';

// /docs in a real browser: Redoc renders hookd's operations, under the page's Content-Security-
// Policy, and every request the page makes goes to hookd itself (or stays in the browser).

describe('the API reference in a browser', () => {
  let server: TestServer;
  let browser: TestBrowser;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('renders the operations from /openapi.json with nothing loaded from another origin', async () => {
    const page = await browser.newPage();
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    await page.goto(server.url + '/docs');
    await expect.poll(() => page.getByRole('heading', { name: 'Create an API key' }).isVisible()).toBe(true);
    await expect.poll(() => page.getByText('API docs by Redocly').isVisible()).toBe(true);
    await expect.poll(() => page.locator('.hookd-bar').textContent()).toContain('API reference');
    expect(requested).toEqual(expect.arrayContaining([`${server.url}/docs/redoc.standalone.js`, `${server.url}/openapi.json`]));
    expect(requested.filter((url) => !url.startsWith(server.url + '/') && !/^(data|blob):/.test(url))).toEqual([]);
    expect(page.errors).toEqual([]);
  });
});
