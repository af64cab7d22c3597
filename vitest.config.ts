import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
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
