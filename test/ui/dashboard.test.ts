import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, postEvent } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';
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

    // A text template is a body: it is offered for a POST, and a GET, which carries none, hides it.
    await page.getByLabel('Method').selectOption('POST');
    await page.getByRole('radio', { name: /^Text/ }).check();
    const template = page.getByLabel('Template', { exact: true });
    await template.fill('Call  from {{data.from}}');
    await template.click();
    await template.press('Home');
    for (let i = 0; i < 'Call '.length; i++) await template.press('ArrowRight');
    await page.locator('button.param[data-param="callId"]').click();
    await expect.poll(() => template.inputValue()).toBe('Call {{data.callId}} from {{data.from}}');
    await expect.poll(() => requestLine.textContent()).toBe(`POST ${receiver.url}/crm?src=hookd&call=c-42`);
    await expect.poll(() => page.getByTestId('preview-body').textContent()).toBe('Call c-42 from +33 1 23 45 67 89');
    await expect.poll(() => page.getByTestId('preview').textContent()).toContain('text/plain');
    await page.getByLabel('Method').selectOption('GET');
    await expect.poll(() => requestLine.textContent()).toBe(`GET ${receiver.url}/crm?src=hookd&call=c-42`);
    await expect.poll(() => page.getByTestId('preview').textContent()).toContain('No body (GET)');
    expect(await page.getByLabel('Template', { exact: true }).count()).toBe(0);
    expect(await page.getByRole('radio', { name: /^Text/ }).count()).toBe(0);
    expect(await page.getByRole('radio', { name: /^No body/ }).isChecked()).toBe(true);

    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByRole('heading', { level: 1, name: 'CRM lookup' }).waitFor();
    await page.getByText('Endpoint created.').waitFor();
    const stored = (await server.request('GET', '/v1/endpoints')).body.data.find((e: { title: string }) => e.title === 'CRM lookup');
    expect(stored).toMatchObject({
      method: 'GET',
      eventTypes: ['call.incoming'],
      queryParams: { src: 'hookd', call: '{{data.callId}}' },
      body: { format: 'standard' },
    });

    await page.getByRole('button', { name: 'Send test' }).click();
    const result = page.getByTestId('test-result');
    await expect.poll(() => result.textContent()).toContain('succeeded');
    await expect.poll(() => result.textContent()).toContain('HTTP 200');
    // The send refreshes the endpoint's health: one attempt, said so, on an axis of whole numbers.
    const chart = page.getByTestId('attempts-chart');
    await expect.poll(() => chart.getAttribute('aria-label')).toMatch(/^1 attempt in the last 24 hours/);
    expect(await chart.getByTestId('axis').locator('text').allTextContents()).toEqual(['0', '1']);
    await expect.poll(() => page.locator('.stat-group', { hasText: 'Last hour' }).textContent()).toContain('1attempt');
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
    // The full request: its line as sent, and (a GET) no body.
    const request = page.getByTestId('attempt-request').first();
    await expect.poll(() => request.locator('.request-line').textContent()).toBe(`GET ${receiver.url}/crm?src=hookd&call=c-42`);
    expect(await request.textContent()).toContain('None (GET)');
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
    // The account's callback secret, revealed on demand: the one its callbacks are signed with.
    await row.getByRole('button', { name: 'Callback secret' }).click();
    const shownSecret = await dashboard.getByTestId('callback-secret').locator('code').textContent();
    expect(shownSecret).toBe((await server.request('GET', '/v1/accounts/acme/callback-secret')).body.secret);

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
    // Relative without HOOKD_PUBLIC_URL: completed with the server's origin, as a browser would.
    const url = server.url + (await server.request('POST', '/v1/accounts/acme/portal-sessions', {})).body.url;
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

  it('follows a retry and a replay to their outcome without a refresh', async () => {
    // Retries off and a 500: the delivery is dropped after one attempt. Then the receiver recovers.
    let healthy = false;
    receiver.script('/flaky', () => (healthy ? { status: 200, body: 'ok' } : { status: 500, body: 'down' }));
    // A type of its own, so that no other test's endpoint hears these events.
    expect((await server.request('POST', '/v1/event-types', { name: 'call.missed' })).status).toBe(201);
    const endpoint = await createEndpoint(server, { url: `${receiver.url}/flaky`, title: 'Flaky receiver', eventTypes: ['call.missed'], retry: { enabled: false } });
    const { id: eventId } = await postEvent(server, { type: 'call.missed', payload: { callId: 'flaky-1' } });
    await waitFor(async () => (await server.request('GET', `/v1/deliveries?endpointId=${endpoint.id}`)).body.data[0]?.status === 'dropped');
    const [dropped] = (await server.request('GET', `/v1/deliveries?endpointId=${endpoint.id}`)).body.data;

    const page = await browser.newPage();
    await signIn(page, server.url, server.adminKey);
    await page.goto(`${server.url}/deliveries/${dropped.id}`);
    await page.getByRole('heading', { level: 1, name: `Delivery ${dropped.id}` }).waitFor();
    const status = page.locator('.page-header .badge').first();
    await expect.poll(() => status.textContent()).toBe('dropped');
    // The delivery names its endpoint by title.
    await expect.poll(() => page.locator('.details').textContent()).toContain('Flaky receiver');
    healthy = true;
    await page.getByRole('button', { name: 'Retry now' }).click();
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).toBe('succeeded');
    await expect.poll(() => page.getByTestId('delivery-attempts').textContent()).toBe('2');
    await expect.poll(() => page.getByTestId('attempts').locator('details.attempt').count()).toBe(2);
    // Each attempt shows the body it sent.
    await expect.poll(() => page.getByTestId('attempt-request').first().textContent()).toContain('flaky-1');

    // A replay makes new deliveries; the event page shows them reach their outcome.
    healthy = false;
    await page.goto(`${server.url}/events/${eventId}`);
    const deliveries = page.getByTestId('event-deliveries');
    await expect.poll(() => deliveries.locator('tbody tr').count()).toBe(1);
    await page.getByRole('button', { name: 'Replay' }).click();
    await page.getByRole('button', { name: 'Yes, replay' }).click();
    await page.getByText('Replayed as 1 new delivery.').waitFor();
    await expect.poll(() => deliveries.locator('tbody tr').count()).toBe(2);
    // The first delivery succeeded on its retry; the replay's new one is dropped, shown without a refresh.
    await expect.poll(async () => (await deliveries.locator('tbody tr .badge').allTextContents()).sort(), { timeout: 10_000 }).toEqual(['dropped', 'succeeded']);
    // Titles, not URLs, name the endpoint in the table.
    expect(await deliveries.textContent()).toContain('Flaky receiver');

    // The deliveries page filters by an endpoint chosen by its title.
    await page.getByRole('link', { name: 'Deliveries' }).click();
    await page.getByLabel('Endpoint', { exact: true }).selectOption({ label: `Flaky receiver — ${receiver.url}/flaky` });
    await expect.poll(() => new URL(page.url()).searchParams.get('endpointId')).toBe(endpoint.id);
    await expect.poll(() => page.getByTestId('deliveries-table').locator('tbody tr').count()).toBe(2);
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it('recovers failed deliveries from the endpoint page and shows them succeed without a refresh', async () => {
    let healthy = false;
    receiver.script('/outage', () => (healthy ? { status: 200, body: 'ok' } : { status: 503, body: 'down' }));
    expect((await server.request('POST', '/v1/event-types', { name: 'call.recovered' })).status).toBe(201);
    // Two attempts a second apart, then failed.
    const endpoint = await createEndpoint(server, { url: `${receiver.url}/outage`, title: 'Outage receiver', eventTypes: ['call.recovered'], retry: { schedule: 'custom', delaysSeconds: [1] } });
    await postEvent(server, { type: 'call.recovered', payload: { callId: 'outage-1' } });
    await waitFor(async () => (await server.request('GET', `/v1/deliveries?endpointId=${endpoint.id}`)).body.data[0]?.status === 'failed');

    const page = await browser.newPage();
    await signIn(page, server.url, server.adminKey);
    await page.goto(`${server.url}/endpoints/${endpoint.id}`);
    await page.getByRole('heading', { level: 1, name: 'Outage receiver' }).waitFor();
    const latest = page.getByTestId('endpoint-deliveries');
    await expect.poll(() => latest.locator('tbody tr .badge').allTextContents()).toEqual(['failed']);
    healthy = true;
    await page.getByRole('button', { name: 'Recover' }).click();
    await page.getByText('1 failed delivery queued for a new attempt.').waitFor();
    await expect.poll(() => latest.locator('tbody tr .badge').allTextContents(), { timeout: 10_000 }).toEqual(['succeeded']);
    await expect.poll(() => page.getByTestId('attempts-chart').getAttribute('aria-label')).toMatch(/^3 attempts in the last 24 hours, 1 succeeded/);
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it('shows an endpoint paused by its receiver, why and until when, and resumes it with one click', async () => {
    receiver.script('/paused', (_request, index) => (index === 0 ? { status: 429, headers: { 'retry-after': '3600' } } : { status: 200, body: 'ok' }));
    expect((await server.request('POST', '/v1/event-types', { name: 'call.paused' })).status).toBe(201);
    const endpoint = await createEndpoint(server, { url: `${receiver.url}/paused`, title: 'Paused receiver', eventTypes: ['call.paused'], retry: { schedule: 'custom', delaysSeconds: [1] } });
    const { id } = await postEvent(server, { type: 'call.paused', payload: { callId: 'paused-1' } });
    await waitFor(async () => (await server.request('GET', `/v1/endpoints/${endpoint.id}`)).body.state.mode === 'paused');

    const page = await browser.newPage();
    await signIn(page, server.url, server.adminKey);
    await page.goto(`${server.url}/endpoints/${endpoint.id}`);
    await page.getByRole('heading', { level: 1, name: 'Paused receiver' }).waitFor();
    const banner = page.getByTestId('endpoint-paused');
    await expect.poll(() => banner.textContent()).toMatch(/^Paused until .+: 429 Retry-After 3600 s\./);
    await banner.getByRole('button', { name: 'Resume now' }).click();
    await expect.poll(() => banner.count()).toBe(0);
    expect((await server.request('GET', `/v1/endpoints/${endpoint.id}`)).body.state.mode).toBe('normal');
    // Resumed: the delivery that got the 429 goes on its own schedule, not an hour later.
    await waitFor(async () => (await server.request('GET', `/v1/deliveries?endpointId=${endpoint.id}&eventId=${id}`)).body.data[0]?.status === 'succeeded');
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it('shows an endpoint throttled by 429s without Retry-After, and to how many deliveries at a time', async () => {
    receiver.script('/throttled', [{ status: 429 }, { status: 200, body: 'ok' }]);
    expect((await server.request('POST', '/v1/event-types', { name: 'call.throttled' })).status).toBe(201);
    const endpoint = await createEndpoint(server, { url: `${receiver.url}/throttled`, title: 'Throttled receiver', eventTypes: ['call.throttled'], retry: { schedule: 'custom', delaysSeconds: [3600] } });
    await postEvent(server, { type: 'call.throttled', payload: { callId: 'throttled-1' } });
    const state = await waitFor(async () => {
      const found = (await server.request('GET', `/v1/endpoints/${endpoint.id}`)).body.state;
      return found.mode === 'throttled' ? found : undefined;
    });

    const page = await browser.newPage();
    await signIn(page, server.url, server.adminKey);
    await page.goto(`${server.url}/endpoints/${endpoint.id}`);
    await page.getByRole('heading', { level: 1, name: 'Throttled receiver' }).waitFor();
    await expect.poll(() => page.getByTestId('endpoint-throttled').textContent()).toContain(`Throttled to ${state.concurrency} deliveries at a time: 429 without Retry-After.`);
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it('switches an endpoint to ed25519 signing in the editor and shows its public key, a new one after a rotation', async () => {
    const endpoint = await createEndpoint(server, { url: `${receiver.url}/signed`, title: 'Signed receiver' });
    const page = await browser.newPage();
    await signIn(page, server.url, server.adminKey);
    await page.goto(`${server.url}/endpoints/${endpoint.id}`);
    await page.getByRole('heading', { level: 1, name: 'Signed receiver' }).waitFor();
    // HMAC only: no public key to show.
    expect(await page.getByTestId('public-keys').count()).toBe(0);

    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByLabel('Signing', { exact: true }).selectOption('both');
    await expect.poll(() => page.getByTestId('preview').textContent()).toMatch(/v1,\S+ v1a,/);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Changes saved.').waitFor();
    expect((await server.request('GET', `/v1/endpoints/${endpoint.id}`)).body.signing).toBe('both');

    const publicKey = (await server.request('GET', `/v1/endpoints/${endpoint.id}/secret`)).body.publicKey as string;
    const keys = page.getByTestId('public-keys');
    await expect.poll(() => keys.textContent()).toContain(publicKey);
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByRole('group', { name: 'Make a new secret and ed25519 key pair?' }).getByRole('button', { name: 'Yes, rotate secret' }).click();
    // The new key first, the old one still listed while it keeps signing.
    const rotated = await waitFor(async () => {
      const current = (await server.request('GET', `/v1/endpoints/${endpoint.id}/secret`)).body.publicKey as string;
      return current !== publicKey ? current : undefined;
    });
    await expect.poll(() => keys.locator('li code').allTextContents()).toEqual([rotated, publicKey]);
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it('orders an endpoint\'s deliveries in the editor, and shows what a waiting delivery waits for, its retry held', async () => {
    receiver.script('/ordered', [{ status: 500 }, { status: 200 }]);
    expect((await server.request('POST', '/v1/event-types', { name: 'order.placed' })).status).toBe(201);
    const endpoint = await createEndpoint(server, { url: `${receiver.url}/ordered`, title: 'Ordered receiver', eventTypes: ['order.placed'], retry: { schedule: 'custom', delaysSeconds: [3600] } });
    const page = await browser.newPage();
    await signIn(page, server.url, server.adminKey);
    await page.goto(`${server.url}/endpoints/${endpoint.id}`);
    await page.getByRole('heading', { level: 1, name: 'Ordered receiver' }).waitFor();
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByLabel('Ordering', { exact: true }).selectOption('fifo');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Changes saved.').waitFor();
    const saved = (await server.request('GET', `/v1/endpoints/${endpoint.id}`)).body;
    // Saving kept the custom schedule exact (its jitter default, off).
    expect([saved.ordering, saved.retry.jitter]).toEqual(['fifo', false]);

    const first = await postEvent(server, { type: 'order.placed', orderingKey: 'order-7', payload: { step: 1 } });
    const second = await postEvent(server, { type: 'order.placed', orderingKey: 'order-7', payload: { step: 2 } });
    const firstDelivery = await waitFor(async () => {
      const found = (await server.request('GET', `/v1/deliveries?eventId=${first.id}`)).body.data[0];
      return found?.attempts === 1 ? found : undefined;
    });
    const secondDelivery = (await server.request('GET', `/v1/deliveries?eventId=${second.id}`)).body.data[0];
    await page.goto(`${server.url}/deliveries/${secondDelivery.id}`);
    const waitingFor = page.getByTestId('delivery-blocked-by');
    await expect.poll(() => waitingFor.textContent()).toContain(firstDelivery.id);
    expect(await page.getByRole('button', { name: 'Retry now' }).isDisabled()).toBe(true);
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it('edits an endpoint\'s authentication: the stored secret is never shown, kept when left empty, replaced when typed', async () => {
    const endpoint = await createEndpoint(server, { url: `${receiver.url}/authed`, title: 'Authed receiver', auth: { type: 'bearer', token: 'stored-token-1' } });
    const page = await browser.newPage();
    await signIn(page, server.url, server.adminKey);
    await page.goto(`${server.url}/endpoints/${endpoint.id}`);
    await page.getByRole('heading', { level: 1, name: 'Authed receiver' }).waitFor();
    await page.getByRole('link', { name: 'Edit' }).click();
    const kind = page.getByLabel('Authenticate to the receiver with');
    await expect.poll(() => kind.inputValue()).toBe('bearer');
    const token = page.getByLabel('Token', { exact: true });
    expect(await token.inputValue()).toBe('');
    expect(await token.getAttribute('type')).toBe('password');
    expect(await page.content()).not.toContain('stored-token-1');

    // Saved without typing the token: the stored one is kept.
    await page.getByLabel('Title').fill('Authed receiver 2');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { level: 1, name: 'Authed receiver 2' }).waitFor();
    expect((await server.hookd.store.getEndpoint(endpoint.id))?.auth).toEqual({ type: 'bearer', token: 'stored-token-1' });

    // Another kind needs its secret: HTTP Basic with a password typed.
    await page.getByRole('link', { name: 'Edit' }).click();
    await kind.selectOption('basic');
    await page.getByLabel('Username').fill('hookd');
    await page.getByLabel('Password').fill('typed-password');
    await page.getByRole('button', { name: 'Save changes' }).click();
    // The title is unchanged, so the heading is no sign the save went through: wait for the store.
    await expect
      .poll(async () => (await server.hookd.store.getEndpoint(endpoint.id))?.auth)
      .toEqual({ type: 'basic', username: 'hookd', password: 'typed-password' });
    await expect.poll(() => page.getByText('HTTP Basic as hookd').count()).toBe(1);
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it('creates an account key shown once, lists it, and revokes it after a confirmation', async () => {
    const page = await browser.newPage();
    await signIn(page, server.url, server.adminKey);
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor();
    const form = page.getByRole('form', { name: 'Create a key' });
    await form.getByLabel('Kind').selectOption('account');
    await form.getByLabel('Account id').fill('initech');
    await form.getByLabel('Name').fill('Initech scripts');
    await form.getByRole('button', { name: 'Create key' }).click();
    const value = page.getByTestId('created-key-value');
    await expect.poll(() => value.textContent()).toMatch(/^hk_account_/);
    const key = (await value.textContent())!;
    const me = await fetch(`${server.url}/v1/me`, { headers: { authorization: `Bearer ${key}` } });
    expect(await me.json()).toMatchObject({ kind: 'account', accountId: 'initech', name: 'Initech scripts' });

    const row = page.getByTestId('keys-table').locator('tr', { hasText: 'Initech scripts' });
    await expect.poll(() => row.textContent()).toContain('initech');
    // Shown once: after Done, the clear key is nowhere on the page.
    await page.getByRole('button', { name: 'Done' }).click();
    // The click returns before React re-renders: wait for the banner to go, then read the page.
    await page.getByTestId('created-key').waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(key);

    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByRole('button', { name: 'Yes, revoke' }).click();
    await expect.poll(() => row.count()).toBe(0);
    expect((await fetch(`${server.url}/v1/me`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
    expect(page.errors).toEqual([]);
    await page.close();
  });
});

describe('the dashboard with the URL guard on, and a branded portal', { timeout: 90_000 }, () => {
  let server: TestServer;
  let browser: TestBrowser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startServer({
        HOOKD_ALLOW_PRIVATE_URLS: 'false',
        HOOKD_PORTAL_NAME: 'Acme Telecom',
        HOOKD_PORTAL_ACCENT: '#0f766e',
        HOOKD_PORTAL_EVENT_TYPES: 'call.*',
      }),
      launchBrowser(),
    ]);
    for (const name of ['call.incoming', 'billing.internal']) {
      expect((await server.request('POST', '/v1/event-types', { name, examples: [{ callId: 'c-1' }] })).status).toBe(201);
    }
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows problems only at fields the user touched, and a refused private URL at the URL field with the setting that allows it', async () => {
    const page = await browser.newPage();
    await signIn(page, server.url, server.adminKey);
    await page.getByRole('link', { name: 'New endpoint' }).click();
    await page.getByRole('heading', { level: 1, name: 'New endpoint' }).waitFor();
    const url = page.getByLabel('URL', { exact: true });
    const urlError = page.locator('.field', { has: url }).locator('.field-error');
    // Typed but not left: the preview already knows the address is refused, the field does not say so yet.
    await url.fill('http://127.0.0.1:9/hooks');
    await expect.poll(() => page.getByTestId('preview').textContent()).toContain('not allowed');
    expect(await urlError.count()).toBe(0);
    await page.getByLabel('Title').click();
    await expect.poll(() => urlError.textContent()).toContain('HOOKD_ALLOW_PRIVATE_URLS');

    // Saving from the bottom of the form brings the URL field and its reason into view.
    await page.getByLabel('Title').fill('Local receiver');
    await page.getByRole('button', { name: 'Create endpoint' }).scrollIntoViewIfNeeded();
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByText('Not saved.').waitFor();
    await expect.poll(() => urlError.textContent()).toContain('HOOKD_ALLOW_PRIVATE_URLS=true');
    await expect
      .poll(() => page.evaluate(`(() => { const r = document.activeElement.getBoundingClientRect(); return document.activeElement.type === 'url' && r.top >= 0 && r.bottom <= window.innerHeight; })()`))
      .toBe(true);
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it('shows customers the operator\'s name and colour, never hookd, and only the event types chosen for them', async () => {
    const signInPage = await browser.newPage();
    await signInPage.goto(`${server.url}/portal`);
    await signInPage.getByRole('heading', { level: 1, name: 'Acme Telecom: sign in' }).waitFor();
    expect(await signInPage.evaluate('document.body.innerText')).not.toMatch(/hookd/i);
    await signInPage.close();

    // Relative without HOOKD_PUBLIC_URL: completed with the server's origin, as a browser would.
    const url = server.url + (await server.request('POST', '/v1/accounts/acme/portal-sessions', {})).body.url;
    const page = await browser.newPage();
    await page.goto(url);
    await page.getByRole('heading', { level: 1, name: 'Endpoints' }).waitFor();
    await expect.poll(() => page.getByTestId('portal-brand').textContent()).toBe('Acme Telecom');
    expect(await page.title()).toBe('Acme Telecom');
    expect(await page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()")).toBe('#0f766e');
    expect(await page.evaluate('document.body.innerText')).not.toMatch(/hookd/i);

    await page.getByRole('link', { name: 'Event catalog' }).click();
    const catalog = page.getByTestId('catalog-table');
    await expect.poll(() => catalog.textContent()).toContain('call.incoming');
    expect(await catalog.textContent()).not.toContain('billing.internal');
    expect(await catalog.textContent()).not.toContain('hookd.');
    expect(await page.evaluate('document.body.innerText')).not.toMatch(/hookd/i);

    // The endpoint editor offers the same types only.
    await page.getByRole('link', { name: 'Endpoints' }).click();
    await page.getByRole('link', { name: 'New endpoint' }).click();
    await page.getByRole('radio', { name: 'Only the ones I choose' }).check();
    await page.getByRole('checkbox', { name: /call\.incoming/ }).waitFor();
    expect(await page.getByRole('checkbox', { name: /billing\.internal|hookd\./ }).count()).toBe(0);
    expect(page.errors).toEqual([]);
    await page.close();
  });
});
