import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteDb } from '../../src/store/sqlite/connection.js';
import { DELIVERIES_PER_EVENT, ENDPOINTS, EVENTS, listHistorySuite } from './list-history.js';
import { sqlitePlan } from './plan-reads.js';

listHistorySuite('sqlite', {
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'hookd-list-history-'));
    const db = new SqliteDb(join(dir, 'hookd.db'));
    await db.migrate();
    await db.run(
      `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
       INSERT INTO events (id, type, account_id, payload, occurred_at, created_at)
       SELECT 'evt_' || printf('%010d', i), 'order.created', CASE WHEN i % 100 = 0 THEN 'acme' END, '{}', i, i FROM n`,
      [EVENTS - 1],
    );
    await db.run(
      `WITH RECURSIVE n(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM n WHERE j < ?)
       INSERT INTO deliveries (id, event_id, endpoint_id, account_id, event_type, url, status, attempts, correlation_id, created_at)
       SELECT 'dlv_' || printf('%010d', j), 'evt_' || printf('%010d', j / ${DELIVERIES_PER_EVENT}), 'ep_' || (j % ${ENDPOINTS}),
         CASE WHEN (j / ${DELIVERIES_PER_EVENT}) % 100 = 0 THEN 'acme' END,
         'order.created', 'http://127.0.0.1/hook', CASE WHEN j % 1000 = 999 THEN 'failed' ELSE 'succeeded' END, 1,
         CASE WHEN (j / ${DELIVERIES_PER_EVENT}) % 1000 = 0 THEN 'op_' || (j / ${DELIVERIES_PER_EVENT} / 1000) END, j
       FROM n`,
      [EVENTS * DELIVERIES_PER_EVENT - 1],
    );
    return {
      db,
      plan: (sql, params) => sqlitePlan(db, sql, params),
      async close() {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});
