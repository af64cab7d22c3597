import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import { createEndpoint, createEventTypes, deliveriesOf, postEvent } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// /metrics after real traffic: a real server, a real receiver answering 200 and 500, and the
// counters checked for the exact amounts they must have moved by.

const METRICS_TOKEN = 'scrape-token-for-tests-0123456789';

type Samples = Map<string, number>;

/** Parses Prometheus text into `name{a="x",b="y"}` (labels sorted) → value. */
function parseExposition(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) throw new Error(`not a sample line: ${line}`);
    const labels = [...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)]
      .map(([, name, value]) => `${name}="${value}"`)
      .sort();
    samples.set(labels.length === 0 ? match[1]! : `${match[1]}{${labels.join(',')}}`, Number(match[3]));
  }
  return samples;
}

async function scrape(server: TestServer, token: string | null = METRICS_TOKEN): Promise<Samples> {
  const response = await fetch(`${server.url}/metrics`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await response.text());
}

/** A sample's value, 0 when the series does not exist yet (a counter that never moved). */
function value(samples: Samples, key: string): number {
  return samples.get(key) ?? 0;
}

describe('metrics after traffic', () => {
  let server: TestServer;
  let receiver: Receiver;
  let failingId: string;
  let okId: string;

  beforeAll(async () => {
    [server, receiver] = await Promise.all([startServer({ HOOKD_METRICS_TOKEN: METRICS_TOKEN }), startReceiver()]);
    await createEventTypes(server, 'order.paid', 'order.shipped');
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  it('counts events ingested, deliveries by outcome and endpoint, and attempts, by exactly what happened', async () => {
    receiver.script('/ok', [{ status: 200 }]);
    receiver.script('/fail', [{ status: 500, body: 'down' }]);
    receiver.script('/fail-once', [{ status: 503 }]);
    const ok = await createEndpoint(server, { url: `${receiver.url}/ok`, eventTypes: ['order.*'] });
    // Fails, and its retry is scheduled an hour later: it stays in the queue as `scheduled`.
    const failing = await createEndpoint(server, {
      url: `${receiver.url}/fail`,
      eventTypes: ['order.paid'],
      retry: { schedule: 'custom', delaysSeconds: [3600] },
    });
    // Fails with retries off: dropped at once.
    [okId, failingId] = [ok.id, failing.id];
    const noRetry = await createEndpoint(server, { url: `${receiver.url}/fail-once`, eventTypes: ['order.paid'], retry: { enabled: false } });

    const before = await scrape(server);

    const paid = 4;
    for (let i = 0; i < paid; i++) await postEvent(server, { type: 'order.paid', payload: { order: i }, id: `paid-${i}` });
    // An idempotent repeat stores nothing new and must not count.
    await postEvent(server, { type: 'order.paid', payload: { order: 0 }, id: 'paid-0' });
    const batch = await server.request('POST', '/v1/events/batch', {
      events: [1, 2, 3].map((i) => ({ type: 'order.shipped', payload: { order: i } })),
    });
    expect(batch.status).toBe(202);
    const shipped = 3;

    // Every delivery reaches the state its endpoint leads to.
    await waitFor(
      async () => {
        const list = (await server.request('GET', '/v1/deliveries?limit=250')).body.data as Array<{ endpointId: string; status: string; attempts: number }>;
        const count = (endpointId: string, status: string) =>
          list.filter((d) => d.endpointId === endpointId && d.status === status && d.attempts === 1).length;
        return count(ok.id, 'succeeded') === paid + shipped && count(failing.id, 'pending') === paid && count(noRetry.id, 'dropped') === paid;
      },
      { what: 'every delivery to be attempted once' },
    );

    const after = await scrape(server);
    const delta = (key: string) => value(after, key) - value(before, key);

    expect(delta('hookd_events_ingested_total{type="order.paid"}')).toBe(paid);
    expect(delta('hookd_events_ingested_total{type="order.shipped"}')).toBe(shipped);

    expect(delta(`hookd_deliveries_total{endpoint="${ok.id}",outcome="succeeded"}`)).toBe(paid + shipped);
    expect(delta(`hookd_deliveries_total{endpoint="${failing.id}",outcome="retrying"}`)).toBe(paid);
    expect(delta(`hookd_deliveries_total{endpoint="${noRetry.id}",outcome="dropped"}`)).toBe(paid);
    expect(delta(`hookd_deliveries_total{endpoint="${failing.id}",outcome="failed"}`)).toBe(0);

    const attempts = paid + shipped + paid + paid;
    expect(delta('hookd_attempts_total{result="2xx"}')).toBe(paid + shipped);
    expect(delta('hookd_attempts_total{result="5xx"}')).toBe(paid + paid);
    expect(delta('hookd_attempt_duration_seconds_count')).toBe(attempts);
    expect(delta('hookd_attempt_duration_seconds_bucket{le="+Inf"}')).toBe(attempts);
    expect(value(after, 'hookd_attempt_duration_seconds_sum')).toBeGreaterThan(value(before, 'hookd_attempt_duration_seconds_sum'));

    // The failing endpoint's retries wait in the queue; nothing else does.
    expect(value(after, 'hookd_queue_depth{state="scheduled"}')).toBe(paid);
    expect(value(after, 'hookd_queue_depth{state="due"}')).toBe(0);
    expect(value(after, 'hookd_queue_depth{state="sending"}')).toBe(0);
    expect(value(after, 'hookd_oldest_due_delivery_age_seconds')).toBe(0);
    expect(value(after, 'hookd_database_up')).toBe(1);

    // Each delivery reached the worker once, for its first attempt: handed over at ingest or claimed.
    expect(delta('hookd_worker_deliveries_taken_total{via="hand_off"}') + delta('hookd_worker_deliveries_taken_total{via="claim"}')).toBe(attempts);
    expect(delta('hookd_worker_deliveries_taken_total{via="retry"}')).toBe(0);

    // Worker saturation, and the process metrics beside hookd's own.
    expect(after.get('hookd_worker_concurrency')).toBe(256);
    expect(after.get('hookd_worker_in_flight')).toBe(0);
    expect(after.get('hookd_worker_saturation')).toBe(0);
    expect(after.get(`hookd_info{database="${server.hookd.store.dialect}",role="all",version="0.1.0"}`)).toBe(1);
    expect(after.has('process_cpu_seconds_total')).toBe(true);
    expect(after.has('nodejs_eventloop_lag_seconds')).toBe(true);
  });

  it('counts a delivery whose schedule runs out as failed, its operational event as ingested, and callbacks as "callback"', async () => {
    receiver.script('/cb', [{ status: 200 }]);
    // hookd.delivery.failed is stored (and counted) only when an endpoint subscribes to it.
    const alerts = await createEndpoint(server, { url: `${receiver.url}/alerts`, eventTypes: ['hookd.delivery.failed'] });
    const before = await scrape(server);
    const delta = (after: Samples, key: string) => value(after, key) - value(before, key);

    // One of the failing endpoint's scheduled retries, made due now: its last attempt fails too.
    const [pending] = (await server.request('GET', `/v1/deliveries?endpointId=${failingId}&status=pending&limit=1`)).body.data;
    expect((await server.request('POST', `/v1/deliveries/${pending.id}/retry`)).status).toBe(202);
    const { id } = await postEvent(server, { type: 'order.shipped', payload: {}, callbackUrl: `${receiver.url}/cb` });
    await waitFor(
      async () =>
        (await server.request('GET', `/v1/deliveries/${pending.id}`)).body.status === 'failed' &&
        (await deliveriesOf(server, id)).filter((d) => d.status === 'succeeded').length === 2,
      { what: 'the retry to fail, and the event to reach its callbackUrl and the catch-all endpoint' },
    );
    const after = await waitFor(async () => {
      const samples = await scrape(server);
      // hookd.delivery.failed is published just after the failure is committed, then delivered.
      return delta(samples, 'hookd_events_ingested_total{type="hookd.delivery.failed"}') === 1 &&
        delta(samples, `hookd_deliveries_total{endpoint="${alerts.id}",outcome="succeeded"}`) === 1
        ? samples
        : null;
    }, { what: 'the operational event to be counted and delivered' });

    expect(delta(after, `hookd_deliveries_total{endpoint="${failingId}",outcome="failed"}`)).toBe(1);
    expect(delta(after, 'hookd_deliveries_total{endpoint="callback",outcome="succeeded"}')).toBe(1);
    expect(delta(after, `hookd_deliveries_total{endpoint="${okId}",outcome="succeeded"}`)).toBe(1);
    expect(delta(after, 'hookd_events_ingested_total{type="order.shipped"}')).toBe(1);
    expect(delta(after, 'hookd_attempt_duration_seconds_count')).toBe(4);
    expect(value(after, 'hookd_queue_depth{state="scheduled"}')).toBe(value(before, 'hookd_queue_depth{state="scheduled"}') - 1);
  });

  it('needs the metrics token or an admin key; other keys are refused and nothing else accepts the token', async () => {
    const anonymous = await fetch(`${server.url}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    const wrong = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}x` } });
    expect(wrong.status).toBe(401);
    const publisher = await server.request('POST', '/v1/keys', { kind: 'publisher' });
    const asPublisher = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${publisher.body.key}` } });
    expect(asPublisher.status).toBe(403);
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${server.adminKey}` } })).status).toBe(200);
    // The scrape token opens /metrics only.
    expect((await server.request('GET', '/v1/endpoints', undefined, METRICS_TOKEN)).status).toBe(401);
  });

  it('has every one of its metrics described in the README', async () => {
    const readme = readFileSync(join(packageRoot, 'README.md'), 'utf8');
    const names = new Set([...(await scrape(server)).keys()].map((key) => key.split('{')[0]!.replace(/_(bucket|sum|count)$/, '')));
    const hookdNames = [...names].filter((name) => name.startsWith('hookd_'));
    expect(hookdNames.length).toBeGreaterThanOrEqual(10);
    for (const name of hookdNames) expect(readme, name).toContain(`\`${name}`);
  });

  it('is left out of the OpenAPI document, like /health and /ready', async () => {
    const { body } = await server.request('GET', '/openapi.json');
    expect(Object.keys(body.paths)).not.toContain('/metrics');
    expect(Object.keys(body.paths)).not.toContain('/health');
  });
});

