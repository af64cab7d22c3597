import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { createEventTypes } from './fixtures.js';
import { startServer, type Json, type TestServer } from './server.js';
import { waitFor } from './wait-for.js';

// What the broker destinations' tests share: the loopback brokers (started by npm test, see
// scripts/test-prerequisites.mjs), unique names so tests never see each other's messages, and the
// check every consumed message gets — its Standard Webhooks signature, verified by the library.

export const RABBITMQ_URL = 'amqp://guest:guest@127.0.0.1:5672';
export const NATS_URL = 'nats://127.0.0.1:4222';
export const REDIS_URL = 'redis://127.0.0.1:6379/0';
/** A loopback port nothing listens on (the discard service): connecting is refused. */
export const CLOSED_PORT = 9;

export function uniqueName(prefix: string): string {
  return `${prefix}${randomBytes(6).toString('hex')}`;
}

/** Verifies a consumed message as a receiver would; returns its parsed body. */
export function verifiedBody(secret: string, headers: Record<string, string>, body: string): Json {
  return new Webhook(secret).verify(body, headers);
}

export async function settledDelivery(server: TestServer, eventId: string, status: string): Promise<Json> {
  return waitFor(
    async () => {
      const [delivery] = (await server.request('GET', `/v1/deliveries?eventId=${eventId}`)).body.data;
      return delivery?.status === status ? delivery : null;
    },
    { timeoutMs: 20_000, what: `delivery of ${eventId} to be ${status}` },
  );
}

export async function attemptsOf(server: TestServer, deliveryId: string): Promise<Json[]> {
  // Newest first, as the API lists them: reversed to read in order.
  return ((await server.request('GET', `/v1/deliveries/${deliveryId}/attempts`)).body.data as Json[]).reverse();
}

/** A test send (one attempt, no retries): its attempt. */
export async function testSend(server: TestServer, endpointId: string): Promise<Json> {
  const response = await server.request('POST', `/v1/endpoints/${endpointId}/test`, {});
  expect(response.status).toBe(200);
  return response.body.attempt;
}

/** A Redis stream entry's fields, which Redis returns as [name, value, name, value…]. */
export function streamEntryFields(flat: string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
  return fields;
}

/**
 * A Redis destinations suite's scaffolding: a hookd test server with `eventTypes` declared and a
 * Redis client, each made before the suite's tests; afterwards the server is closed and every key
 * starting with `prefix` (the suite's streams) deleted.
 */
export function redisSuite(prefix: string, ...eventTypes: string[]): { server: () => TestServer; redis: () => Redis } {
  let server: TestServer;
  let redis: Redis;
  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    server = await startServer();
    await createEventTypes(server, ...eventTypes);
  });
  afterAll(async () => {
    await server?.close();
    const keys = (await redis?.keys(`${prefix}*`)) ?? [];
    if (keys.length > 0) await redis.del(...keys);
    await redis?.quit();
  });
  return { server: () => server, redis: () => redis };
}
