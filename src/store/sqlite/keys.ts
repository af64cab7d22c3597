import type { SecretBox } from '../../domain/secret-box.js';
import * as rows from '../rows.js';
import { ENSURE_ACCOUNT, ensureAccountParams, PATCH_ACCOUNT, patchAccountParams, sharedKeys } from '../shared/keys.js';
import type { KeyStore } from '../store.js';
import type { SqliteDb } from './connection.js';

export function sqliteKeys(db: SqliteDb, box: SecretBox): KeyStore {
  return {
    ...sharedKeys(db, box),
    async putAccount(id, patch, now) {
      const row = db.transaction(() => {
        db.runNow(ENSURE_ACCOUNT, ensureAccountParams(id, now));
        return db.oneNow<rows.AccountRow>(PATCH_ACCOUNT, patchAccountParams(id, patch, now));
      });
      return rows.toAccount(row!);
    },
  };
}
