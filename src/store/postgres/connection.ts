import pg from 'pg';
import type { Statement, SqlDb } from '../dialect.js';
import { loadMigrations, refuseNewerSchema } from '../migrations.js';
import { isStoreUnavailable } from '../unavailable.js';
import { LocalConfigChanges } from '../shared/config-cache.js';
import { changesCachedConfig } from '../shared/config-writes.js';
import { LEASED, QUEUED } from './lease-state.js';
import { WorkChannel } from './work-channel.js';

// The PostgreSQL database, for several hookd nodes: a pool of connections, transactions on one of
// them, an advisory lock around migrations, and the channel that wakes other nodes' workers.

// BIGINT (times in ms, counts) arrives as a string by default; every value hookd stores fits a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** Numbers that identify hookd's advisory locks among the database's. */
const MIGRATION_LOCK = 7_461_011;
export const RETENTION_LOCK = 7_461_012;
export const SEALING_LOCK = 7_461_013;
export const ROLLUP_MERGE_LOCK = 7_461_014;
export const PARTITION_LOCK = 7_461_031;

/**
 * A sweep's advisory lock key in this schema. Advisory locks are per database: two installs in two
 * schemas of one database (the PostgreSQL test pass runs dozens at once) would otherwise skip each
 * other's retention, partition and merge rounds. The public schema keeps the bare key, which nodes
 * of earlier versions take, so a rolling upgrade there never runs one sweep on two nodes at once.
 */
const SCHEMA_LOCK_KEY = "CASE WHEN current_schema() = 'public' THEN ?::bigint ELSE hashtextextended(current_schema(), ?::bigint) END";

