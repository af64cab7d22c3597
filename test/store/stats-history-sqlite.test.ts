import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteDb } from '../../src/store/sqlite/connection.js';
import { attemptExpressions, statsHistorySuite, type TableRead } from './stats-history.js';

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
      async tablesRead(sql, params) {
        const plan = await db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params);
        return plan.flatMap(({ detail }): TableRead[] => {
          const access = /^(?:SCAN|SEARCH)(?: TABLE)? (\w+)/.exec(detail);
          return access === null ? [] : [{ table: access[1]!, how: detail, rowsRead: null }];
        });
      },
      async close() {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});
