import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, createEventTypes } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServer, type TestServer } from '../support/server.js';

// GET /v1/endpoints/{id}/stats `series`: the last 24 hours hour by hour, for the dashboard's
// success-rate and latency charts.

describe('endpoint stats series', () => {
  let server: TestServer;
  let receiver: Receiver;
  beforeAll(async () => {
    [server, receiver] = await Promise.all([startServer(), startReceiver()]);
    await createEventTypes(server, 'tick');
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  it('gives 24 hourly buckets, oldest first, with this hour\'s attempts in the last one', async () => {
    const endpoint = await createEndpoint(server, { url: `${receiver.url}/series`, eventTypes: ['tick'] });
    receiver.script('/series', [{ status: 200 }, { status: 500 }, { status: 204 }]);
    for (let i = 0; i < 3; i++) {
      const test = await server.request('POST', `/v1/endpoints/${endpoint.id}/test`, { eventType: 'tick', payload: { i } });
      expect(test.status).toBe(200);
    }
    const before = Date.now();
    const stats = await server.request('GET', `/v1/endpoints/${endpoint.id}/stats`);
    expect(stats.status).toBe(200);
    const series = stats.body.series as Array<{ start: string; succeeded: number; failed: number; latencyMs: { p50: number | null; p99: number | null } }>;
    expect(series).toHaveLength(24);
    const starts = series.map((bucket) => Date.parse(bucket.start));
    starts.forEach((start, i) => {
      expect(start % 3600_000).toBe(0);
      if (i > 0) expect(start - starts[i - 1]!).toBe(3600_000);
    });
    // The attempts were just made: they are in the current hour, the last bucket (or, if the hour
    // turned in between, the one before it).
    expect(starts[23]!).toBeLessThanOrEqual(before);
    const recent = series.slice(22);
    expect(recent.reduce((n, b) => n + b.succeeded, 0)).toBe(2);
    expect(recent.reduce((n, b) => n + b.failed, 0)).toBe(1);
    for (const bucket of series.slice(0, 22)) expect(bucket).toMatchObject({ succeeded: 0, failed: 0, latencyMs: { p50: null, p99: null } });
    const busy = recent.find((b) => b.succeeded + b.failed > 0)!;
    expect(busy.latencyMs.p50).toBeGreaterThanOrEqual(0);
    expect(busy.latencyMs.p99).toBeGreaterThanOrEqual(busy.latencyMs.p50!);
    // The totals agree with the day's figures.
    expect(stats.body.lastDay.attempts).toEqual({ total: 3, succeeded: 2, failed: 1 });
  });
});
