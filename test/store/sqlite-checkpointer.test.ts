import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Checkpointer, SAFETY_NET_AUTOCHECKPOINT_PAGES } from '../../src/store/sqlite/checkpointer.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

// Committed pages reach the database file only through a checkpoint. With the store's automatic
// checkpoints pushed out to a safety net far above what these tests write, the file grows only if
// the checkpointer thread does its job.

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function freshPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-checkpoint-'));
  dirs.push(dir);
  return join(dir, 'store.db');
}

function openWal(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`wal_autocheckpoint = ${SAFETY_NET_AUTOCHECKPOINT_PAGES}`);
  return db;
}

function writeRows(db: Database.Database, transactions: number): void {
  db.exec('CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
  for (let i = 0; i < transactions; i++) db.transaction(() => insert.run('x'.repeat(2000)))();
}

async function fileSizeWithin(path: string, ms: number, atLeast: number): Promise<number> {
  const until = Date.now() + ms;
  for (;;) {
    const size = statSync(path).size;
    if (size >= atLeast || Date.now() > until) return size;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('SQLite checkpointer thread', () => {
  it('copies committed pages into the database file while the writer goes on', async () => {
    const path = freshPath();
    const db = openWal(path);
    const checkpointer = Checkpointer.start(path);
    try {
      writeRows(db, 300);
      // 300 rows of 2 KB: ~150 pages of table, far below the safety net's 10,000.
      expect(await fileSizeWithin(path, 5000, 500_000)).toBeGreaterThanOrEqual(500_000);
      // The writer is never blocked by it: more commits go through at once.
      writeRows(db, 50);
      expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 350 });
    } finally {
      await checkpointer.stop();
      db.close();
    }
  });

  it('without it, the same writes stay in the WAL (what the first test measures is the thread)', async () => {
    const path = freshPath();
    const db = openWal(path);
    try {
      writeRows(db, 300);
      expect(await fileSizeWithin(path, 500, 500_000)).toBeLessThan(500_000);
      expect(statSync(`${path}-wal`).size).toBeGreaterThan(500_000);
    } finally {
      db.close();
    }
  });

  it('is started by the SQLite store for a database file and stopped by close', async () => {
    const path = freshPath();
    const store = new SqliteStore(path);
    await store.migrate();
    // The schema was committed to the WAL; the thread moves it into the file.
    expect(await fileSizeWithin(path, 5000, 40_000)).toBeGreaterThanOrEqual(40_000);
    await store.close();
    // Closed cleanly: the file can be opened and written again by a new store.
    const again = new SqliteStore(path);
    await again.migrate();
    expect(await again.isReady()).toBe(true);
    await again.close();
  });
});
