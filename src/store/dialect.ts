// The seam between the two adapters. Statements that mean the same on SQLite and PostgreSQL are
// written once (src/store/shared/*), with `?` placeholders and portable SQL (`CAST(? AS TEXT)`,
// `IS NOT DISTINCT FROM`, `ON CONFLICT`, `RETURNING`); what differs is the few words below. Each
// adapter runs them through its own SqlDb, and keeps to itself only what pays for itself:
// transactions (better-sqlite3's are synchronous), SQLite's `INDEXED BY`, PostgreSQL's
// `SKIP LOCKED`, `unnest` batches and one-statement ingest.

/** A statement PostgreSQL prepares once per connection (by name); SQLite caches every statement anyway. */
export interface Named {
  name: string;
  text: string;
}

export type Statement = string | Named;

export interface SqlDb {
  readonly dialect: 'sqlite' | 'postgres';
  all<T>(sql: Statement, params?: unknown[]): Promise<T[]>;
  one<T>(sql: Statement, params?: unknown[]): Promise<T | undefined>;
  /** Returns how many rows changed. */
  run(sql: Statement, params?: unknown[]): Promise<number>;
  /** `column` is one of a list of strings bound as one parameter (see `list`). */
  inList(column: string): string;
  /** The parameter for inList: a JSON array for SQLite's json_each, a text[] for PostgreSQL. */
  list(values: readonly string[]): unknown;
  /** The larger of two numbers (SQLite's two-argument max, PostgreSQL's greatest). */
  greatest(a: string, b: string): string;
  /** The endpoint's `spec` JSON with `disabledReason` set to the next parameter. */
  specWithDisabledReason(): string;
  /**
   * The condition that a delivery is held under a lease (shown as `sending`), and that it waits in
   * the queue (`pending`, no lease). SQLite writes the status `sending` with the lease; PostgreSQL
   * keeps `pending` and lets the lease say it, so that a claim changes no indexed column and is a
   * HOT update (docs/decisions.md, "Leases without a status change on PostgreSQL").
   */
  readonly leased: string;
  readonly queued: string;
}

/** Optional filters are written `(CAST(? AS TEXT) IS NULL OR column = ?)`: each value is bound twice. */
export function twice<T>(value: T | undefined): [T | null, T | null] {
  const bound = value ?? null;
  return [bound, bound];
}
