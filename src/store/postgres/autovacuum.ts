import type { ConfigurationWarning } from '../store.js';
import type { PgQueries } from './connection.js';

// hookd updates deliveries several times each and deletes events, deliveries and operations by
// age: without autovacuum their dead rows are never reclaimed, the tables and indexes grow without
// end and the claim slows down. Attempt partitions are dropped whole and need no vacuum, but the
// rest does. Checked at start, so an operator reads it in the first lines of the log.

/** What the server says about vacuuming, as read by readAutovacuumSettings. */
export interface AutovacuumSettings {
  /** pg_settings' value of `autovacuum`: 'on' or 'off'. */
  autovacuum: string;
  /** pg_settings' value of `track_counts`: autovacuum needs it to know which tables to vacuum. */
  trackCounts: string;
  /** hookd's tables with the storage parameter autovacuum_enabled set to false. */
  tablesWithAutovacuumOff: string[];
}

const HOW_TO_RELOAD = 'SELECT pg_reload_conf()';

/** The warnings to log for these settings: none when autovacuum runs on every hookd table. */
export function autovacuumWarnings(settings: AutovacuumSettings): ConfigurationWarning[] {
  const warnings: ConfigurationWarning[] = [];
  if (settings.autovacuum !== 'on') {
    warnings.push({
      setting: 'autovacuum',
      message: `PostgreSQL autovacuum is ${settings.autovacuum}: hookd's tables will bloat and the queue slow down; set autovacuum = on (ALTER SYSTEM SET autovacuum = on; ${HOW_TO_RELOAD})`,
    });
  }
  if (settings.trackCounts !== 'on') {
    warnings.push({
      setting: 'track_counts',
      message: `PostgreSQL track_counts is ${settings.trackCounts}, so autovacuum cannot tell which tables need it: set track_counts = on (ALTER SYSTEM SET track_counts = on; ${HOW_TO_RELOAD})`,
    });
  }
  if (settings.tablesWithAutovacuumOff.length > 0) {
    const tables = settings.tablesWithAutovacuumOff.join(', ');
    warnings.push({
      setting: 'autovacuum_enabled',
      message: `autovacuum is off for hookd's table(s) ${tables} (storage parameter autovacuum_enabled): they will bloat; ALTER TABLE <table> RESET (autovacuum_enabled) on each`,
    });
  }
  return warnings;
}

/** autovacuum_enabled=false (or off, no, 0) on a table of the schema that holds hookd's `events`. */
const SETTINGS = `SELECT
    (SELECT setting FROM pg_settings WHERE name = 'autovacuum') AS autovacuum,
    (SELECT setting FROM pg_settings WHERE name = 'track_counts') AS track_counts,
    coalesce((SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_class c
      WHERE c.relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = 'events'::regclass)
        AND c.relkind = 'r'
        AND EXISTS (SELECT 1 FROM unnest(c.reloptions) AS o WHERE o ~* '^autovacuum_enabled=(false|off|no|0|f|n)$')
    ), '{}') AS tables_off`;

export async function readAutovacuumSettings(db: PgQueries): Promise<AutovacuumSettings> {
  const row = await db.one<{ autovacuum: string; track_counts: string; tables_off: string[] }>(SETTINGS);
  return { autovacuum: row?.autovacuum ?? 'on', trackCounts: row?.track_counts ?? 'on', tablesWithAutovacuumOff: row?.tables_off ?? [] };
}
