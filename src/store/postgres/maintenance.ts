import type { SecretBox } from '../../domain/secret-box.js';
import * as rows from '../rows.js';
import { sealStaleSecrets } from '../shared/sealing.js';
import { disableEndpoint, FAILING_ENDPOINTS, purgeStatements, reserveRateSlot } from '../shared/maintenance.js';
import type { MaintenanceStore } from '../store.js';
import { dropAttemptsBefore, prepareAttemptPartitions } from './attempt-partitions.js';
import { RETENTION_LOCK, SEALING_LOCK, tryLockForTransaction, type PostgresDb } from './connection.js';
import { mergeRollupShards } from './rollup-shards.js';

// Several nodes sweep the same database: row locks and an advisory lock keep each change once.

export function postgresMaintenance(db: PostgresDb, box: SecretBox): MaintenanceStore {
  const purge = purgeStatements(db);
  const disable = disableEndpoint(db);
  const rateSlot = reserveRateSlot(db);
  return {
    sealStaleSecrets() {
      return db.transaction(async (tx) => {
        // Nodes starting together: one reseals, the others start at once (each row is written
        // compare-and-set anyway, so a node that got here later and found work left would be safe).
        if (!(await tryLockForTransaction(tx, SEALING_LOCK))) return { endpoints: 0, accounts: 0, settings: 0 };
        return sealStaleSecrets(tx, box);
      });
    },
    disableFailingEndpoints(failingSince, minFailures, reasonFor, now) {
      return db.transaction(async (tx) => {
        // FOR UPDATE SKIP LOCKED: two nodes sweeping at once never disable (and announce) one endpoint twice.
        const failing = await tx.all<rows.EndpointRow & { failing_since: number }>(`${FAILING_ENDPOINTS} FOR UPDATE SKIP LOCKED`, [
          failingSince,
          minFailures,
        ]);
        const disabled = [];
        for (const row of failing) {
          const updated = await tx.one<rows.EndpointRow>(disable, [reasonFor(row.failing_since), now, row.id]);
          if (updated !== undefined) disabled.push(rows.toEndpoint(updated, box));
        }
        return disabled;
      });
    },
    async reserveRateSlot(endpointId, now, intervalMs) {
      // One row update serialises the nodes: each attempt takes the next free slot, whichever node sends it.
      return (await db.one<{ start: number }>(rateSlot, [now, intervalMs, endpointId, intervalMs]))?.start ?? now;
    },
    purgeBefore(cutoff, batchSize) {
      return db.transaction(async (tx) => {
        // One purger at a time across nodes; the others skip this round rather than wait.
        if (!(await tryLockForTransaction(tx, RETENTION_LOCK))) return { events: 0, deliveries: 0, attempts: 0, operations: 0, keys: 0, rollups: 0 };
        const ids = (await tx.all<{ id: string }>(purge.events, [cutoff, batchSize])).map((row) => row.id);
        // Attempts are not deleted row by row here: their day partitions are dropped whole
        // (dropAttemptsBefore). Those of a purged delivery made after the cutoff stay until their day goes.
        const deliveries = await tx.run(purge.deliveries, [ids]);
        const events = await tx.run(purge.deleteEvents, [ids]);
        const operations = await tx.run(purge.operations, [cutoff, batchSize]);
        const keys = await tx.run(purge.keys, [cutoff, batchSize]);
        const rollups = await tx.run(purge.rollups, [cutoff, batchSize]);
        return { events, deliveries, attempts: 0, operations, keys, rollups };
      });
    },
    prepareAttemptPartitions: (now, daysAhead) => prepareAttemptPartitions(db, now, daysAhead),
    dropAttemptsBefore: (cutoff) => dropAttemptsBefore(db, cutoff),
    mergeRollupShards: (from, until) => mergeRollupShards(db, from, until),
  };
}
