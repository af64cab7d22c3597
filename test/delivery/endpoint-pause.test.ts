import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, createEventTypes, postEvent } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServer, type Json, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// Receiver control of a whole endpoint (issue 16): a 429/503 Retry-After pauses every delivery of
// the endpoint, five failures in a row open the circuit breaker, and the resume route ends a pause.
// One attempt at a time per endpoint, so that "the others were not attempted" is exact.

describe('endpoint pauses and the circuit breaker', () => {
  let server: TestServer;
  let receiver: Receiver;

  beforeAll(async () => {
    [server, receiver] = await Promise.all([startServer({ HOOKD_ENDPOINT_CONCURRENCY: '1' }, undefined, undefined, undefined, { idlePollMs: 100 }), startReceiver()]);
    await createEventTypes(server, 'job.done');
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  const endpointOf = async (id: string) => (await server.request('GET', `/v1/endpoints/${id}`)).body;

  async function deliveriesTo(endpointId: string): Promise<Array<Record<string, Json>>> {
    return (await server.request('GET', `/v1/deliveries?endpointId=${endpointId}&limit=100`)).body.data;
  }

  async function allSucceeded(endpointId: string, count: number): Promise<Array<Record<string, Json>>> {
    return waitFor(
      async () => {
        const deliveries = await deliveriesTo(endpointId);
        return deliveries.length === count && deliveries.every((d) => d.status === 'succeeded') ? deliveries : null;
      },
      { timeoutMs: 20_000, what: `${count} deliveries to succeed` },
    );
  }

  async function operationalEvent(type: string, endpointId: string): Promise<Record<string, Json>> {
    return waitFor(async () => {
      const data = (await server.request('GET', `/v1/events?type=${type}&limit=100`)).body.data as Array<Record<string, Json>>;
      return data.find((event) => event.payload.endpointId === endpointId) ?? null;
    }, { what: `${type} for ${endpointId}` });
  }

  /** Posts events one after the other while the first attempt is held by the receiver: they queue behind it. */
  async function postJobs(count: number): Promise<void> {
    for (let job = 0; job < count; job++) await postEvent(server, { type: 'job.done', payload: { job } });
  }

  it('a 429 with Retry-After pauses the whole endpoint; the others wait without burning attempts, then all arrive', async () => {
    receiver.script('/busy', (_request, index) => (index === 0 ? { status: 429, headers: { 'retry-after': '2' }, delayMs: 300 } : { status: 200 }));
    const endpoint = await createEndpoint(server, { url: `${receiver.url}/busy`, eventTypes: ['job.done'], retry: { schedule: 'custom', delaysSeconds: [1, 1] } });
    expect(endpoint.state).toEqual({ mode: 'normal', until: null, reason: null, concurrency: 1 });
    await postJobs(4);

    const paused = await waitFor(async () => {
      const state = (await endpointOf(endpoint.id)).state;
      return state.mode === 'paused' ? state : null;
    }, { what: 'the endpoint to be paused' });
    expect(paused).toMatchObject({ reason: '429 Retry-After 2 s', concurrency: 1 });
    // The pause is in force: only the request that got the 429 was made.
    expect(receiver.requestsTo('/busy')).toHaveLength(1);

    const deliveries = await allSucceeded(endpoint.id, 4);
    const requests = receiver.requestsTo('/busy');
    // Four deliveries, five requests: the 429 counted one attempt, the waiting ones none.
    expect(requests).toHaveLength(5);
    for (const later of requests.slice(1)) expect(later.receivedAt).toBeGreaterThanOrEqual(Date.parse(paused.until));
    expect(deliveries.map((d) => d.attempts).sort()).toEqual([1, 1, 1, 2]);

    const announced = await operationalEvent('hookd.endpoint.paused', endpoint.id);
    expect(announced.payload).toMatchObject({ reason: '429 Retry-After 2 s', until: paused.until, url: endpoint.url });
    expect((await operationalEvent('hookd.endpoint.resumed', endpoint.id)).payload).toMatchObject({ by: 'receiver' });
    expect((await endpointOf(endpoint.id)).state.mode).toBe('normal');
  });

  it('five failures in a row open the breaker; after the cool-down one probe goes alone, and its success closes it', async () => {
    receiver.script('/down', (_request, index) => (index < 5 ? { status: 500, delayMs: index === 0 ? 300 : 0 } : { status: 200 }));
    // The first retry comes 3 s after a failure, so that the five failures are the first attempts
    // of five deliveries even on a busy machine (each failure is counted in the database before the
    // lane starts the next); with 1 s the first delivery's retry overtook the fifth once. The
    // breaker's cool-down (5 s) ends after every retry is due, so the probe is the oldest due: job 5.
    const endpoint = await createEndpoint(server, { url: `${receiver.url}/down`, eventTypes: ['job.done'], retry: { schedule: 'custom', delaysSeconds: [3, 1] } });
    await postJobs(6);

    const paused = await waitFor(async () => {
      const state = (await endpointOf(endpoint.id)).state;
      return state.mode === 'paused' ? state : null;
    }, { what: 'the breaker to open' });
    expect(paused.reason).toBe('5 consecutive failures');
    expect(receiver.requestsTo('/down')).toHaveLength(5);

    const deliveries = await allSucceeded(endpoint.id, 6);
    const requests = receiver.requestsTo('/down');
    // Five failures, then the probe, then the five failed deliveries once more: nothing burned meanwhile.
    expect(requests).toHaveLength(11);
    const probe = requests[5]!;
    expect(probe.receivedAt).toBeGreaterThanOrEqual(Date.parse(paused.until));
    expect(deliveries.map((d) => d.attempts).sort()).toEqual([1, 2, 2, 2, 2, 2]);
    expect((await operationalEvent('hookd.endpoint.paused', endpoint.id)).payload).toMatchObject({ reason: '5 consecutive failures' });
    expect((await operationalEvent('hookd.endpoint.resumed', endpoint.id)).payload).toMatchObject({ by: 'receiver' });
    expect((await endpointOf(endpoint.id)).state).toMatchObject({ mode: 'normal', reason: null });
  });

  it('POST /v1/endpoints/{id}/resume ends a pause now; unknown endpoints are 404', async () => {
    receiver.script('/later', (_request, index) => (index === 0 ? { status: 503, headers: { 'retry-after': '3600' }, delayMs: 300 } : { status: 200 }));
    const endpoint = await createEndpoint(server, { url: `${receiver.url}/later`, eventTypes: ['job.done'], retry: { schedule: 'custom', delaysSeconds: [1] } });
    await postJobs(3);
    await waitFor(async () => (await endpointOf(endpoint.id)).state.mode === 'paused', { what: 'the endpoint to be paused' });
    expect((await endpointOf(endpoint.id)).state.reason).toBe('503 Retry-After 3600 s');
    expect(receiver.requestsTo('/later')).toHaveLength(1);

    const resumed = await server.request('POST', `/v1/endpoints/${endpoint.id}/resume`);
    expect(resumed.status).toBe(200);
    expect(resumed.body.state).toEqual({ mode: 'normal', until: null, reason: null, concurrency: 1 });
    const deliveries = await allSucceeded(endpoint.id, 3);
    expect(receiver.requestsTo('/later')).toHaveLength(4);
    expect(deliveries.map((d) => d.attempts).sort()).toEqual([1, 1, 2]);
    expect((await operationalEvent('hookd.endpoint.resumed', endpoint.id)).payload).toMatchObject({ by: 'api' });

    expect((await server.request('POST', '/v1/endpoints/ep_nope/resume')).status).toBe(404);
  });
});

describe('AIMD: a 429 without Retry-After halves the endpoint\'s concurrency, successes win it back', () => {
  let server: TestServer;
  let receiver: Receiver;

  beforeAll(async () => {
    [server, receiver] = await Promise.all([startServer({ HOOKD_ENDPOINT_CONCURRENCY: '4' }, undefined, undefined, undefined, { idlePollMs: 100 }), startReceiver()]);
    await createEventTypes(server, 'job.done');
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  it('runs at half the concurrency after a bare 429, and one more after 20 successes in a row', async () => {
    // Each answer takes a moment, so that the attempts the lane allows overlap and can be counted.
    let inFlight = 0;
    let peak = 0;
    receiver.script('/aimd', (_request, index) => {
      if (index === 0) return { status: 429 };
      inFlight++;
      peak = Math.max(peak, inFlight);
      setTimeout(() => inFlight--, 100);
      return { status: 200, delayMs: 100 };
    });
    const endpoint = await createEndpoint(server, { url: `${receiver.url}/aimd`, eventTypes: ['job.done'], retry: { schedule: 'custom', delaysSeconds: [1] } });
    const stateOf = async () => (await server.request('GET', `/v1/endpoints/${endpoint.id}`)).body.state;
    await postEvent(server, { type: 'job.done', payload: { job: 0 } });
    await waitFor(async () => (await stateOf()).mode === 'throttled', { what: 'the endpoint to be throttled' });
    expect(await stateOf()).toEqual({ mode: 'throttled', until: null, reason: '429 without Retry-After', concurrency: 2 });

    const delivered = (count: number) =>
      waitFor(async () => {
        const data = (await server.request('GET', `/v1/deliveries?endpointId=${endpoint.id}&limit=100`)).body.data as Array<Record<string, Json>>;
        return data.length === count && data.every((d) => d.status === 'succeeded');
      }, { timeoutMs: 20_000, what: `${count} deliveries to succeed` });
    await Promise.all(Array.from({ length: 10 }, (_, job) => postEvent(server, { type: 'job.done', payload: { job: job + 1 } })));
    await delivered(11);
    expect(peak).toBeLessThanOrEqual(2);
    // 11 successes so far (the throttled one's retry included): 9 more make 20, one slot back.
    await Promise.all(Array.from({ length: 11 }, (_, job) => postEvent(server, { type: 'job.done', payload: { job: job + 11 } })));
    await delivered(22);
    expect(await stateOf()).toEqual({ mode: 'throttled', until: null, reason: '429 without Retry-After', concurrency: 3 });
  });
});
