import { Logger, makeWorkerUtils, run, type Task } from 'graphile-worker';
import pg from 'pg';
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
  // One pool of our own for the runner and the application's side, ended by stop(): a pool graphile
  // made would be ended on its own schedule, and a client of it still idle when the database is
  // dropped (the tests do) raised an unhandled error.
  // graphile warns when its pool is smaller than the concurrency; one more holds its LISTEN, one the adds.
  const pool = new pg.Pool({ connectionString: setup.connection, max: setup.concurrency + 2 });
  pool.on('error', () => undefined);
  const runner = await run({
    pgPool: pool,
    concurrency: setup.concurrency,
    taskList: { [TASK]: deliver },
    logger: quietLogger,
    noHandleSignals: true,
  });
  // The application's side, as the code that creates events would have it.
  const utils = await makeWorkerUtils({ pgPool: pool, logger: quietLogger });
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
      await pool.end();
      await dispatcher.close();
    },
  };
}