/** Takes a sweep's lock for the transaction if no other node holds it; false when one does. */
export async function tryLockForTransaction(tx: PgQueries, lock: number): Promise<boolean> {
  return (await tx.one<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock(${SCHEMA_LOCK_KEY}) AS ok`, [lock, lock]))?.ok === true;
}

/** Waits for a sweep's lock, held until the transaction ends. */
export async function lockForTransaction(tx: PgQueries, lock: number): Promise<void> {
  await tx.one(`SELECT pg_advisory_xact_lock(${SCHEMA_LOCK_KEY})`, [lock, lock]);
}

/** Shared statements use `?`; PostgreSQL numbers its parameters. Converted once per text. */
const numbered = new Map<string, string>();

function numberParameters(text: string): string {
  let converted = numbered.get(text);
  if (converted === undefined) {
    let n = 0;
    converted = text.replace(/\?/g, () => `$${++n}`);
    numbered.set(text, converted);
  }
  return converted;
}

/**
 * deliveries is partitioned by status (migrations/postgres/0022): finishing or canceling a delivery
 * moves its row from the queue to the history. A statement that meets such a row after another
 * transaction moved it fails with serialization_failure (40001: "tuple to be locked was already
 * moved to another partition") where, within one table, it re-checked the row's new version and
 * went on. It wrote nothing, so it is run again: its new snapshot finds the row where it is now.
 * Rare (a cancel racing a worker's result, a claim racing a cancel), so a few tries are enough.
 */
const MOVED_ROW_TRIES = 5;

function isMovedRow(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '40001';
}

async function retryingMovedRows<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (!isMovedRow(error) || attempt >= MOVED_ROW_TRIES) throw error;
    }
  }
}


function textOf(sql: Statement): string {
  return typeof sql === 'string' ? sql : sql.text;
}

function queryOf(sql: Statement, values: unknown[]): pg.QueryConfig {
  return typeof sql === 'string'
    ? { text: numberParameters(sql), values }
    : { name: sql.name, text: numberParameters(sql.text), values };
}

/** Statements on one connection or the pool (SqlDb, for the shared statements). */
export class PgQueries implements SqlDb {
  readonly leased = LEASED;
  readonly queued = QUEUED;
  readonly dialect = 'postgres' as const;

  /** In a transaction: a statement may have changed cached config (told once the transaction ends). */
  changedConfig = false;

  /** On the pool each statement is its own transaction and is retried alone; in a transaction the whole transaction is (PostgresDb.transaction). */
  constructor(
    protected readonly on: pg.Pool | pg.PoolClient,
    protected readonly configChanges: LocalConfigChanges,
  ) {}

  private async query(sql: Statement, params: unknown[]): Promise<pg.QueryResult> {
    const query = queryOf(sql, params);
    if (!(this.on instanceof pg.Pool)) {
      if (changesCachedConfig(textOf(sql))) this.changedConfig = true;
      return this.on.query(query);
    }
    try {
      return await retryingMovedRows(() => this.on.query(query));
    } finally {
      // Even when it failed: a statement cut off by a lost connection may have committed.
      if (changesCachedConfig(textOf(sql))) this.configChanges.committed();
    }
  }

  async all<T>(sql: Statement, params: unknown[] = []): Promise<T[]> {
    return (await this.query(sql, params)).rows as T[];
  }

  async one<T>(sql: Statement, params: unknown[] = []): Promise<T | undefined> {
    return (await this.query(sql, params)).rows[0] as T | undefined;
  }

  async run(sql: Statement, params: unknown[] = []): Promise<number> {
    return (await this.query(sql, params)).rowCount ?? 0;
  }

  inList(column: string): string {
    return `${column} = ANY(?::text[])`;
  }

  list(values: readonly string[]): readonly string[] {
    return values;
  }

  greatest(a: string, b: string): string {
    return `greatest(${a}, ${b})`;
  }

  specWithDisabledReason(): string {
    return "(spec::jsonb || jsonb_build_object('disabledReason', ?::text))::text";
  }
}

export class PostgresDb extends PgQueries {
  private readonly pool: pg.Pool;
  private readonly migrationCount = loadMigrations('postgres').length;
  readonly work: WorkChannel;

  constructor(connectionString: string, options: { maxConnections?: number } = {}) {
    const pool = new pg.Pool({ connectionString, max: options.maxConnections ?? 10, connectionTimeoutMillis: 5000 });
    super(pool, new LocalConfigChanges());
    this.pool = pool;
    // A connection dropped while idle (the database restarting) must not crash the process: the
    // pool discards it and the next query opens a new one.
    this.pool.on('error', () => undefined);
    // Nor one dropped while checked out between two queries of a transaction: pg emits that on the
    // client, where an unheard 'error' event would end the process. The next query fails instead.
    this.pool.on('connect', (client) => client.on('error', () => undefined));
    this.work = new WorkChannel(connectionString);
  }

  /**
   * Runs `body` in one transaction on one connection; rolls back when it throws. A transaction that
   * met a row moved between partitions meanwhile is run again whole (retryingMovedRows): `body`
   * must only read and write the database.
   */
  async transaction<T>(body: (tx: PgQueries) => Promise<T>): Promise<T> {
    return retryingMovedRows(() => this.transactionOnce(body));
  }

  private async transactionOnce<T>(body: (tx: PgQueries) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const tx = new PgQueries(client, this.configChanges);
    let result: T;
    try {
      await client.query('BEGIN');
      result = await body(tx);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      // A connection that failed must not go back to the pool to fail the next caller too.
      client.release(isStoreUnavailable(error) ? true : undefined);
      throw error;
    } finally {
      // Rolled back too: a COMMIT whose answer was lost may have committed.
      if (tx.changedConfig) this.configChanges.committed();
    }
    client.release();
    return result;
  }

  /** Calls `listener` after each of this node's statements or transactions that may have changed cached config. */
  onLocalConfigChange(listener: () => void): void {
    this.configChanges.listen(listener);
  }

  async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      // Nodes starting together wait here in turn, so each migration is applied exactly once.
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
      );
      const migrations = loadMigrations('postgres');
      const applied = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
      refuseNewerSchema(applied.rows.map((row) => row.version), migrations);
      for (const migration of migrations) {
        const applied = await client.query('SELECT 1 FROM schema_migrations WHERE version = $1', [migration.version]);
        if (applied.rowCount !== 0) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
            migration.version,
            migration.name,
            Date.now(),
          ]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
      client.release();
    }
  }

  async isReady(): Promise<boolean> {
    try {
      const row = await this.one<{ n: number }>('SELECT count(*) AS n FROM schema_migrations');
      return row !== undefined && row.n >= this.migrationCount;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.work.close();
    await this.pool.end();
  }
}
