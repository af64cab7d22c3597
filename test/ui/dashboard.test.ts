import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, postEvent } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServer, type TestServer } from '../support/server.js';
import { launchBrowser, requireChromium, signIn, type TestBrowser } from './browser.js';

// The dashboard and the portal in a real browser against the real server: sign in, build an
// endpoint with the editor while the live preview follows, send a test to a loopback receiver,
// open a customer's portal (alone, themed, and framed in another site's page).

describe('the web dashboard and portal', { timeout: 90_000 }, () => {
  let server: TestServer;
  let receiver: Receiver;
  let browser: TestBrowser;
  let embedder: Server;
  let embedderUrl: string;
  /** The page the embedder serves: an iframe of whatever `?src=` names. */
  const framePage = (src: string) => `${embedderUrl}/?src=${encodeURIComponent(src)}`;

  beforeAll(async () => {
    // Without a browser the suite stops here, before anything else was started.
    requireChromium();
    [server, receiver, browser] = await Promise.all([startServer(), startReceiver(), launchBrowser()]);
    const created = await server.request('POST', '/v1/event-types', {
      name: 'call.incoming',
      description: 'A call reached the PBX',
      examples: [{ callId: 'c-42', from: '+33 1 23 45 67 89' }],
    });
    expect(created.status).toBe(201);
    // Another site (another origin: another port) that embeds a page in an iframe.
    embedder = createServer((request, response) => {
      const src = new URL(request.url ?? '/', 'http://x').searchParams.get('src') ?? '';
      const escaped = src.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
      response.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>Provider app</title><h1>Provider app</h1><iframe src="${escaped}" title="Webhooks" width="1200" height="700"></iframe>`);
    });
    await new Promise<void>((resolve) => embedder.listen(0, '127.0.0.1', resolve));
    embedderUrl = `http://127.0.0.1:${(embedder.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await browser?.close();
    // Only when it was made: `embedder?.close(resolve)` on a beforeAll that failed early never calls resolve.
    if (embedder) await new Promise((resolve) => embedder.close(resolve));
    await receiver?.close();
    await server?.close();
  });

  it('refuses a wrong key, signs in with the admin key kept in sessionStorage only, and signs out', async () => {
    const page = await browser.newPage();
    await page.goto(server.url + '/');
    await page.getByLabel('Admin key').fill('hk_admin_not-a-real-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('.field-error').textContent()).toContain('the key is not valid');

    await page.getByLabel('Admin key').fill(server.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Endpoints' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/endpoints');
    expect(await page.evaluate("sessionStorage.getItem('hookd.dashboard.key')")).toBe(server.adminKey);
    expect(await page.evaluate('localStorage.length')).toBe(0);

    // A reload keeps the session of this tab.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Endpoints' }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin key').waitFor();
    expect(await page.evaluate("sessionStorage.getItem('hookd.dashboard.key')")).toBeNull();
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it('creates a GET endpoint with query parameters and a text template, the preview following each edit, and sends a test that succeeds', async () => {
    const page = await browser.newPage();
    await signIn(page, server.url, server.adminKey);
    await page.getByRole('link', { name: 'New endpoint' }).click();
    await page.getByRole('heading', { level: 1, name: 'New endpoint' }).waitFor();
    const requestLine = page.getByTestId('preview-request-line');

    await page.getByLabel('URL', { exact: true }).fill(`${receiver.url}/crm`);
    await page.getByLabel('Title').fill('CRM lookup');
    await page.getByLabel('Method').selectOption('GET');
    await page.getByRole('radio', { name: 'Only the ones I choose' }).check();
    await page.getByRole('checkbox', { name: /call\.incoming/ }).check();
    await expect.poll(() => requestLine.textContent()).toBe(`GET ${receiver.url}/crm`);

    await page.getByRole('button', { name: '+ Add query parameter' }).click();
    await page.getByLabel('Query parameters: name 1').fill('src');
    await page.getByLabel('Query parameters: value 1').fill('hookd');
    await expect.poll(() => requestLine.textContent()).toBe(`GET ${receiver.url}/crm?src=hookd`);

    // The field picker inserts the event type's parameter at the cursor of the focused value.
    await page.getByRole('button', { name: '+ Add query parameter' }).click();
    await page.getByLabel('Query parameters: name 2').fill('call');
    await page.getByLabel('Query parameters: value 2').click();
    await page.locator('button.param[data-param="callId"]').click();
    await expect.poll(() => page.getByLabel('Query parameters: value 2').inputValue()).toBe('{{data.callId}}');
    await expect.poll(() => requestLine.textContent()).toBe(`GET ${receiver.url}/crm?src=hookd&call=c-42`);

    // A text template: a GET carries no body, the same definition as a POST does.
    await page.getByRole('radio', { name: /^Text/ }).check();
    const template = page.getByLabel('Template', { exact: true });
    await template.fill('Call  from {{data.from}}');
    await template.click();
    await template.press('Home');
    for (let i = 0; i < 'Call '.length; i++) await template.press('ArrowRight');
    await page.locator('button.param[data-param="callId"]').click();
    await expect.poll(() => template.inputValue()).toBe('Call {{data.callId}} from {{data.from}}');
    await expect.poll(() => page.getByTestId('preview').textContent()).toContain('No body (GET)');
    await page.getByLabel('Method').selectOption('POST');
    await expect.poll(() => requestLine.textContent()).toBe(`POST ${receiver.url}/crm?src=hookd&call=c-42`);
    await expect.poll(() => page.getByTestId('preview-body').textContent()).toBe('Call c-42 from +33 1 23 45 67 89');
    await expect.poll(() => page.getByTestId('preview').textContent()).toContain('text/plain');
    await page.getByLabel('Method').selectOption('GET');
    await expect.poll(() => requestLine.textContent()).toBe(`GET ${receiver.url}/crm?src=hookd&call=c-42`);

    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByRole('heading', { level: 1, name: 'CRM lookup' }).waitFor();
    await page.getByText('Endpoint created.').waitFor();
    const stored = (await server.request('GET', '/v1/endpoints')).body.data.find((e: { title: string }) => e.title === 'CRM lookup');
    expect(stored).toMatchObject({
      method: 'GET',
      eventTypes: ['call.incoming'],
      queryParams: { src: 'hookd', call: '{{data.callId}}' },
      body: { format: 'text', template: 'Call {{data.callId}} from {{data.from}}' },
    });

    await page.getByRole('button', { name: 'Send test' }).click();
    const result = page.getByTestId('test-result');
    await expect.poll(() => result.textContent()).toContain('succeeded');
    await expect.poll(() => result.textContent()).toContain('HTTP 200');
    const received = receiver.requestsTo('/crm');
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'GET', url: '/crm?src=hookd&call=c-42' });

    // The delivery page shows the attempt's request headers and the response.
    await result.getByRole('link', { name: 'View delivery' }).click();
    await page.getByText('Attempt 1').waitFor();
    const attempts = page.getByTestId('attempts');
    await expect.poll(() => attempts.textContent()).toContain('webhook-signature');
    await expect.poll(() => attempts.textContent()).toContain('HTTP 200');
    await expect.poll(() => attempts.textContent()).toContain(received[0]!.headers['webhook-id'] as string);
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it('opens a portal link that shows only that account\'s endpoints and deliveries, never another\'s or the provider\'s', async () => {
    await createEndpoint(server, { url: `${receiver.url}/acme`, title: 'Acme CRM', eventTypes: ['call.incoming'], accountId: 'acme' });
    await createEndpoint(server, { url: `${receiver.url}/globex`, title: 'Globex ERP', eventTypes: ['call.incoming'], accountId: 'globex' });
    await createEndpoint(server, { url: `${receiver.url}/provider`, title: 'Provider archive', eventTypes: ['call.incoming'] });

    const dashboard = await browser.newPage();
    await signIn(dashboard, server.url, server.adminKey);
    await dashboard.getByRole('link', { name: 'Accounts' }).click();
    const row = dashboard.locator('tr[data-account="acme"]');
    await row.getByRole('button', { name: 'Open portal' }).click();
    const link = await dashboard.getByLabel('Portal link').inputValue();
    expect(link).toMatch(new RegExp(`^${server.url}/portal#token=hk_account_`));
    const token = decodeURIComponent(link.split('#token=')[1]!);

    const portal = await browser.newPage();
    await portal.goto(link);
    await portal.getByRole('heading', { level: 1, name: 'Endpoints' }).waitFor();
    const table = portal.getByTestId('endpoints-table');
    await expect.poll(() => table.textContent()).toContain('Acme CRM');
    for (const foreign of ['Globex ERP', 'Provider archive', 'CRM lookup']) expect(await table.textContent()).not.toContain(foreign);
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
    // The token left the address bar (no history, bookmark or copy of it) and lives in this tab only.
    expect(portal.url()).toBe(`${server.url}/portal/endpoints`);
    expect(await portal.evaluate("sessionStorage.getItem('hookd.portal.token')")).toBe(token);
    // No account controls in the portal.
    await expect.poll(() => portal.getByRole('link', { name: 'Accounts' }).count()).toBe(0);
    await expect.poll(() => portal.getByRole('link', { name: 'Operations' }).count()).toBe(0);
    // The customer adds an endpoint with the same editor: it is theirs, whatever they could type.
    await portal.getByRole('link', { name: 'New endpoint' }).click();
    await portal.getByLabel('URL', { exact: true }).fill(`${receiver.url}/acme-self-service`);
    await portal.getByLabel('Title').fill('Added in the portal');
    await expect.poll(() => portal.getByTestId('preview-request-line').textContent()).toBe(`POST ${receiver.url}/acme-self-service`);
    expect(await portal.getByLabel('Account').count()).toBe(0);
    await portal.getByRole('button', { name: 'Create endpoint' }).click();
    await portal.getByRole('heading', { level: 1, name: 'Added in the portal' }).waitFor();
    const added = (await server.request('GET', '/v1/endpoints?limit=250')).body.data.find((e: { title: string }) => e.title === 'Added in the portal');
    expect(added.accountId).toBe('acme');

    await portal.getByRole('link', { name: 'Event catalog' }).click();
    await expect.poll(() => portal.getByTestId('catalog-table').textContent()).toContain('call.incoming');

    // Deliveries: the account's own, never another account's or a provider-level endpoint's.
    await postEvent(server, { type: 'call.incoming', payload: { callId: 'acme-call' }, accountId: 'acme' });
    await postEvent(server, { type: 'call.incoming', payload: { callId: 'globex-call' }, accountId: 'globex' });
    await portal.getByRole('link', { name: 'Deliveries' }).click();
    const deliveries = portal.getByTestId('deliveries-table');
    await expect.poll(() => deliveries.textContent()).toContain(`${receiver.url}/acme`);
    for (const foreign of [`${receiver.url}/globex`, `${receiver.url}/provider`]) expect(await deliveries.textContent()).not.toContain(foreign);
    expect(portal.errors).toEqual([]);
    expect(dashboard.errors).toEqual([]);
    await portal.close();
    await dashboard.close();
  });

  it('applies the accent colour and dark mode from the query string, and ignores values that are not', async () => {
    const { token } = (await server.request('POST', '/v1/accounts/acme/portal-sessions', {})).body;
    const page = await browser.newPage();
    await page.goto(`${server.url}/portal?accent=%23ff6600&theme=dark#token=${token}`);
    await page.getByRole('heading', { level: 1, name: 'Endpoints' }).waitFor();
    // Page expressions are strings: they run in the browser, whose DOM types the tests do not load.
    const theme = await page.evaluate(`({
      accent: getComputedStyle(document.documentElement).getPropertyValue('--accent').trim(),
      mode: document.documentElement.dataset.theme,
      button: getComputedStyle(document.querySelector('.btn-primary')).backgroundColor,
      background: getComputedStyle(document.body).backgroundColor,
    })`);
    expect(theme).toEqual({ accent: '#ff6600', mode: 'dark', button: 'rgb(255, 102, 0)', background: 'rgb(14, 17, 23)' });
    // The theme survives navigating inside the portal and reloading a page whose URL has no query.
    await page.getByRole('link', { name: 'Deliveries' }).click();
    await page.getByRole('heading', { level: 1, name: 'Deliveries' }).waitFor();
    expect(new URL(page.url()).search).toBe('');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Deliveries' }).waitFor();
    expect(await page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()")).toBe('#ff6600');

    const hostile = await browser.newPage();
    await hostile.goto(`${server.url}/portal?accent=${encodeURIComponent('red;}body{background:url(//x)')}&theme=blue#token=${token}`);
    await hostile.getByRole('heading', { level: 1, name: 'Endpoints' }).waitFor();
    const ignored = await hostile.evaluate(`({
      inline: document.documentElement.getAttribute('style'),
      mode: document.documentElement.dataset.theme ?? null,
    })`);
    expect(ignored).toEqual({ inline: null, mode: null });
    expect([...page.errors, ...hostile.errors]).toEqual([]);
    await page.close();
    await hostile.close();
  });

  it('works framed in another site\'s page, while the dashboard refuses to be framed', async () => {
    const { url } = (await server.request('POST', '/v1/accounts/acme/portal-sessions', {})).body;
    const page = await browser.newPage();
    await page.goto(framePage(url.replace('/portal#', '/portal?accent=%230f766e#')));
    const frame = page.frameLocator('iframe[title="Webhooks"]');
    await frame.getByRole('heading', { level: 1, name: 'Endpoints' }).waitFor();
    await expect.poll(() => frame.getByTestId('endpoints-table').textContent()).toContain('Acme CRM');
    expect(await frame.getByTestId('endpoints-table').textContent()).not.toContain('Globex ERP');
    // Working inside the frame: open the endpoint, its page loads there.
    await frame.getByRole('link', { name: 'Acme CRM' }).click();
    await frame.getByRole('heading', { level: 1, name: 'Acme CRM' }).waitFor();
    expect(page.errors).toEqual([]);

    const framed = await browser.newPage();
    const blocked = framed.waitForEvent('console', (message) => message.text().includes('frame-ancestors'));
    await framed.goto(framePage(server.url + '/'));
    await blocked;
    const child = framed.frames().find((f) => f !== framed.mainFrame());
    expect(await child?.locator('#root').count().catch(() => 0)).toBe(0);
    await page.close();
    await framed.close();
  });
});
