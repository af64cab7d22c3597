import { ENSURE_ACCOUNT, ensureAccountParams } from '../shared/keys.js';
import { INSERT_OPERATION, insertOperationParams, sharedOperations } from '../shared/operations.js';
import type { OperationStore } from '../store.js';
import type { PostgresDb } from './connection.js';

export function postgresOperations(db: PostgresDb): OperationStore {
  return {
    ...sharedOperations(db),
    async createOperation(operation) {
      await db.transaction(async (tx) => {
        if (operation.accountId !== null) await tx.run(ENSURE_ACCOUNT, ensureAccountParams(operation.accountId, operation.requestedAt));
        await tx.run(INSERT_OPERATION, insertOperationParams(operation));
      });
    },
  };
}