describe('metrics of an api node', () => {
  let now = Date.now();
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({ HOOKD_ROLE: 'api', HOOKD_METRICS_PUBLIC: 'true' }, undefined, { now: () => now });
    await createEventTypes(server, 'device.reboot');
  });
  afterAll(async () => server?.close());

  it('shows the shared queue waiting for a worker and how long its oldest delivery has been due; no worker gauges', async () => {
    await createEndpoint(server, { url: 'http://127.0.0.1:9/hook', eventTypes: ['device.reboot'] });
    const dueAt = now;
    for (let i = 0; i < 3; i++) await postEvent(server, { type: 'device.reboot', payload: { i } });
    now = dueAt + 90_000;
    // HOOKD_METRICS_PUBLIC: no key needed.
    const samples = await scrape(server, null);
    expect(samples.get('hookd_queue_depth{state="due"}')).toBe(3);
    expect(samples.get('hookd_queue_depth{state="scheduled"}')).toBe(0);
    expect(samples.get('hookd_oldest_due_delivery_age_seconds')).toBe(90);
    expect(samples.get('hookd_events_ingested_total{type="device.reboot"}')).toBe(3);
    expect(samples.has('hookd_worker_concurrency')).toBe(false);
    expect(samples.has('hookd_worker_saturation')).toBe(false);
    expect(samples.has('hookd_worker_deliveries_taken_total{via="hand_off"}')).toBe(false);
  });
});
