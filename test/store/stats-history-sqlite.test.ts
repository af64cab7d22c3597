import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteDb } from '../../src/store/sqlite/connection.js';
import { sqlitePlan } from './plan-reads.js';
import { attemptExpressions, statsHistorySuite } from './stats-history.js';

statsHistorySuite('sqlite', {
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'hookd-stats-history-'));
    const db = new SqliteDb(join(dir, 'hookd.db'));
    await db.migrate();
    return {
      db,
      migrate: () => db.migrate(),
      async insertAttempts(count, now) {
        await db.run(
          `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
           INSERT INTO attempts (id, delivery_id, endpoint_id, started_at, duration_ms, status_code, request_headers, response_headers)
           SELECT ${attemptExpressions(now)} FROM n`,
          [count - 1],
        );
      },
      tablesRead: async (sql, params) => (await sqlitePlan(db, sql, params)).reads,
      async close() {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});
