import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Statement, SqlDb } from '../dialect.js';
import { loadMigrations, refuseNewerSchema } from '../migrations.js';
import { LocalConfigChanges } from '../shared/config-cache.js';
import { changesCachedConfig } from '../shared/config-writes.js';
import { Checkpointer, SAFETY_NET_AUTOCHECKPOINT_PAGES } from './checkpointer.js';

// The embedded database. better-sqlite3 is synchronous: each statement, and each transaction,
// runs to completion on the event loop, so a transaction here can never interleave with another of
// this process. That is why transactions are written with the synchronous methods below (an async
// body would let other callers' statements slip into it between two awaits). WAL mode lets
// readers proceed while the single writer commits.

type Params = unknown[];

interface Prepared {
  statement: Database.Statement;
  /** Whether running it may change what the config cache holds (config-writes.ts). */
  changesConfig: boolean;
}

export class SqliteDb implements SqlDb {
  readonly leased = "status = 'sending'";
  readonly queued = "status = 'pending'";
  readonly dialect = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Prepared>();
  private readonly configChanges = new LocalConfigChanges();
  /** `PRAGMA data_version` when last read: it changes when another connection commits to the file. */
  private dataVersion: unknown = null;
  private readonly migrationCount = loadMigrations('sqlite').length;
  /** Null for an in-memory database, which has no WAL. */
  private readonly checkpointer: Checkpointer | null = null;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a commit survives a crash of hookd (kill -9); only an OS crash or power
    // loss can lose the last transactions. FULL would fsync every commit for that last case.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = OFF');
    if (path !== ':memory:') {
      this.db.pragma(`wal_autocheckpoint = ${SAFETY_NET_AUTOCHECKPOINT_PAGES}`);
      this.checkpointer = Checkpointer.start(path);
    }
  }

  /** A PRAGMA on this connection (`secure_delete = ON`, `wal_checkpoint(TRUNCATE)`). */
  pragma(text: string): unknown {
    return this.db.pragma(text);
  }

  private prepared(sql: Statement): Prepared {
    const text = typeof sql === 'string' ? sql : sql.text;
    let prepared = this.statements.get(text);
    if (prepared === undefined) {
      prepared = { statement: this.db.prepare(text), changesConfig: changesCachedConfig(text) };
      this.statements.set(text, prepared);
    }
    return prepared;
  }

  /**
   * Runs `execute` on the statement; then, when it may have changed cached config, tells the
   * listeners (in a transaction too: a rollback after it costs only a cache miss).
   */
  private execute<R>(sql: Statement, execute: (statement: Database.Statement) => R): R {
    const { statement, changesConfig } = this.prepared(sql);
    try {
      return execute(statement);
    } finally {
      if (changesConfig) this.configChanges.committed();
    }
  }

  /** Calls `listener` after each statement of this process that may have changed cached config. */
  onConfigChange(listener: () => void): void {
    this.configChanges.listen(listener);
  }

  /**
   * Tells the config listeners when another process (or connection) has committed to the file
   * since the last call: `hookd keys create` beside the server, a second server on the same file.
   */
  noticeOutsideCommits(): void {
    const version = this.oneNow<{ data_version: number }>('PRAGMA data_version')?.data_version;
    if (version === this.dataVersion) return;
    const first = this.dataVersion === null;
    this.dataVersion = version;
    if (!first) this.configChanges.committed();
  }

  // Synchronous, for transactions.

  allNow<T>(sql: Statement, params: Params = []): T[] {
    return this.execute(sql, (statement) => statement.all(...params) as T[]);
  }

  oneNow<T>(sql: Statement, params: Params = []): T | undefined {
    return this.execute(sql, (statement) => statement.get(...params) as T | undefined);
  }

  runNow(sql: Statement, params: Params = []): number {
    return this.execute(sql, (statement) => statement.run(...params).changes);
  }

  /** Runs `body` in one transaction; IMMEDIATE takes the write lock first (for migrations across processes). */
  transaction<T>(body: () => T, mode: 'deferred' | 'immediate' = 'deferred'): T {
    const run = this.db.transaction(body);
    return mode === 'immediate' ? run.immediate() : run();
  }

  // The seam (SqlDb).

  async all<T>(sql: Statement, params: Params = []): Promise<T[]> {
    return this.allNow<T>(sql, params);
  }

  async one<T>(sql: Statement, params: Params = []): Promise<T | undefined> {
    return this.oneNow<T>(sql, params);
  }

  async run(sql: Statement, params: Params = []): Promise<number> {
    return this.runNow(sql, params);
  }

  inList(column: string): string {
    return `${column} IN (SELECT value FROM json_each(?))`;
  }

  list(values: readonly string[]): string {
    return JSON.stringify(values);
  }

  greatest(a: string, b: string): string {
    return `max(${a}, ${b})`;
  }

  specWithDisabledReason(): string {
    return "json_set(spec, '$.disabledReason', ?)";
  }

  // Lifecycle.

  async migrate(): Promise<void> {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
    );
    const migrations = loadMigrations('sqlite');
    refuseNewerSchema(this.allNow<{ version: number }>('SELECT version FROM schema_migrations').map((row) => row.version), migrations);
    for (const migration of migrations) {
      // IMMEDIATE takes the write lock first, so two processes starting at once apply each migration once.
      this.transaction(() => {
        if (this.oneNow('SELECT 1 FROM schema_migrations WHERE version = ?', [migration.version]) !== undefined) return;
        this.db.exec(migration.sql);
        this.runNow('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
          migration.version,
          migration.name,
          Date.now(),
        ]);
      }, 'immediate');
    }
    // Migrations run through exec, which the classifier does not see: whatever was cached is gone.
    this.configChanges.committed();
  }

  async isReady(): Promise<boolean> {
    try {
      const row = this.oneNow<{ n: number }>('SELECT count(*) AS n FROM schema_migrations');
      return row !== undefined && row.n >= this.migrationCount;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.checkpointer?.stop();
    if (this.db.open) this.db.close();
  }
}
