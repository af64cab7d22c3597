import type { SecretBox } from '../../domain/secret-box.js';
import * as rows from '../rows.js';
import { ENSURE_ACCOUNT, ensureAccountParams, PATCH_ACCOUNT, patchAccountParams, sharedKeys } from '../shared/keys.js';
import type { KeyStore } from '../store.js';
import type { PostgresDb } from './connection.js';

export function postgresKeys(db: PostgresDb, box: SecretBox): KeyStore {
  return {
    ...sharedKeys(db, box),
    putAccount(id, patch, now) {
      return db.transaction(async (tx) => {
        await tx.run(ENSURE_ACCOUNT, ensureAccountParams(id, now));
        return rows.toAccount((await tx.one<rows.AccountRow>(PATCH_ACCOUNT, patchAccountParams(id, patch, now)))!);
      });
    },
  };
}
