import type { HookdProcess } from './hookd-process.js';

// What the bench sends: one event type, and payloads sized so that the standard-format request
// body hookd delivers is 1 KiB. The payload's `seq` identifies each event end to end.

export const BENCH_EVENT_TYPE = 'bench.event';
/** Bytes of the standard body: {"type":…,"timestamp":…,"data":<payload>}. */
export const BODY_BYTES = 1024;
const ENVELOPE_BYTES = `{"type":"${BENCH_EVENT_TYPE}","timestamp":"2026-01-01T00:00:00.000Z","data":}`.length;
const PAD = 'x'.repeat(BODY_BYTES);

export interface BenchPayload {
  seq: number;
  pad: string;
}

export function payloadOf(seq: number): BenchPayload {
  const fixed = `{"seq":${seq},"pad":""}`.length;
  return { seq, pad: PAD.slice(0, Math.max(0, BODY_BYTES - ENVELOPE_BYTES - fixed)) };
}

/**
 * An event's body; with `accountId`, one of that account's (it goes to its endpoints); with
 * `orderingKeys`, its orderingKey is one of that many (seq modulo it), for `fifo` endpoints.
 */
export function eventJson(seq: number, accountId?: string, orderingKeys?: number): string {
  return JSON.stringify({
    type: BENCH_EVENT_TYPE,
    payload: payloadOf(seq),
    ...(accountId === undefined ? {} : { accountId }),
    ...(orderingKeys === undefined ? {} : { orderingKey: `key-${seq % orderingKeys}` }),
  });
}

export interface EndpointSetup {
  url: string;
  timeoutMs?: number;
  /** The account it belongs to (default: none, provider-level). */
  accountId?: string;
  /** Default: the bench's one event type. Types not in the catalog yet are added to it. */
  eventTypes?: string[];
  /** A broker destination (the destinations scenario); `url` is then the broker's. */
  destination?: Record<string, unknown>;
  /** Default: `none`. */
  ordering?: 'none' | 'fifo';
}

/** The catalog type and the endpoints subscribed to it; returns their ids. */
export async function setUpEndpoints(hookd: HookdProcess, endpoints: EndpointSetup[]): Promise<string[]> {
  const types = await hookd.expect<{ data: Array<{ name: string }> }>(200, 'GET', `/v1/event-types?limit=250`);
  const known = new Set(types.data.map((type) => type.name));
  for (const name of new Set([BENCH_EVENT_TYPE, ...endpoints.flatMap((endpoint) => endpoint.eventTypes ?? [])])) {
    if (!known.has(name)) await hookd.expect(201, 'POST', '/v1/event-types', { name, description: 'benchmark event' });
  }
  const ids: string[] = [];
  for (const endpoint of endpoints) {
    const created = await hookd.expect<{ id: string }>(201, 'POST', '/v1/endpoints', {
      url: endpoint.url,
      eventTypes: endpoint.eventTypes ?? [BENCH_EVENT_TYPE],
      ...(endpoint.timeoutMs === undefined ? {} : { timeoutMs: endpoint.timeoutMs }),
      ...(endpoint.accountId === undefined ? {} : { accountId: endpoint.accountId }),
      ...(endpoint.destination === undefined ? {} : { destination: endpoint.destination }),
      ...(endpoint.ordering === undefined ? {} : { ordering: endpoint.ordering }),
    });
    ids.push(created.id);
  }
  return ids;
}
