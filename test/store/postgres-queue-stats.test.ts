import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresDb } from '../../src/store/postgres/connection.js';
import { CLOCK_SKEW_MS, postgresQueueStats, QUEUE_STATS } from '../../src/store/postgres/queue-stats.js';
import { createTestSchema } from '../support/postgres.js';

// /metrics reads the queue's counts at every scrape (issue 19): with retries waiting by the ten
// thousand, at endpoints that fail and endpoints that are paused, the counts must come from
// indexes, not from reading every pending row, and never spread over parallel workers.

const NOW = 1_800_000_000_000;
const SCHEDULED = 40_000;
const PARKED = 40_000;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Heap Fetches'?: number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

describe('postgres queue stats over a large backlog', () => {
  let db: PostgresDb;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const schema = await createTestSchema();
    drop = schema.drop;
    db = new PostgresDb(schema.url, { maxConnections: 2 });
    await db.migrate();
    const insert = (prefix: string, count: number, nextAttemptAt: string, extra: { parked?: number; lease?: boolean; blocked?: boolean } = {}) =>
      db.run(
        `INSERT INTO deliveries (id, event_id, endpoint_id, event_type, url, status, attempts, next_attempt_at, created_at, parked, lease_owner, lease_expires_at, blocked_by)
         SELECT '${prefix}' || i, 'evt_' || i, 'ep_' || (i % 7), 't', 'http://127.0.0.1/hook', 'pending', 1, ${nextAttemptAt}, ${NOW - 3_600_000},
           ${extra.parked ?? 0}, ${extra.lease ? "'node_a'" : 'NULL'}, ${extra.lease ? NOW + 30_000 : 'NULL'}, ${extra.blocked ? "'dlv_first'" : 'NULL'}
         FROM generate_series(1, ${count}) AS i`,
      );
    // Retries hours ahead (failing endpoints), rows parked for paused endpoints since up to 10 minutes ago.
    await insert('sched_', SCHEDULED, `${NOW + CLOCK_SKEW_MS + 1} + i * 1000`);
    await insert('parked_', PARKED, `${NOW - 600_000} + i`, { parked: 1 });
    // Due now, held by a worker, due within the minute, and waiting behind a delivery of their FIFO chain.
    await insert('due_', 30, `${NOW - 5_000} - i`);
    await insert('held_', 12, `${NOW - 1_000}`, { lease: true });
    await insert('soon_', 5, `${NOW + 10_000}`);
    await insert('waiting_', 3, 'NULL', { blocked: true });
    await db.run(`INSERT INTO deliveries (id, event_id, endpoint_id, event_type, url, status, attempts, created_at, completed_at)
      SELECT 'done_' || i, 'evt_' || i, 'ep_1', 't', 'http://127.0.0.1/hook', 'succeeded', 1, ${NOW}, ${NOW} FROM generate_series(1, 1000) AS i`);
    // What autovacuum does soon after such a load: statistics, and pages marked all-visible.
    await db.run('VACUUM ANALYZE deliveries');
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    await drop?.();
  });

  it('counts each state exactly', async () => {
    expect(await postgresQueueStats(db, NOW)).toEqual({
      due: 30 + PARKED,
      scheduled: SCHEDULED + 5,
      sending: 12,
      waiting: 3,
      oldestDueAt: NOW - 600_000 + 1,
    });
    // A minute on, what was due soon is due, and the oldest is still the first parked row.
    expect(await postgresQueueStats(db, NOW + 60_000)).toMatchObject({ due: 30 + PARKED + 5, scheduled: SCHEDULED, sending: 12 });
  });

  it('reads no waiting retry from the table, and works in one process', async () => {
    const plan = await db.transaction(async (tx) => {
      await tx.run('SET LOCAL max_parallel_workers_per_gather = 0');
      const [row] = await tx.all<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${QUEUE_STATS.text}`, [NOW, NOW + CLOCK_SKEW_MS]);
      return row!['QUERY PLAN'][0]!.Plan;
    });
    const nodes = nodesOf(plan);
    const reads = nodes.filter((node) => node['Relation Name'] !== undefined);
    const rowsOf = (node: PlanNode) => (node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0)) * node['Actual Loops'];
    // The scheduled retries are counted in deliveries_due without visiting the table; what is read
    // from the queue's table is the due range (due, held, soon: 47 rows). The parked partition holds
    // parked rows only, so it is counted whole (from an index or the table, as the planner finds cheaper).
    for (const read of reads.filter((node) => node['Relation Name'] === 'deliveries_queue')) {
      if (read['Node Type'] === 'Index Only Scan') expect(read['Heap Fetches']).toBe(0);
      else expect(rowsOf(read), read['Node Type']).toBeLessThan(100);
    }
    expect(reads.some((read) => read['Relation Name'] === 'deliveries_queue' && read['Node Type'] === 'Index Only Scan' && rowsOf(read) === SCHEDULED)).toBe(true);
    expect(reads.map((read) => read['Relation Name'])).not.toContain('deliveries_history');
    expect(nodes.some((node) => node['Node Type'] === 'Gather')).toBe(false);
  });
});
