import { ENSURE_ACCOUNT, ensureAccountParams } from '../shared/keys.js';
import { INSERT_OPERATION, insertOperationParams, sharedOperations } from '../shared/operations.js';
import type { OperationStore } from '../store.js';
import type { SqliteDb } from './connection.js';

export function sqliteOperations(db: SqliteDb): OperationStore {
  return {
    ...sharedOperations(db),
    async createOperation(operation) {
      db.transaction(() => {
        if (operation.accountId !== null) db.runNow(ENSURE_ACCOUNT, ensureAccountParams(operation.accountId, operation.requestedAt));
        db.runNow(INSERT_OPERATION, insertOperationParams(operation));
      });
    },
  };
}
