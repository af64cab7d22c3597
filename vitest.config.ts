import { configDefaults, defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// The files that need a PostgreSQL server whatever the backend under test. `npm test` leaves them out
// (and says so loudly) when no PostgreSQL can be had: scripts/test.mjs.
const NEEDS_POSTGRES = ['test/store/postgres.test.ts', 'test/store/stats-history-postgres.test.ts', 'test/store/postgres-partitions.test.ts', 'test/cluster/**', 'test/bench/peers.test.ts', 'test/bench/nodes.test.ts'];
// The bench peers' test also needs Redis (BullMQ), and each broker destination's test its broker;
// left out, loudly, when one cannot be had (scripts/test.mjs).
// The destinations' browser test uses Redis and RabbitMQ, the bench's destinations scenario and the
// connection-loss test all three, the pooled connections' test Redis.
const CONNECTION_LOSS = 'test/delivery/destinations/connection-loss.test.ts';
const NEEDS_REDIS = ['test/bench/peers.test.ts', 'test/bench/nodes.test.ts', 'test/delivery/destinations/redis.test.ts', 'test/ui/destinations.test.ts', 'test/bench/destinations.test.ts', CONNECTION_LOSS, 'test/delivery/destinations/broker-connections.test.ts'];
const NEEDS_RABBITMQ = ['test/delivery/destinations/rabbitmq.test.ts', 'test/ui/destinations.test.ts', 'test/bench/destinations.test.ts', CONNECTION_LOSS];
const NEEDS_NATS = ['test/delivery/destinations/nats.test.ts', 'test/bench/destinations.test.ts', CONNECTION_LOSS];

// The files that take longest (25–75 s each), slowest first: they start first, so that the pass
// does not end on one of them running alone. Without this a fresh clone (no vitest cache, as on CI) runs the largest files first, and the
// bench's tests, small files of 25–50 s each, came last. A prefix names a folder.
const SLOW_FIRST = [
  'test/cluster/ordered-delivery-nodes.test.ts',
  'test/ui/dashboard.test.ts',
  'test/delivery/ordered-delivery.test.ts',
  CONNECTION_LOSS,
  'test/deploy/pack.test.ts',
  'test/bench/',
  'test/store/postgres.test.ts',
  'test/cluster/crash-recovery.test.ts',
  'test/cluster/crash.test.ts',
  'test/delivery/restart.test.ts',
  'test/ui/screenshots.test.ts',
  'test/cli/startup.test.ts',
];

class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const path = file.moduleId.slice(file.project.config.root.length + 1);
      const index = SLOW_FIRST.findIndex((slow) => path.startsWith(slow));
      return index === -1 ? SLOW_FIRST.length : index;
    };
    // Array.prototype.sort is stable: the rest keep vitest's own order (its cache's durations, else size).
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...(process.env.HOOKD_TEST_WITHOUT_POSTGRES === 'true' ? NEEDS_POSTGRES : []),
      ...(process.env.HOOKD_TEST_WITHOUT_REDIS === 'true' ? NEEDS_REDIS : []),
      ...(process.env.HOOKD_TEST_WITHOUT_RABBITMQ === 'true' ? NEEDS_RABBITMQ : []),
      ...(process.env.HOOKD_TEST_WITHOUT_NATS === 'true' ? NEEDS_NATS : []),
    ],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // expect.poll gives up after 1 s by default: too short for a browser page to load and render
    // on a busy two-core machine (a CI run failed that way). A poll that passes returns at once.
    expect: { poll: { timeout: 10_000 } },
    // Integration tests each start their own server on port 0 with their own database file,
    // so files can run in parallel; two workers match the machine's two cores.
    sequence: { sequencer: SlowestFirst },
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    // Each worker imports the modules once for all its files rather than once per file: the suite
    // ran 700 s with a fresh module graph per file (170 s of it importing), 520 s without. No test
    // relies on a fresh one: none sets process.env, patches a module (vi.mock) or registers a
    // global (undici's dispatcher, process handlers), and each starts its own server, store and
    // metrics registry. A test that needs one must not share module state with another file.
    isolate: false,
  },
});
