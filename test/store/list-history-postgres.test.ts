import { PostgresDb } from '../../src/store/postgres/connection.js';
import { createTestSchema } from '../support/postgres.js';
import { DELIVERIES_PER_EVENT, ENDPOINTS, EVENTS, listHistorySuite } from './list-history.js';
import { postgresPlan } from './plan-reads.js';

listHistorySuite('postgres', {
  async open() {
    const { url, drop } = await createTestSchema();
    const db = new PostgresDb(url, { maxConnections: 2 });
    await db.migrate();
    await db.run(
      `INSERT INTO events (id, type, account_id, payload, occurred_at, created_at)
       SELECT 'evt_' || lpad(i::text, 10, '0'), 'order.created', CASE WHEN i % 100 = 0 THEN 'acme' END, '{}', i, i
       FROM generate_series(0::bigint, ? - 1) AS i`,
      [EVENTS],
    );
    await db.run(
      `INSERT INTO deliveries (id, event_id, endpoint_id, account_id, event_type, url, status, attempts, correlation_id, created_at)
       SELECT 'dlv_' || lpad(j::text, 10, '0'), 'evt_' || lpad((j / ${DELIVERIES_PER_EVENT})::text, 10, '0'), 'ep_' || (j % ${ENDPOINTS}),
         CASE WHEN (j / ${DELIVERIES_PER_EVENT}) % 100 = 0 THEN 'acme' END,
         'order.created', 'http://127.0.0.1/hook', CASE WHEN j % 1000 = 999 THEN 'failed' ELSE 'succeeded' END, 1,
         CASE WHEN (j / ${DELIVERIES_PER_EVENT}) % 1000 = 0 THEN 'op_' || (j / ${DELIVERIES_PER_EVENT} / 1000) END, j
       FROM generate_series(0::bigint, ? - 1) AS j`,
      [EVENTS * DELIVERIES_PER_EVENT],
    );
    // What autovacuum would do soon after such a load; the planner then knows the tables' sizes.
    await db.run('ANALYZE events');
    await db.run('ANALYZE deliveries');
    return {
      db,
      plan: (sql, params) => postgresPlan(db, sql, params),
      async close() {
        await db.close();
        await drop();
      },
    };
  },
});
