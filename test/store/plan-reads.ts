import type { SqlDb, Statement } from '../../src/store/dialect.js';
import type { PostgresDb } from '../../src/store/postgres/connection.js';
import type { SqliteDb } from '../../src/store/sqlite/connection.js';

// What the database itself plans for a statement, for the tests that hold reads to a bounded cost
// however much history is stored (the stats-history and list-history suites).

export interface TableRead {
  table: string;
  how: string;
  /** Rows the access looked at (PostgreSQL's EXPLAIN ANALYZE: returned plus filtered out); SQLite does not say. */
  rowsRead: number | null;
}

export interface Plan {
  reads: TableRead[];
  /** SQLite: the plan sorts the rows it found (a temporary B-tree) instead of reading them in order. */
  sorts: boolean;
}

/** A SqlDb that remembers every statement run through it, to ask the database for their plans. */
export function recording(db: SqlDb): { db: SqlDb; statements: Array<{ sql: string; params: unknown[] }> } {
  const statements: Array<{ sql: string; params: unknown[] }> = [];
  const note = (sql: Statement, params: unknown[] = []) => statements.push({ sql: typeof sql === 'string' ? sql : sql.text, params });
  const recorder: SqlDb = {
    dialect: db.dialect,
    all: (sql, params) => (note(sql, params), db.all(sql, params)),
    one: (sql, params) => (note(sql, params), db.one(sql, params)),
    run: (sql, params) => (note(sql, params), db.run(sql, params)),
    inList: (column) => db.inList(column),
    list: (values) => db.list(values),
    greatest: (a, b) => db.greatest(a, b),
    specWithDisabledReason: () => db.specWithDisabledReason(),
    leased: db.leased,
    queued: db.queued,
  };
  return { db: recorder, statements };
}

/** SQLite's EXPLAIN QUERY PLAN: each table it scans or searches, and how. */
export async function sqlitePlan(db: SqliteDb, sql: string, params: unknown[]): Promise<Plan> {
  const plan = await db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params);
  return {
    reads: plan.flatMap(({ detail }): TableRead[] => {
      const access = /^(?:SCAN|SEARCH)(?: TABLE)? (\w+)/.exec(detail);
      return access === null ? [] : [{ table: access[1]!, how: detail, rowsRead: null }];
    }),
    sorts: plan.some(({ detail }) => detail.startsWith('USE TEMP B-TREE')),
  };
}

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

function sortsIn(node: PlanNode): boolean {
  return node['Node Type'].includes('Sort') || (node.Plans ?? []).some(sortsIn);
}

/** PostgreSQL's EXPLAIN ANALYZE (the statement runs): each table access with the rows it looked at. */
export async function postgresPlan(db: PostgresDb, sql: string, params: unknown[]): Promise<Plan> {
  const [row] = await db.all<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params);
  const plan = row!['QUERY PLAN'][0]!.Plan;
  return { reads: tableReads(plan), sorts: sortsIn(plan) };
}
