import { PostgresDb } from '../../src/store/postgres/connection.js';
import { createTestSchema } from '../support/postgres.js';
import { attemptExpressions, statsHistorySuite, type TableRead } from './stats-history.js';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

/** Every table access in an EXPLAIN ANALYZE plan, with the rows it looked at (kept and filtered out). */
function tableReads(node: PlanNode): TableRead[] {
  const own: TableRead[] =
    node['Relation Name'] === undefined
      ? []
      : [
          {
            table: node['Relation Name'],
            how: `${node['Node Type']} ${node['Index Name'] ?? ''}`.trim(),
            rowsRead:
              (node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0)) * node['Actual Loops'],
          },
        ];
  return [...own, ...(node.Plans ?? []).flatMap(tableReads)];
}

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
      async tablesRead(sql, params) {
        const [row] = await db.all<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params);
        return tableReads(row!['QUERY PLAN'][0]!.Plan);
      },
      async close() {
        await db.close();
        await drop();
      },
    };
  },
});
