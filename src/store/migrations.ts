import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';
import { StartupFailure } from '../startup-failure.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The numbered, forward-only SQL files of one dialect, in order: `migrations/<dialect>/0001_init.sql`. */
export function loadMigrations(dialect: 'sqlite' | 'postgres'): Migration[] {
  const dir = join(packageRoot, 'migrations', dialect);
  return readdirSync(dir)
    .filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => ({
      version: Number(file.slice(0, 4)),
      name: file.slice(5, -4),
      sql: readFileSync(join(dir, file), 'utf8'),
    }));
}

/**
 * Refuses a database that a newer hookd has migrated: this one does not know its schema, and
 * writing to it could lose data (a column it does not fill, a table it does not clean). Migrations
 * are forward only, so the way back is the newer hookd, or a backup taken before the upgrade.
 */
export function refuseNewerSchema(appliedVersions: readonly number[], known: readonly Migration[]): void {
  const latestKnown = Math.max(0, ...known.map((migration) => migration.version));
  const newest = Math.max(0, ...appliedVersions);
  if (newest > latestKnown) {
    throw new StartupFailure(
      `the database was migrated by a newer hookd (schema version ${newest}; this hookd knows up to ${latestKnown}): run that newer hookd, or restore a backup taken before the upgrade`,
    );
  }
}
