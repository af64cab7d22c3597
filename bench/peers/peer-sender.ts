import type { WebhookJob } from './webhook-job.js';

// A peer: the webhook sender a team would build on a job queue instead of running hookd. Each one
// enqueues the way its library's users do and sends from its library's workers.

export const PEERS = ['graphile', 'bullmq'] as const;
export type PeerName = (typeof PEERS)[number];

export interface PeerSetup {
  peer: PeerName;
  /** graphile-worker: a PostgreSQL URL; BullMQ: a Redis URL. */
  connection: string;
  /** BullMQ's queue name (graphile-worker has a database of its own). */
  queueName: string;
  /** Jobs worked at once: the in-flight requests hookd allows one endpoint. */
  concurrency: number;
  secret: string;
}

export interface PeerSender {
  /** Many jobs in one call, as an application would hand over a batch of events (addJobs / addBulk). */
  enqueueMany(jobs: readonly WebhookJob[]): Promise<void>;
  /** One job (add_job / Queue.add). */
  enqueue(job: WebhookJob): Promise<void>;
  /** Stops the workers after the jobs in hand and closes every connection. */
  stop(): Promise<void>;
}

/** The name a table shows. */
export function peerLabel(peer: PeerName): string {
  return peer === 'graphile' ? 'graphile-worker' : 'BullMQ';
}
