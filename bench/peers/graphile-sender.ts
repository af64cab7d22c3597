import { Logger, makeWorkerUtils, run, type Task } from 'graphile-worker';
import type { PeerSender, PeerSetup } from './peer-sender.js';
import { sendWebhook, senderAgent, type WebhookJob } from './webhook-job.js';

// The do-it-yourself sender on graphile-worker 0.17: jobs added with addJobs/addJob, worked by
// graphile's runner (LISTEN/NOTIFY wake-ups) at the bench's concurrency, retried by graphile's own
// backoff when the task throws. Its options are the library's defaults apart from those below.

const TASK = 'deliver_webhook';

/** graphile logs every completed job at info; like hookd in the bench (HOOKD_LOG_LEVEL=warn) it logs only trouble. */
const quietLogger = new Logger(() => (level, message) => {
  if (String(level) === 'error' || String(level) === 'warning') process.stderr.write(`graphile-worker ${String(level)}: ${message}\n`);
});

export async function startGraphileSender(setup: PeerSetup): Promise<PeerSender> {
  const dispatcher = senderAgent();
  const signer = { secret: setup.secret, dispatcher };
  const deliver: Task = async (payload) => sendWebhook(signer, payload as WebhookJob);
  const runner = await run({
    connectionString: setup.connection,
    concurrency: setup.concurrency,
    // graphile warns when its pool is smaller than the concurrency; one more holds its LISTEN.
    maxPoolSize: setup.concurrency + 1,
    taskList: { [TASK]: deliver },
    logger: quietLogger,
    noHandleSignals: true,
  });
  // The application's side: its own pool, as the code that creates events would have.
  const utils = await makeWorkerUtils({ connectionString: setup.connection, logger: quietLogger });
  return {
    async enqueueMany(jobs) {
      await utils.addJobs(jobs.map((job) => ({ identifier: TASK, payload: job })));
    },
    async enqueue(job) {
      await utils.addJob(TASK, job);
    },
    async stop() {
      await runner.stop();
      await utils.release();
      await dispatcher.close();
    },
  };
}
