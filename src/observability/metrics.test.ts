import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { Store } from '../store/store.js';
import { HookdMetrics } from './metrics.js';
import { OTHER, TalliedCounter } from './tallied-counter.js';

describe('TalliedCounter', () => {
  it('exposes counts per label pair, and counts values past the budget under _other', async () => {
    const registry = new Registry();
    const counter = new TalliedCounter(registry, { name: 't_total', help: 'test', labelNames: ['endpoint', 'outcome'], maxFirstLabelValues: 2 });
    counter.inc('ep_a', 'succeeded');
    counter.inc('ep_a', 'succeeded');
    counter.inc('ep_b', 'failed');
    counter.inc('ep_c', 'succeeded');
    counter.inc('ep_d', 'succeeded');
    counter.inc('ep_a', 'retrying');
    const text = await registry.metrics();
    expect(text).toContain('t_total{endpoint="ep_a",outcome="succeeded"} 2');
    expect(text).toContain('t_total{endpoint="ep_a",outcome="retrying"} 1');
    expect(text).toContain('t_total{endpoint="ep_b",outcome="failed"} 1');
    expect(text).toContain(`t_total{endpoint="${OTHER}",outcome="succeeded"} 2`);
    expect(text).not.toContain('ep_c');
    // A second scrape shows the same totals, not doubled ones.
    expect(await registry.metrics()).toBe(text);
  });

  it('works with one label', async () => {
    const registry = new Registry();
    const counter = new TalliedCounter(registry, { name: 'one_total', help: 'test', labelNames: ['type'], maxFirstLabelValues: 10 });
    counter.inc('a.b');
    expect(await registry.metrics()).toContain('one_total{type="a.b"} 1');
  });
});

describe('HookdMetrics when the database cannot be read', () => {
  it('still answers, with hookd_database_up 0, no queue depth and an unknown oldest age', async () => {
    const errors: unknown[] = [];
    const unreachable = { dialect: 'postgres', queueStats: () => Promise.reject(new Error('connection refused')) } as unknown as Store;
    const metrics = new HookdMetrics({
      store: unreachable,
      clock: { now: () => 0 },
      role: 'worker',
      workerConcurrency: 8,
      workerLoad: () => 2,
      workerTaken: () => ({ handOff: 3, claim: 2, retry: 1 }),
      onQueueError: (error) => errors.push(error),
    });
    const text = await metrics.exposition();
    expect(text).toContain('hookd_database_up 0');
    // prom-client writes NaN as "Nan"; Prometheus parses it either way.
    expect(text).toMatch(/^hookd_oldest_due_delivery_age_seconds nan$/im);
    expect(text).not.toMatch(/^hookd_queue_depth\{/m);
    expect(text).toContain('hookd_worker_saturation 0.25');
    // Read from the worker at each scrape, whatever the database.
    expect(text).toContain('hookd_worker_deliveries_taken_total{via="hand_off"} 3');
    expect(text).toContain('hookd_worker_deliveries_taken_total{via="claim"} 2');
    expect(text).toContain('hookd_worker_deliveries_taken_total{via="retry"} 1');
    expect(errors).toHaveLength(1);
  });
});

describe('HookdMetrics counting a large queue', () => {
  /** A store whose queue count takes `countMs` (as a count over a large backlog does) and is counted. */
  function slowCountingStore(countMs: number) {
    const counts = { made: 0 };
    const store = {
      dialect: 'postgres',
      queueStats: async (now: number) => {
        counts.made += 1;
        await new Promise((resolve) => setTimeout(resolve, countMs));
        return { due: counts.made, scheduled: 0, sending: 0, waiting: 0, oldestDueAt: now - 10_000 };
      },
    } as unknown as Store;
    return { store, counts };
  }

  function metricsOf(store: Store, clock: { now: () => number }): HookdMetrics {
    return new HookdMetrics({ store, clock, role: 'api', workerConcurrency: null, workerLoad: () => 0, workerTaken: () => ({ handOff: 0, claim: 0, retry: 0 }), onQueueError: () => {} });
  }

  it('reuses a slow count for the next scrapes, with the oldest due age still moving with the clock', async () => {
    const { store, counts } = slowCountingStore(60);
    let now = 1_000_000;
    const metrics = metricsOf(store, { now: () => now });
    expect(await metrics.exposition()).toMatch(/^hookd_queue_depth\{state="due"\} 1$/m);
    now += 5_000;
    const again = await metrics.exposition();
    // 60 ms of counting stands for 1.2 s: the second scrape did not count again.
    expect(counts.made).toBe(1);
    expect(again).toMatch(/^hookd_queue_depth\{state="due"\} 1$/m);
    expect(again).toMatch(/^hookd_oldest_due_delivery_age_seconds 15$/m);
  });

  it('counts again at every scrape when the count is quick', async () => {
    const { store, counts } = slowCountingStore(1);
    const metrics = metricsOf(store, { now: () => 1_000_000 });
    await metrics.exposition();
    expect(await metrics.exposition()).toMatch(/^hookd_queue_depth\{state="due"\} 2$/m);
    expect(counts.made).toBe(2);
  });
});
