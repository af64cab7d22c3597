import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attemptsOf, RABBITMQ_URL, REDIS_URL, settledDelivery, streamEntryFields, uniqueName, verifiedBody } from '../support/brokers.js';
import { postEvent } from '../support/fixtures.js';
import { startServer, type TestServer } from '../support/server.js';
import { launchBrowser, requireChromium, signIn, type TestBrowser } from './browser.js';

// Broker destinations through the editor, in a real browser against the machine's brokers: an
// admin builds a Redis Streams endpoint (the preview shows the XADD and its stream, the password
// goes in its own write-only field and is never shown back), its test send and a real event are
// acknowledged and read back from the stream, the attempt page says where the message went, and an
// edit keeps the stored password; a customer in the portal builds a RabbitMQ endpoint whose message
// no queue is bound for, and sees the attempt fail as `unroutable`.

describe('broker destinations in the dashboard and the portal', { timeout: 90_000 }, () => {
  let server: TestServer;
  let browser: TestBrowser;
  let redis: Redis;
  const prefix = uniqueName('hookd-ui-');
  const PASSWORD = 'ui-s3cret-never-shown';

  beforeAll(async () => {
    requireChromium();
    redis = new Redis(REDIS_URL);
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    const typed = await server.request('POST', '/v1/event-types', { name: 'order.created', description: 'An order was placed', examples: [{ orderId: 7, shop: 'lyon' }] });
    expect(typed.status).toBe(201);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis?.quit();
  });

  it('creates a Redis Streams endpoint whose password is write-only, and sees its test send and an event acknowledged and in the stream', async () => {
    const page = await browser.newPage();
    const sentBodies: string[] = [];
    page.on('request', (request) => {
      // Creates and updates (the preview carries the password too, to the same server, and keeps nothing).
      const path = new URL(request.url()).pathname;
      if (/^\/v1\/endpoints(\/ep_[^/]+)?$/.test(path) && ['POST', 'PATCH'].includes(request.method())) sentBodies.push(request.postData() ?? '');
    });
    await signIn(page, server.url, server.adminKey);
    await page.getByRole('link', { name: 'New endpoint' }).click();
    await page.getByRole('heading', { level: 1, name: 'New endpoint' }).waitFor();

    await page.getByLabel('Deliver to').selectOption('redis');
    // What means nothing to a broker is not offered: the method, query parameters, receiver auth.
    expect(await page.getByLabel('Method').count()).toBe(0);
    expect(await page.getByRole('button', { name: '+ Add query parameter' }).count()).toBe(0);
    expect(await page.getByLabel('Authenticate to the receiver with').count()).toBe(0);

    await page.getByLabel('Broker URL').fill('redis://default@127.0.0.1:6379/0');
    await page.getByLabel('Broker password').fill(PASSWORD);
    await page.getByLabel('Title').fill('Order stream');
    await page.getByRole('radio', { name: 'Only the ones I choose' }).check();
    await page.getByRole('checkbox', { name: /order\.created/ }).check();
    // The field picker inserts into the stream name like into a header value.
    const stream = page.getByLabel('Stream', { exact: true });
    await stream.fill(`${prefix}`);
    await stream.click();
    await stream.press('End');
    await page.locator('button.param[data-param="shop"]').click();
    await expect.poll(() => stream.inputValue()).toBe(`${prefix}{{data.shop}}`);
    await page.getByLabel('Keep about (entries)').fill('500');

    // The preview is the message: XADD to the rendered stream, the URL without its password.
    const requestLine = page.getByTestId('preview-request-line');
    await expect.poll(() => requestLine.textContent()).toBe(`XADD redis://default@127.0.0.1:6379/0#${prefix}lyon`);
    await expect.poll(() => page.getByTestId('preview').getByTestId('broker-target').textContent()).toBe(`Redis stream ${prefix}lyon`);
    await expect.poll(() => page.getByTestId('preview').textContent()).toContain('webhook-signature');

    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByRole('heading', { level: 1, name: 'Order stream' }).waitFor();
    const stored = (await server.request('GET', '/v1/endpoints')).body.data.find((e: { title: string }) => e.title === 'Order stream');
    expect(stored).toMatchObject({ url: 'redis://default@127.0.0.1:6379/0', method: 'POST', queryParams: {}, auth: null, destination: { type: 'redis', stream: `${prefix}{{data.shop}}`, maxLen: 500 } });
    // The password went out once, in the create, and is shown nowhere after.
    expect(sentBodies.filter((body) => body.includes(PASSWORD))).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(PASSWORD);
    expect(await page.textContent('body')).not.toContain(PASSWORD);
    const configuration = page.locator('.card', { hasText: 'Configuration' });
    await expect.poll(() => configuration.textContent()).toContain(`Redis stream ${prefix}{{data.shop}}, about 500 entries kept`);
    expect(await configuration.textContent()).toContain("the broker URL's credentials");
    expect(await configuration.getByRole('heading', { name: 'Query parameters' }).count()).toBe(0);

    // A test send is published and acknowledged: in the stream, signed with the endpoint's secret.
    await page.getByRole('button', { name: 'Send test' }).click();
    const result = page.getByTestId('test-result');
    await expect.poll(() => result.textContent()).toContain('succeeded');
    await expect.poll(() => result.textContent()).toContain('acknowledged');
    const secret = (await server.request('GET', `/v1/endpoints/${stored.id}/secret`)).body.secret as string;
    const tested = await redis.xrange(`${prefix}lyon`, '-', '+');
    expect(tested).toHaveLength(1);
    const fields = streamEntryFields(tested[0]![1]);
    const { body, ...headers } = fields;
    expect(verifiedBody(secret, headers, body!)).toMatchObject({ type: 'order.created', data: { orderId: 7, shop: 'lyon' } });

    // A real event: its delivery succeeds, and its attempt page says where the message went.
    const { id } = await postEvent(server, { type: 'order.created', payload: { orderId: 8, shop: 'nantes' } });
    const delivery = await settledDelivery(server, id, 'succeeded');
    const [attempt] = await attemptsOf(server, delivery.id);
    expect(await redis.xlen(`${prefix}nantes`)).toBe(1);
    await page.goto(`${server.url}/deliveries/${delivery.id}`);
    const attempts = page.getByTestId('attempts');
    await expect.poll(() => attempts.textContent()).toContain('acknowledged');
    const request = page.getByTestId('attempt-request').first();
    expect(await request.locator('.request-line').textContent()).toBe(`XADD redis://default@127.0.0.1:6379/0#${prefix}nantes`);
    expect(await request.getByTestId('broker-target').textContent()).toBe(`Redis stream ${prefix}nantes`);
    expect(await request.textContent()).toContain('Message headers');
    // The broker's answer: the entry id XADD returned.
    await expect.poll(() => attempts.textContent()).toContain("The broker's answer");
    expect(await attempts.textContent()).toContain(attempt!.responseBody as string);
    expect(await page.textContent('body')).not.toContain(PASSWORD);

    // An edit shows no password and, left empty, saves the URL without one: the stored one stays.
    await page.goto(`${server.url}/endpoints/${stored.id}/edit`);
    const password = page.getByLabel('Broker password');
    await password.waitFor();
    expect(await password.inputValue()).toBe('');
    expect(await password.getAttribute('placeholder')).toBe('(password set)');
    expect(await page.getByLabel('Broker URL').inputValue()).toBe('redis://default@127.0.0.1:6379/0');
    await page.getByLabel('Keep about (entries)').fill('1000');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Changes saved.').waitFor();
    const patch = JSON.parse(sentBodies.at(-1)!) as Record<string, unknown>;
    expect(patch).toMatchObject({ url: 'redis://default@127.0.0.1:6379/0', destination: { type: 'redis', maxLen: 1000 } });
    expect((await server.request('GET', `/v1/endpoints/${stored.id}`)).body.destination).toEqual({ type: 'redis', stream: `${prefix}{{data.shop}}`, maxLen: 1000, hasPassword: true });
    await page.getByRole('button', { name: 'Send test' }).click();
    await expect.poll(() => page.getByTestId('test-result').textContent()).toContain('acknowledged');
    expect(await redis.xlen(`${prefix}lyon`)).toBe(2);
    // The endpoints list names the broker where an HTTP endpoint shows its method.
    await page.getByRole('link', { name: 'Endpoints' }).first().click();
    await expect.poll(() => page.getByTestId('endpoints-table').locator('tr', { hasText: 'Order stream' }).textContent()).toContain('Redis');
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it('lets a customer build a RabbitMQ endpoint in the portal, and shows a message no queue is bound for as unroutable', async () => {
    const session = await server.request('POST', '/v1/accounts/acme/portal-sessions', {});
    expect(session.status).toBe(201);
    const portal = await browser.newPage();
    await portal.goto(server.url + session.body.url);
    await portal.getByRole('heading', { level: 1, name: 'Endpoints' }).waitFor();
    await portal.getByRole('link', { name: 'New endpoint' }).click();
    await portal.getByLabel('Deliver to').selectOption('rabbitmq');
    const { username, password, host } = new URL(RABBITMQ_URL);
    await portal.getByLabel('Broker URL').fill(`amqp://${username}@${host}`);
    await portal.getByLabel('Broker password').fill(password);
    await portal.getByLabel('Title').fill('Order exchange');
    // amq.topic exists on every broker; nothing binds this routing key.
    const routingKey = uniqueName('hookd.ui.');
    await portal.getByLabel('Exchange').fill('amq.topic');
    await portal.getByLabel('Routing key').fill(`${routingKey}.{{event.type}}`);
    await expect.poll(() => portal.getByTestId('preview-request-line').textContent()).toMatch(new RegExp(`^PUBLISH amqp://${username}@${host.replace(/\./g, '\\.')}/?#amq\\.topic/${routingKey.replace(/\./g, '\\.')}\\.`));
    await portal.getByRole('button', { name: 'Create endpoint' }).click();
    await portal.getByRole('heading', { level: 1, name: 'Order exchange' }).waitFor();
    const [stored] = (await server.request('GET', '/v1/endpoints?accountId=acme')).body.data;
    expect(stored).toMatchObject({ accountId: 'acme', destination: { type: 'rabbitmq', exchange: 'amq.topic', routingKey: `${routingKey}.{{event.type}}` } });

    await portal.getByRole('button', { name: 'Send test' }).click();
    const result = portal.getByTestId('test-result');
    await expect.poll(() => result.textContent()).toContain('unroutable');
    await result.getByRole('link', { name: 'View delivery' }).click();
    const request = portal.getByTestId('attempt-request').first();
    await expect.poll(() => request.getByTestId('broker-target').textContent()).toMatch(new RegExp(`^RabbitMQ exchange amq\\.topic, routing key ${routingKey.replace(/\./g, '\\.')}\\.`));
    await expect.poll(() => portal.getByTestId('attempts').textContent()).toContain("The broker's error (unroutable)");
    expect(await portal.textContent('body')).not.toContain(`:${password}@`);
    expect(portal.errors).toEqual([]);
    await portal.close();
  });
});

