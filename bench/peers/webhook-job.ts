import { Agent, request } from 'undici';
import { messageIdOf, newId } from '../../src/domain/ids.js';
import { signatureHeader } from '../../src/domain/signing.js';
import { BENCH_EVENT_TYPE, payloadOf, type BenchPayload } from '../workload.js';

// What a team writes when it builds its webhook sender on a job queue instead of running hookd:
// one job per event and endpoint holding the event, and a task that signs it (Standard Webhooks,
// the same HMAC and the same 1 KiB body as hookd and the baseline) and POSTs it with undici. A
// receiver that does not answer 2xx makes the task throw, so the queue's own retry takes over.

export interface WebhookJob {
  url: string;
  /** The `webhook-id`: chosen at enqueue, so every retry of the job carries the same one. */
  messageId: string;
  type: string;
  /** ISO time the event happened, the body's `timestamp`. */
  timestamp: string;
  data: BenchPayload;
}

/** Jobs for the bench's events `firstSeq…`, all to one URL. */
export function jobsFor(url: string, firstSeq: number, count: number): WebhookJob[] {
  const now = Date.now();
  const timestamp = new Date(now).toISOString();
  return Array.from({ length: count }, (_, i) => ({
    url,
    messageId: messageIdOf(newId('dlv', now)),
    type: BENCH_EVENT_TYPE,
    timestamp,
    data: payloadOf(firstSeq + i),
  }));
}

/** What a sender needs besides the job: the endpoint's secret and its keep-alive connections. */
export interface Signer {
  secret: string;
  dispatcher: Agent;
}

/** A delivery attempt: resolves on 2xx, throws otherwise (the queue then retries the job). */
export async function sendWebhook(signer: Signer, job: WebhookJob): Promise<void> {
  // The same bytes as hookd's standard body: {"type":…,"timestamp":…,"data":…}.
  const body = JSON.stringify({ type: job.type, timestamp: job.timestamp, data: job.data });
  const timestampSeconds = Math.floor(Date.now() / 1000);
  const res = await request(job.url, {
    method: 'POST',
    dispatcher: signer.dispatcher,
    headers: {
      'content-type': 'application/json',
      'webhook-id': job.messageId,
      'webhook-timestamp': String(timestampSeconds),
      'webhook-signature': signatureHeader([signer.secret], job.messageId, timestampSeconds, body),
    },
    body,
  });
  await res.body.dump();
  if (res.statusCode < 200 || res.statusCode > 299) throw new Error(`${job.url} answered ${res.statusCode}`);
}

/** Keep-alive connections with the timeouts a webhook sender sets (a receiver may hang). */
export function senderAgent(): Agent {
  return new Agent({ keepAliveTimeout: 30_000, headersTimeout: 30_000, bodyTimeout: 30_000 });
}
