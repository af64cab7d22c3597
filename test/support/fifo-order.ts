import type { Receiver, ReceivedRequest, Reply } from './receiver.js';
import type { ApiClient } from './server.js';

// Ordered delivery under test: events numbered n over a few ordering keys, a receiver that fails
// attempts at random but reproducibly (the same seed, event and attempt always answer the same),
// and the two promises checked on what the receiver saw: per key, no attempt starts before the one
// before it has been answered, and successful deliveries arrive in ingest order.

/** The payload of each test event. */
export interface NumberedPayload {
  n: number;
  key: string;
}

/** Attempts an endpoint of these tests makes at most: retries 1 s apart, so a key's failures cost seconds, not minutes. */
export const ORDERED_RETRY = { schedule: 'custom', delaysSeconds: [1, 1, 1] } as const;
const MAX_ATTEMPTS = ORDERED_RETRY.delaysSeconds.length + 1;

/** A number in [0, 1) from the seed, the event and the attempt (mulberry32 of a mix of the three). */
function draw(seed: number, n: number, attempt: number): number {
  let t = (seed ^ Math.imul(n + 1, 0x9e3779b1) ^ Math.imul(attempt + 1, 0x85ebca77)) >>> 0;
  t = (t + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** Whether the receiver fails attempt `attempt` (0-based) of event n. */
export function failsAttempt(seed: number, n: number, attempt: number, failRate: number): boolean {
  return draw(seed, n, attempt) < failRate;
}

/** Whether event n ends succeeded on an endpoint with ORDERED_RETRY (some attempt of the schedule is answered 200). */
export function expectedToSucceed(seed: number, n: number, failRate: number): boolean {
  return Array.from({ length: MAX_ATTEMPTS }, (_, attempt) => attempt).some((attempt) => !failsAttempt(seed, n, attempt, failRate));
}

export function payloadOf(request: ReceivedRequest): NumberedPayload {
  return (JSON.parse(request.body) as { data: NumberedPayload }).data;
}

/**
 * Scripts `path` of the receiver: each attempt of event n answers 500 or 200 by failsAttempt, after
 * `delayMs` (long enough that an attempt started too early would be seen overlapping). Returns the
 * status given to each request.
 */
export function scriptRandomFailures(receiver: Receiver, path: string, seed: number, failRate: number, delayMs: number): Map<ReceivedRequest, number> {
  const attempts = new Map<number, number>();
  const statuses = new Map<ReceivedRequest, number>();
  receiver.script(path, (request): Reply => {
    const { n } = payloadOf(request);
    const attempt = attempts.get(n) ?? 0;
    attempts.set(n, attempt + 1);
    const status = failsAttempt(seed, n, attempt, failRate) ? 500 : 200;
    statuses.set(request, status);
    return { status, delayMs };
  });
  return statuses;
}

/** What broke either promise, per key, in words (empty: nothing). */
export function orderViolations(requests: ReceivedRequest[], statuses: Map<ReceivedRequest, number>): string[] {
  const byKey = new Map<string, ReceivedRequest[]>();
  for (const request of requests) {
    const { key } = payloadOf(request);
    byKey.set(key, [...(byKey.get(key) ?? []), request]);
  }
  const violations: string[] = [];
  for (const [key, list] of byKey) {
    list.sort((a, b) => a.receivedOrder - b.receivedOrder);
    let lastSucceeded = -1;
    for (const [index, request] of list.entries()) {
      const { n } = payloadOf(request);
      const before = list[index - 1];
      if (before !== undefined && (before.answeredOrder === null || before.answeredOrder > request.receivedOrder)) {
        violations.push(`${key}: event ${n} was attempted while event ${payloadOf(before).n} was still being attempted`);
      }
      if (statuses.get(request) !== 200) continue;
      // Non-decreasing: a node killed after the receiver answered sends that delivery again.
      if (n < lastSucceeded) violations.push(`${key}: event ${n} succeeded after event ${lastSucceeded}`);
      lastSucceeded = Math.max(lastSucceeded, n);
    }
  }
  return violations;
}

/**
 * Posts events n = from … to-1 (key `k<n mod keys>`) in batches of `batch`, in order, on `nodes` in
 * turn; adds each event's id → n to `numbers`.
 */
export async function postNumbered(
  nodes: ApiClient[],
  type: string,
  range: { from: number; to: number; keys: number; batch: number },
  numbers: Map<string, number>,
): Promise<void> {
  const { from, to, keys, batch } = range;
  for (let start = from, turn = 0; start < to; start += batch, turn++) {
    const events = [];
    for (let n = start; n < Math.min(start + batch, to); n++) events.push({ type, orderingKey: `k${n % keys}`, payload: { n, key: `k${n % keys}` } });
    const response = await nodes[turn % nodes.length]!.request('POST', '/v1/events/batch', { events });
    if (response.status !== 202) throw new Error(`posting events: ${response.status} ${JSON.stringify(response.body)}`);
    for (const [index, accepted] of (response.body.data as Array<{ id: string }>).entries()) numbers.set(accepted.id, start + index);
  }
}

/** The status of every delivery of the endpoint, by its event's id. */
export async function deliveryStatuses(api: ApiClient, endpointId: string): Promise<Map<string, string>> {
  const statuses = new Map<string, string>();
  let cursor: string | null = null;
  do {
    const page: { body: { data: Array<{ eventId: string; status: string }>; nextCursor: string | null } } = await api.request(
      'GET',
      `/v1/deliveries?endpointId=${endpointId}&limit=250${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`,
    );
    for (const delivery of page.body.data) statuses.set(delivery.eventId, delivery.status);
    cursor = page.body.nextCursor;
  } while (cursor !== null);
  return statuses;
}
