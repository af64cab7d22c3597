import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { StartupFailure } from '../startup-failure.js';

// `hookd backup <file>` for the embedded database: a consistent copy taken while hookd runs.
// Copying hookd.db with cp is not a backup: in WAL mode the latest commits live in hookd.db-wal,
// and a copy made during a write or a checkpoint can be torn. SQLite's online backup API copies
// the database as one snapshot through a connection of its own, so hookd keeps ingesting and
// delivering meanwhile.

/**
 * Pages per backup step. SQLite restarts a backup whose source another connection wrote to
 * between two steps; under steady traffic a copy in small steps could restart for ever. All the
 * remaining pages in one step are read in one read transaction — one snapshot — which in WAL mode
 * never blocks hookd's writer.
 */
const ALL_PAGES_AT_ONCE = 1 << 30;

export interface BackupResult {
  bytes: number;
  pages: number;
}

export async function backupSqlite(sourcePath: string, destination: string): Promise<BackupResult> {
  if (!existsSync(sourcePath)) {
    throw new StartupFailure(`there is no SQLite database at ${sourcePath}: set HOOKD_DATABASE_URL (--database-url) to the one hookd serves`);
  }
  // Written beside the destination, then renamed: a failed or interrupted backup never leaves a
  // half-written file where the last good backup was.
  const partial = `${destination}.partial-${process.pid}`;
  const source = new Database(sourcePath, { fileMustExist: true });
  try {
    source.pragma('busy_timeout = 5000');
    const { totalPages } = await source.backup(partial, { progress: () => ALL_PAGES_AT_ONCE });
    checkCopy(partial);
    renameSync(partial, destination);
    return { bytes: statSync(destination).size, pages: totalPages };
  } catch (error) {
    rmSync(partial, { force: true });
    if (error instanceof StartupFailure) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw new StartupFailure(`cannot back up ${sourcePath} to ${destination}: ${code ? `${code} ` : ''}${(error as Error).message.split('\n')[0]}`);
  } finally {
    source.close();
  }
}

/** The copy opens, passes SQLite's own check, and is a hookd database. */
function checkCopy(path: string): void {
  const copy = new Database(path, { fileMustExist: true });
  try {
    const check = copy.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new StartupFailure(`the backup at ${path} failed SQLite's check: ${String(check)}`);
    const table = copy.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
    if (table === undefined) throw new StartupFailure(`${path}: the source is not a hookd database (no schema_migrations table)`);
  } finally {
    copy.close();
  }
}
