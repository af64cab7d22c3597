import type { HookdProcess } from './hookd-process.js';
import { sendPaced, type PacedRun, type PacingOptions } from './pacing.js';
import { eventJson } from './workload.js';

// The load generators: they post events to hookd over keep-alive connections. Every request must
// be accepted (202); anything else means the harness or hookd is broken, and stops the bench.

async function post(hookd: HookdProcess, path: string, body: string): Promise<void> {
  const res = await hookd.pool.request({
    method: 'POST',
    path,
    headers: { authorization: `Bearer ${hookd.adminKey}`, 'content-type': 'application/json' },
    body,
  });
  const text = await res.body.text();
  if (res.statusCode !== 202) throw new Error(`POST ${path}: expected 202, got ${res.statusCode} ${text.slice(0, 300)}`);
}

/** Runs `count` jobs with at most `concurrency` at once, in order of index. */
async function inParallel(count: number, concurrency: number, job: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) await job(next++);
  });
  await Promise.all(runners);
}

/**
 * Events `firstSeq…` posted to /v1/events/batch, `batchSize` per request (with `orderingKeys`, over
 * that many ordering keys: see eventJson). Bodies are built before the clock starts.
 */
export function batchBodies(firstSeq: number, count: number, batchSize: number, orderingKeys?: number): string[] {
  const bodies: string[] = [];
  for (let start = 0; start < count; start += batchSize) {
    const events: string[] = [];
    for (let seq = firstSeq + start; seq < firstSeq + Math.min(count, start + batchSize); seq++) events.push(eventJson(seq, undefined, orderingKeys));
    bodies.push(`{"events":[${events.join(',')}]}`);
  }
  return bodies;
}

export async function postBatches(hookd: HookdProcess, bodies: string[], concurrency: number): Promise<void> {
  await inParallel(bodies.length, concurrency, (index) => post(hookd, '/v1/events/batch', bodies[index]!));
}

/** One event per request from `clients` concurrent clients, each posting its next as soon as the last is answered. */
export async function postSingles(hookd: HookdProcess, bodies: string[], clients: number): Promise<void> {
  await inParallel(bodies.length, clients, (index) => post(hookd, '/v1/events', bodies[index]!));
}

export function singleBodies(firstSeq: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => eventJson(firstSeq + i));
}

/** A steady load of single-event posts: see sendPaced. The body is built when its send is due. */
export async function postPaced(
  hookd: HookdProcess,
  firstSeq: number,
  ratePerSecond: number,
  durationMs: number,
  options: PacingOptions & { accountId?: string } = {},
): Promise<PacedRun> {
  return sendPaced(firstSeq, ratePerSecond, durationMs, (seq) => post(hookd, '/v1/events', eventJson(seq, options.accountId)), options);
}
