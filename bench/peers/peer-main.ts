import { sendPaced } from '../pacing.js';
import { startBullmqSender } from './bullmq-sender.js';
import { startGraphileSender } from './graphile-sender.js';
import type { PeerReply, PeerRequest } from './peer-protocol.js';
import type { PeerSender, PeerSetup } from './peer-sender.js';
import { jobsFor } from './webhook-job.js';

// A peer's own process (forked by peer-process.ts), like hookd's and the baseline's: the
// application code that enqueues the events and the queue's workers that deliver them share it,
// so its CPU time covers both, as hookd's covers its ingest and its delivery.

let sender: PeerSender | null = null;

async function start(setup: PeerSetup): Promise<PeerSender> {
  return setup.peer === 'graphile' ? startGraphileSender(setup) : startBullmqSender(setup);
}

async function handle(request: PeerRequest): Promise<PeerReply> {
  switch (request.type) {
    case 'start':
      sender = await start(request.setup);
      return { type: 'done' };
    case 'enqueueBatches': {
      const jobs = jobsFor(request.url, request.firstSeq, request.count);
      const batches = Array.from({ length: Math.ceil(jobs.length / request.batchSize) }, (_, i) => jobs.slice(i * request.batchSize, (i + 1) * request.batchSize));
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(request.callers, batches.length) }, async () => {
          while (next < batches.length) await sender!.enqueueMany(batches[next++]!);
        }),
      );
      return { type: 'done' };
    }
    case 'enqueuePaced': {
      const run = await sendPaced(request.firstSeq, request.ratePerSecond, request.durationMs, (seq) => sender!.enqueue(jobsFor(request.url, seq, 1)[0]!));
      return { type: 'paced', sentAt: [...run.sentAt], returnedAt: [...run.returnedAt], skipped: run.skipped };
    }
    case 'stop':
      await sender?.stop();
      sender = null;
      return { type: 'done' };
  }
}

// Requests come one at a time: the bench waits for each answer before it sends the next.
process.on('message', (request: PeerRequest) => {
  void handle(request).then(
    (reply) => process.send!(reply),
    (error: unknown) => process.send!({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies PeerReply),
  );
});
// The bench is the only reason to live: if it dies, so does the peer.
process.on('disconnect', () => process.exit(0));
