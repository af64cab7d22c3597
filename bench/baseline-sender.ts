import { Pool } from 'undici';
import { newId } from '../src/domain/ids.js';
import { buildRequest, type OutgoingRequest } from '../src/domain/request.js';
import { generateSecret } from '../src/domain/signing.js';
import { USER_AGENT } from '../src/version.js';
import { benchNow } from './clock.js';
import { BENCH_EVENT_TYPE, payloadOf } from './workload.js';

// The baseline: the machine's limit for "send a webhook". A Node process of its own (like hookd)
// sends the same signed 1 KiB Standard Webhooks POSTs hookd would send, built and signed before
// the clock starts, straight to the receiver with undici at a given concurrency. hookd must do
// all of this plus persist, claim, sign and record.

export interface BaselineJob {
  url: string;
  count: number;
  concurrency: number;
}

export interface BaselineResult {
  sent: number;
  failed: number;
  /** benchNow() of the first send and the last response. */
  first: number;
  last: number;
  /** CPU time the sender used per request, sending only (building and signing came before). */
  cpuMicrosPerRequest: number;
}

function prebuilt(url: string, count: number): OutgoingRequest[] {
  const secret = generateSecret();
  const now = Date.now();
  return Array.from({ length: count }, (_, seq) =>
    buildRequest({
      target: { url, method: 'POST', headers: {}, queryParams: {}, body: { format: 'standard' } },
      event: {
        id: newId('evt', now),
        type: BENCH_EVENT_TYPE,
        accountId: null,
        payload: JSON.stringify(payloadOf(seq)),
        correlationId: null,
        callbackUrl: null,
        occurredAt: now,
        createdAt: now,
      },
      deliveryId: newId('dlv', now),
      secrets: [secret],
      timestampSeconds: Math.floor(now / 1000),
      userAgent: USER_AGENT,
    }),
  );
}

async function run(job: BaselineJob): Promise<BaselineResult> {
  const requests = prebuilt(job.url, job.count);
  const target = new URL(job.url);
  const pool = new Pool(target.origin, { connections: job.concurrency, keepAliveTimeout: 30_000 });
  let next = 0;
  let failed = 0;
  const cpu = process.cpuUsage();
  const first = benchNow();
  await Promise.all(
    Array.from({ length: job.concurrency }, async () => {
      while (next < requests.length) {
        const request = requests[next++]!;
        try {
          const res = await pool.request({ method: 'POST', path: target.pathname, headers: request.headers, body: request.body! });
          await res.body.text();
          if (res.statusCode !== 200) failed += 1;
        } catch {
          failed += 1;
        }
      }
    }),
  );
  const last = benchNow();
  const used = process.cpuUsage(cpu);
  await pool.close();
  return { sent: requests.length, failed, first, last, cpuMicrosPerRequest: (used.user + used.system) / requests.length };
}

process.once('message', (job: BaselineJob) => {
  void run(job).then(
    (result) => process.send!(result, () => process.exit(0)),
    (error: unknown) => {
      process.stderr.write(`baseline sender failed: ${String(error)}\n`);
      process.exit(1);
    },
  );
});
