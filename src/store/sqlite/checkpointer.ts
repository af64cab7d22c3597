import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// WAL checkpoints on a thread of their own. SQLite's automatic checkpoint runs inside the commit
// that crosses the threshold: it copies the WAL's pages into the database file and syncs it, on
// the event loop, stalling every request and delivery for 20–100 ms each time (measured with the
// bench's latency run: event-loop delay p99 fell from ~25 ms to ~12 ms without them). Here a
// second connection on a worker thread runs PASSIVE checkpoints, which never wait for or block the
// writer, and the store's own connection keeps automatic checkpoints only as a safety net for a
// WAL that grows far beyond what this thread keeps up with.

/** How often the thread checkpoints. Between two, the WAL grows by what was committed meanwhile. */
const CHECKPOINT_EVERY_MS = 100;

/** The store connection's own checkpoint threshold (pages, ~40 MB), if this thread falls behind. */
export const SAFETY_NET_AUTOCHECKPOINT_PAGES = 10_000;

// The thread's code is evaluated from this string rather than loaded from a file, so it runs the
// same from the compiled server and from TypeScript sources under the test runner.
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or locked: the next tick tries again, and the store's safety net stays in place.
  }
}, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export class Checkpointer {
  private readonly exited: Promise<unknown>;

  private constructor(private readonly worker: Worker) {
    this.exited = new Promise((resolve) => worker.once('exit', resolve));
  }

  static start(path: string): Checkpointer {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { path, driver, everyMs: CHECKPOINT_EVERY_MS } });
    // Its failure costs only stalls (the safety net checkpoints); it must not take the server down.
    worker.on('error', () => undefined);
    worker.unref();
    return new Checkpointer(worker);
  }

  /** Closes the thread's connection and ends it. */
  async stop(): Promise<void> {
    this.worker.postMessage('stop');
    const timer = setTimeout(() => void this.worker.terminate(), 2000);
    await this.exited;
    clearTimeout(timer);
  }
}
