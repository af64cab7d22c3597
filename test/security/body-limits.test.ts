import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventTypes } from '../support/fixtures.js';
import { startServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// Body limits: a batch is at most 5 MiB (413 naming the limit), and the bytes of bodies being
// received at once are capped by HOOKD_MAX_INFLIGHT_BODY_BYTES: 503 with Retry-After beyond it,
// while smaller requests still pass, and the budget is whole again once bodies finish or abort.

const MiB = 1024 * 1024;
const BUDGET = 5 * MiB;

let batchCount = 0;
/** A valid batch of about `mebibytes` MiB, each call with new event ids. */
function batchOf(mebibytes: number): string {
  batchCount++;
  const events = Array.from({ length: mebibytes * 5 }, (_, i) => ({
    id: `big-${batchCount}-${i}`,
    type: 'tick',
    payload: { filler: 'x'.repeat(200 * 1024) },
  }));
  return JSON.stringify({ events });
}

function batchRequest(server: TestServer, headers: Record<string, string> = {}): ClientRequest {
  // A connection of its own: a kept-alive one may be closing after an earlier refused upload.
  return httpRequest(`${server.url}/v1/events/batch`, {
    method: 'POST',
    agent: false,
    headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json', ...headers },
  });
}

/** The bytes the server's in-flight body budget holds now, as /metrics tells (an admin key may read it). */
async function inflightBodyBytes(server: TestServer): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${server.adminKey}` } })).text();
  return Number(/^hookd_inflight_body_bytes (\d+)$/m.exec(text)?.[1]);
}

/**
 * A batch upload announcing its length, of which only the first KiB is sent until `finish()`.
 * `accepted` resolves once the server holds the upload's share of the budget (authentication
 * comes first, so not as soon as the request arrives).
 */
function heldUpload(
  server: TestServer,
  body: string,
  headers: Record<string, string> = {},
): { request: ClientRequest; accepted: Promise<void>; response: Promise<IncomingMessage>; finish: () => Promise<IncomingMessage> } {
  const bytes = Buffer.from(body);
  const request = batchRequest(server, { 'content-length': String(bytes.length), ...headers });
  request.on('error', () => undefined); // The abort test destroys it.
  const response = new Promise<IncomingMessage>((resolve) => request.on('response', resolve));
  request.write(bytes.subarray(0, 1024));
  const accepted = waitFor(async () => (await inflightBodyBytes(server)) >= bytes.length, { what: 'the upload to hold its share of the budget' }).then(
    () => undefined,
  );
  return {
    request,
    accepted,
    response,
    finish: async () => {
      await accepted;
      request.end(bytes.subarray(1024));
      const answer = await response;
      answer.resume();
      return answer;
    },
  };
}

/** A batch sent chunked, announcing no length: its status, or 0 when the server closed the connection before answering. */
async function postChunked(server: TestServer, body: string): Promise<number> {
  const request = batchRequest(server);
  const status = new Promise<number>((resolve) => {
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', () => resolve(0));
  });
  const bytes = Buffer.from(body);
  for (let offset = 0; offset < bytes.length; offset += 64 * 1024) request.write(bytes.subarray(offset, offset + 64 * 1024));
  request.end();
  return status;
}

async function postBatch(server: TestServer, body: string): Promise<Response> {
  const response = await fetch(`${server.url}/v1/events/batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' },
    body,
  });
  await response.arrayBuffer();
  return response;
}

/** A held 3 MiB upload that has taken its share of the budget, and a second one refused for it. */
async function holdThreeMiB(server: TestServer): Promise<{ held: ReturnType<typeof heldUpload>; refused: Response }> {
  const held = heldUpload(server, batchOf(3));
  await held.accepted;
  const refused = await postBatch(server, batchOf(3));
  expect(refused.status).toBe(503);
  return { held, refused };
}

describe('request body limits', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ HOOKD_MAX_INFLIGHT_BODY_BYTES: String(BUDGET) });
    await createEventTypes(server, 'tick');
  });
  afterAll(async () => server?.close());

  it('refuses a batch over 5 MiB with 413 naming the limit', async () => {
    const response = await server.request('POST', '/v1/events/batch', batchOf(6));
    expect(response.status).toBe(413);
    expect(response.body.error.message).toContain('5 MiB (5242880 bytes)');
    expect((await postBatch(server, batchOf(1))).status).toBe(202);
  });

  it('answers 503 with Retry-After beyond the in-flight budget, while smaller bodies pass, and frees it after', async () => {
    const { held, refused } = await holdThreeMiB(server);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const small = await server.request('POST', '/v1/events', { type: 'tick', payload: { small: true } });
    expect(small.status).toBe(202);

    expect((await held.finish()).statusCode).toBe(202);
    await waitFor(async () => (await postBatch(server, batchOf(3))).status === 202, { what: 'the budget to be free again' });
  });

  it('counts the bytes of a chunked upload, which announces no length, as they arrive', async () => {
    const { held } = await holdThreeMiB(server);
    expect(await postChunked(server, batchOf(3))).toBe(503);
    expect((await held.finish()).statusCode).toBe(202);
    await waitFor(async () => (await postChunked(server, batchOf(3))) === 202, { what: 'the budget to be free again' });
  });

  it('refuses a request without a valid key before its body takes any of the budget', async () => {
    // 4 of the 5 MiB announced, 1 KiB sent, no key: answered 401 at once, the body never awaited.
    const unauthenticated = heldUpload(server, batchOf(4), { authorization: 'Bearer not-a-key' });
    expect((await unauthenticated.response).statusCode).toBe(401);
    expect(await inflightBodyBytes(server)).toBe(0);
    // A key holder's 4 MiB batch still fits while that connection is open.
    expect((await postBatch(server, batchOf(4))).status).toBe(202);
    unauthenticated.request.destroy();
  });

  it('gives back the budget of an upload the client aborts', async () => {
    const { held } = await holdThreeMiB(server);
    held.request.destroy();
    await waitFor(async () => (await postBatch(server, batchOf(3))).status === 202, { what: 'the aborted upload to give its share back' });
    // Twice in a row: the share came back once, not a transient gap.
    expect((await postBatch(server, batchOf(4))).status).toBe(202);
  });
});
