import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadMigrations } from '../../src/store/migrations.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

// SQLite cannot alter a table's CHECK or column types in place, so some migrations rebuild a table
// (create, copy, drop, rename) and must recreate its indexes by hand. A rebuild written beside a
// migration that added an index (0017 beside 0013) once dropped it, and every claim failed. This
// test replays the migrations' own CREATE and DROP INDEX statements and checks that the migrated
// database has exactly the indexes they leave.

function indexesLeftByMigrations(): Set<string> {
  const left = new Set<string>();
  for (const migration of loadMigrations('sqlite')) {
    // In statement order: a migration may drop an index and create it again with a new predicate (0019).
    for (const [, verb, name] of migration.sql.matchAll(/(CREATE|DROP) (?:UNIQUE )?INDEX (?:IF (?:NOT )?EXISTS )?(\w+)/gi)) {
      if (verb!.toUpperCase() === 'CREATE') left.add(name!);
      else left.delete(name!);
    }
  }
  return left;
}

describe('SQLite migrations', () => {
  it('leave every index the migrations create and do not drop, after table rebuilds too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookd-migrations-'));
    try {
      const path = join(dir, 'hookd.db');
      const store = new SqliteStore(path);
      await store.migrate();
      await store.close();
      const db = new Database(path, { readonly: true });
      const present = new Set(
        (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex_%'").all() as Array<{ name: string }>).map(
          (row) => row.name,
        ),
      );
      db.close();
      const expected = indexesLeftByMigrations();
      expect(expected.has('deliveries_due_by_account')).toBe(true);
      expect([...present].sort()).toEqual([...expected].sort());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
