import { configDefaults, defineConfig } from 'vitest/config';

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
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
