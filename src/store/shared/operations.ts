import type { Operation } from '../../domain/types.js';
import { decodeNumberCursor, pageFrom } from '../cursor.js';
import { twice, type SqlDb } from '../dialect.js';
import * as rows from '../rows.js';
import type { OperationFilter, OperationStore, Page, PageOf } from '../store.js';

// Operations, the same on both dialects. Creating one is a transaction with its account row, run
// by each adapter.

export const INSERT_OPERATION = `INSERT INTO operations (protocol, type, account_id, subject, callback_url, request_data, result_data,
    status, late, requested_at, expires_at, timed_out_at, completed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export function insertOperationParams(operation: Operation): unknown[] {
  return [
    operation.protocol,
    operation.type,
    operation.accountId,
    operation.subject,
    operation.callbackUrl,
    operation.requestData,
    operation.resultData,
    operation.status,
    operation.late ? 1 : 0,
    operation.requestedAt,
    operation.expiresAt,
    operation.timedOutAt,
    operation.completedAt,
  ];
}

export function sharedOperations(db: SqlDb): Omit<OperationStore, 'createOperation'> {
  return {
    async getOperation(protocol) {
      const row = await db.one<rows.OperationRow>('SELECT * FROM operations WHERE protocol = ?', [protocol]);
      return row === undefined ? null : rows.toOperation(row);
    },
    async listOperations(filter: OperationFilter, page: Page): Promise<PageOf<Operation>> {
      const before = page.cursor === null ? null : decodeNumberCursor(page.cursor);
      const found = await db.all<rows.OperationRow>(
        `SELECT * FROM operations
         WHERE (CAST(? AS BIGINT) IS NULL OR seq < ?) AND (CAST(? AS TEXT) IS NULL OR status = ?)
           AND (CAST(? AS TEXT) IS NULL OR type = ?) AND (CAST(? AS TEXT) IS NULL OR account_id = ?)
         ORDER BY seq DESC LIMIT ?`,
        [...twice(before), ...twice(filter.status), ...twice(filter.type), ...twice(filter.accountId), page.limit + 1],
      );
      return pageFrom(found, page.limit, rows.toOperation, (row) => row.seq);
    },
    async dueOperations(now, limit) {
      return (
        await db.all<rows.OperationRow>("SELECT * FROM operations WHERE status = 'pending' AND expires_at <= ? ORDER BY expires_at LIMIT ?", [
          now,
          limit,
        ])
      ).map(rows.toOperation);
    },
    async markOperationsTimedOut(protocols, now) {
      if (protocols.length === 0) return [];
      return (
        await db.all<rows.OperationRow>(
          `UPDATE operations SET status = 'timed_out', timed_out_at = ?
           WHERE ${db.inList('protocol')} AND status = 'pending'
           RETURNING *`,
          [now, db.list(protocols)],
        )
      ).map(rows.toOperation);
    },
    async operationsAwaitingNotice(recordedBefore, limit) {
      return (
        await db.all<rows.OperationRow>(
          `SELECT * FROM operations
           WHERE ((timed_out_at IS NOT NULL AND timeout_notified = 0 AND timed_out_at <= ?)
               OR (completed_at IS NOT NULL AND outcome_notified = 0 AND completed_at <= ?))
           ORDER BY seq LIMIT ?`,
          [recordedBefore, recordedBefore, limit],
        )
      ).map(rows.toOperation);
    },
    async markOperationNotified(protocol, notice) {
      await db.run(
        notice === 'timeout'
          ? 'UPDATE operations SET timeout_notified = 1 WHERE protocol = ?'
          : 'UPDATE operations SET outcome_notified = 1 WHERE protocol = ?',
        [protocol],
      );
    },
    async completeOperation(protocol, status, resultData, now) {
      // SET expressions see the row as it was: `late` is whether it had timed out before this outcome.
      const row = await db.one<rows.OperationRow>(
        `UPDATE operations SET late = CASE WHEN status = 'timed_out' THEN 1 ELSE 0 END, status = ?, result_data = ?, completed_at = ?
         WHERE protocol = ? AND completed_at IS NULL
         RETURNING *`,
        [status, resultData, now, protocol],
      );
      return row === undefined ? null : rows.toOperation(row);
    },
  };
}
