import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HookdProcess } from './hookd-process.js';

// Memory under concurrent maximum batches (issue 17): three batches just under the 5 MiB body limit
// sent at once to hookd in its own process; reports the peak resident memory before and after and
// the answers. Reported, not asserted (memory depends on the machine and Node).
//   npm run build && npx tsc -p bench/tsconfig.json && node dist/bench/body-rss.js

const BATCH_BYTES_TARGET = 5 * 1024 * 1024 - 64 * 1024;
const CONCURRENT = 3;
const ROUNDS = 3;

function maximumBatch(round: number, slot: number): string {
  const payload = { filler: 'x'.repeat(200 * 1024) };
  const perEvent = JSON.stringify({ id: 'r00-s0-e000', type: 'tick', payload }).length + 1;
  const count = Math.floor(BATCH_BYTES_TARGET / perEvent);
  const events = Array.from({ length: count }, (_, i) => ({ id: `r${round}-s${slot}-e${i}`, type: 'tick', payload }));
  return JSON.stringify({ events });
}

const mib = (bytes: number | null): string => (bytes === null ? 'n/a' : `${(bytes / 1024 / 1024).toFixed(1)} MiB`);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-body-rss-'));
  const hookd = await HookdProcess.start({ databaseUrl: `sqlite:${join(dir, 'hookd.db')}` });
  try {
    await hookd.expect(201, 'POST', '/v1/event-types', { name: 'tick', description: 'a tick' });
    console.log(`peak RSS after start: ${mib(hookd.peakRssBytes())}`);
    for (let round = 0; round < ROUNDS; round++) {
      const bodies = Array.from({ length: CONCURRENT }, (_, slot) => maximumBatch(round, slot));
      const statuses = await Promise.all(
        bodies.map(async (body) => {
          const response = await hookd.pool.request({
            method: 'POST',
            path: '/v1/events/batch',
            headers: { authorization: `Bearer ${hookd.adminKey}`, 'content-type': 'application/json' },
            body,
          });
          await response.body.text();
          return response.statusCode;
        }),
      );
      const size = mib(Buffer.byteLength(bodies[0]!));
      console.log(`round ${round + 1}: ${CONCURRENT} × ${size} batches answered ${statuses.join(', ')}; peak RSS ${mib(hookd.peakRssBytes())}`);
    }
  } finally {
    await hookd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
