import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { PeerSender, PeerSetup } from './peer-sender.js';
import { sendWebhook, senderAgent, type WebhookJob } from './webhook-job.js';

// The do-it-yourself sender on BullMQ 5: jobs added with addBulk/add to a queue of its own, worked
// by a BullMQ Worker at the bench's concurrency, retried by BullMQ's exponential backoff when the
// job throws. Delivered jobs are removed, as BullMQ's production guide advises (graphile-worker
// does the same by design); failed ones are kept.

const JOB = 'deliver_webhook';

const JOB_OPTIONS = {
  attempts: 25,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: true,
  removeOnFail: false,
};

export async function startBullmqSender(setup: PeerSetup): Promise<PeerSender> {
  const dispatcher = senderAgent();
  const signer = { secret: setup.secret, dispatcher };
  // Workers block on Redis, so BullMQ requires connections that retry commands without limit.
  const producerConnection = new Redis(setup.connection, { maxRetriesPerRequest: null });
  const workerConnection = new Redis(setup.connection, { maxRetriesPerRequest: null });
  const queue = new Queue<WebhookJob>(setup.queueName, { connection: producerConnection, defaultJobOptions: JOB_OPTIONS });
  const worker = new Worker<WebhookJob>(setup.queueName, async (job) => sendWebhook(signer, job.data), {
    connection: workerConnection,
    concurrency: setup.concurrency,
  });
  worker.on('error', (error) => process.stderr.write(`bullmq worker error: ${error.message}\n`));
  await worker.waitUntilReady();
  await queue.waitUntilReady();
  return {
    async enqueueMany(jobs) {
      await queue.addBulk(jobs.map((job) => ({ name: JOB, data: job })));
    },
    async enqueue(job) {
      await queue.add(JOB, job);
    },
    async stop() {
      await worker.close();
      await queue.close();
      producerConnection.disconnect();
      workerConnection.disconnect();
      await dispatcher.close();
    },
  };
}
