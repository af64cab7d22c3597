import type { SecretBox } from '../../domain/secret-box.js';
import type { Account, ApiKey, KeyKind } from '../../domain/types.js';
import { decodeStringCursor, pageFrom } from '../cursor.js';
import { twice, type SqlDb } from '../dialect.js';
import * as rows from '../rows.js';
import type { AccountPatch, ApiKeyRecord, KeyStore, NewApiKey, Page, PageOf } from '../store.js';

// Settings, API keys and accounts: the same statements on both dialects. Writing an account patch
// takes a transaction (its row may not exist yet), which each adapter runs its own way.

/** Settings that hold secrets (the callback signing secret). */
export const SECRET_SETTINGS = new Set(['callback_secret']);

export const ENSURE_ACCOUNT = 'INSERT INTO accounts (id, created_at, updated_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING';

export function ensureAccountParams(id: string, now: number): unknown[] {
  return [id, now, now];
}

export const PATCH_ACCOUNT = `UPDATE accounts SET
    name = CASE WHEN ? = 1 THEN ? ELSE name END,
    enabled = coalesce(?, enabled),
    metadata = coalesce(?, metadata),
    updated_at = ?
  WHERE id = ? RETURNING *`;

export function patchAccountParams(id: string, patch: AccountPatch, now: number): unknown[] {
  return [
    patch.name !== undefined ? 1 : 0,
    patch.name ?? null,
    patch.enabled === undefined ? null : patch.enabled ? 1 : 0,
    patch.metadata === undefined ? null : JSON.stringify(patch.metadata),
    now,
    id,
  ];
}

export function sharedKeys(db: SqlDb, box: SecretBox): Omit<KeyStore, 'putAccount'> {
  // Settings that hold a secret are sealed like endpoint secrets.
  const sealed = (name: string, value: string): string => (SECRET_SETTINGS.has(name) ? box.seal(value) : value);
  const opened = (name: string, value: string): string => (SECRET_SETTINGS.has(name) ? box.open(value) : value);
  const storedSetting = async (name: string): Promise<string | null> =>
    (await db.one<{ value: string }>('SELECT value FROM settings WHERE name = ?', [name]))?.value ?? null;
  const getSetting = async (name: string): Promise<string | null> => {
    const value = await storedSetting(name);
    return value === null ? null : opened(name, value);
  };
  const getAccountCallbackSecret = async (id: string): Promise<string | null> => {
    const row = await db.one<{ callback_secret: string | null }>('SELECT callback_secret FROM accounts WHERE id = ?', [id]);
    return row?.callback_secret == null ? null : box.open(row.callback_secret);
  };
  const getAccount = async (id: string): Promise<Account | null> => {
    const row = await db.one<rows.AccountRow>('SELECT * FROM accounts WHERE id = ?', [id]);
    return row === undefined ? null : rows.toAccount(row);
  };
  return {
    getSetting,
    async replaceSetting(name, value) {
      await db.run('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value', [
        name,
        sealed(name, value),
      ]);
    },
    async initSetting(name, value) {
      await db.run('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING', [name, sealed(name, value)]);
      return (await getSetting(name)) ?? value;
    },

    async createKey(key: NewApiKey): Promise<ApiKey> {
      const row = await db.one<rows.KeyRow>(
        `INSERT INTO api_keys (id, kind, account_id, name, key_hash, created_at, expires_at, rate_limit_per_second)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
        [key.id, key.kind, key.accountId, key.name, key.keyHash, key.createdAt, key.expiresAt, key.rateLimitPerSecond],
      );
      return rows.toApiKey(row!);
    },
    async findKeyByHash(keyHash: string): Promise<ApiKeyRecord | null> {
      const row = await db.one<rows.KeyRow>('SELECT * FROM api_keys WHERE key_hash = ?', [keyHash]);
      return row === undefined ? null : rows.toApiKeyRecord(row);
    },
    async listKeys(page: Page): Promise<PageOf<ApiKey>> {
      const after = page.cursor === null ? null : decodeStringCursor(page.cursor);
      const found = await db.all<rows.KeyRow>(
        'SELECT * FROM api_keys WHERE revoked_at IS NULL AND (CAST(? AS TEXT) IS NULL OR id < ?) ORDER BY id DESC LIMIT ?',
        [...twice(after), page.limit + 1],
      );
      return pageFrom(found, page.limit, rows.toApiKey, (row) => row.id);
    },
    async revokeKey(id, now) {
      return (await db.run('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [now, id])) > 0;
    },
    async touchKeys(ids, now) {
      if (ids.length === 0) return;
      await db.run(`UPDATE api_keys SET last_used_at = ? WHERE ${db.inList('id')}`, [now, db.list(ids)]);
    },
    async countLiveKeys(kind: KeyKind) {
      return (await db.one<{ n: number }>('SELECT count(*) AS n FROM api_keys WHERE kind = ? AND revoked_at IS NULL', [kind]))!.n;
    },

    async ensureAccount(id, now) {
      await db.run(ENSURE_ACCOUNT, ensureAccountParams(id, now));
      return (await getAccount(id))!;
    },
    getAccount,
    async listAccounts(page: Page): Promise<PageOf<Account>> {
      const after = page.cursor === null ? null : decodeStringCursor(page.cursor);
      const found = await db.all<rows.AccountRow>(
        'SELECT * FROM accounts WHERE (CAST(? AS TEXT) IS NULL OR id > ?) ORDER BY id LIMIT ?',
        [...twice(after), page.limit + 1],
      );
      return pageFrom(found, page.limit, rows.toAccount, (row) => row.id);
    },
    async initAccountCallbackSecret(id, candidate) {
      // Only a row without a secret is written: a racing node's UPDATE finds it set and changes
      // nothing (PostgreSQL re-checks the condition after the first one commits), so both read the same.
      await db.run('UPDATE accounts SET callback_secret = ? WHERE id = ? AND callback_secret IS NULL', [box.seal(candidate), id]);
      return getAccountCallbackSecret(id);
    },
    getAccountCallbackSecret,
    async replaceAccountCallbackSecret(id, secret) {
      await db.run('UPDATE accounts SET callback_secret = ? WHERE id = ?', [box.seal(secret), id]);
    },
  };
}
