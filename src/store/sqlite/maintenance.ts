import type { SecretBox } from '../../domain/secret-box.js';
import * as rows from '../rows.js';
import { sealStaleSecrets } from '../shared/sealing.js';
import { disableEndpoint, FAILING_ENDPOINTS, purgeStatements, reserveRateSlot } from '../shared/maintenance.js';
import type { MaintenanceStore } from '../store.js';
import type { SqliteDb } from './connection.js';

// One process writes at a time, so the sweeps need no locks here: each runs in one transaction.

export function sqliteMaintenance(db: SqliteDb, box: SecretBox): MaintenanceStore {
  const purge = purgeStatements(db);
  const disable = disableEndpoint(db);
  const rateSlot = reserveRateSlot(db);
  return {
    // Before the port is bound, in the one process that writes: no lock needed. The clear values
    // replaced must not stay readable in the file: secure_delete zeroes the space they leave, and
    // when something was in the clear, VACUUM rewrites the file without its free pages (an older
    // version's migrations and deletes left copies there) and the checkpoint empties the WAL. Once
    // per upgrade: later starts find nothing stale and write nothing.
    async sealStaleSecrets() {
      db.pragma('secure_delete = ON');
      try {
        const counts = await sealStaleSecrets(db, box);
        if (counts.endpoints + counts.accounts + counts.settings > 0) {
          db.pragma('wal_checkpoint(TRUNCATE)');
          await db.run('VACUUM');
          db.pragma('wal_checkpoint(TRUNCATE)');
        }
        return counts;
      } finally {
        db.pragma('secure_delete = OFF');
      }
    },
    async disableFailingEndpoints(failingSince, minFailures, reasonFor, now) {
      return db.transaction(() =>
        db
          .allNow<rows.EndpointRow & { failing_since: number }>(FAILING_ENDPOINTS, [failingSince, minFailures])
          .flatMap((row) => db.oneNow<rows.EndpointRow>(disable, [reasonFor(row.failing_since), now, row.id]) ?? [])
          .map((row) => rows.toEndpoint(row, box)),
      );
    },
    async reserveRateSlot(endpointId, now, intervalMs) {
      return db.oneNow<{ start: number }>(rateSlot, [now, intervalMs, endpointId, intervalMs])?.start ?? now;
    },
    async purgeBefore(cutoff, batchSize) {
      return db.transaction(() => {
        const ids = db.list(db.allNow<{ id: string }>(purge.events, [cutoff, batchSize]).map((row) => row.id));
        const attempts = db.runNow(purge.attempts, [ids]);
        const deliveries = db.runNow(purge.deliveries, [ids]);
        const events = db.runNow(purge.deleteEvents, [ids]);
        const operations = db.runNow(purge.operations, [cutoff, batchSize]);
        const keys = db.runNow(purge.keys, [cutoff, batchSize]);
        const rollups = db.runNow(purge.rollups, [cutoff, batchSize]);
        return { events, deliveries, attempts, operations, keys, rollups };
      });
    },
    // No partitions on SQLite: purgeBefore deletes attempts with their deliveries.
    prepareAttemptPartitions: async () => 0,
    dropAttemptsBefore: async () => 0,
    // One writer, so one rollup row a minute: nothing to merge.
    mergeRollupShards: async () => 0,
  };
}
