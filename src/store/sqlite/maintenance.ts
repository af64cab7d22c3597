import type { SecretBox } from '../../domain/secret-box.js';
import * as rows from '../rows.js';
import { disableEndpoint, FAILING_ENDPOINTS, purgeStatements, reserveRateSlot } from '../shared/maintenance.js';
import type { MaintenanceStore } from '../store.js';
import type { SqliteDb } from './connection.js';

// One process writes at a time, so the sweeps need no locks here: each runs in one transaction.

export function sqliteMaintenance(db: SqliteDb, box: SecretBox): MaintenanceStore {
  const purge = purgeStatements(db);
  const disable = disableEndpoint(db);
  const rateSlot = reserveRateSlot(db);
  return {
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
  };
}
