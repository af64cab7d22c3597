import { PostgresDb } from '../../src/store/postgres/connection.js';
import { createTestSchema } from '../support/postgres.js';
import { postgresPlan } from './plan-reads.js';
import { attemptExpressions, statsHistorySuite } from './stats-history.js';

statsHistorySuite('postgres', {
  async open() {
    const { url, drop } = await createTestSchema();
    const db = new PostgresDb(url, { maxConnections: 2 });
    await db.migrate();
    return {
      db,
      async migrate() {
        await db.migrate();
        // What autovacuum would do soon after the backfill; the planner then knows the table's size.
        await db.run('ANALYZE endpoint_attempt_rollups');
      },
      async insertAttempts(count, now) {
        await db.run(
          `INSERT INTO attempts (id, delivery_id, endpoint_id, started_at, duration_ms, status_code, request_headers, response_headers)
           SELECT ${attemptExpressions(now)} FROM generate_series(0::bigint, ? - 1) AS i`,
          [count],
        );
      },
      tablesRead: async (sql, params) => (await postgresPlan(db, sql, params)).reads,
      async close() {
        await db.close();
        await drop();
      },
    };
  },
});
