import { mapDestinationPassword, type Destination } from '../../domain/destination.js';
import { mapAuthSecret } from '../../domain/receiver-auth.js';
import type { SecretBox } from '../../domain/secret-box.js';
import type { EndpointAuth } from '../../domain/types.js';
import type { SqlDb } from '../dialect.js';
import { mapHeaderValues } from '../rows.js';
import { SECRET_SETTINGS } from './keys.js';

// Sealing what is stale at start: values in the clear (written before a key existed, or by a
// version that left header values in the clear) and values sealed with an old key. It works on the
// stored text, never through the domain objects: a value is opened and sealed again in place, and
// the row is written only if it still holds what was read (compare-and-set), so an endpoint changed
// meanwhile by the API on another node is never overwritten with what this node read before.

const PAGE = 500;

interface SecretColumnsRow {
  id: string;
  spec: string;
  secret: string;
  previous_secret: string | null;
  signing_key: string | null;
  previous_signing_key: string | null;
}

export interface SealCounts {
  endpoints: number;
  /** Accounts whose callback secret was resealed. */
  accounts: number;
  settings: number;
}

interface StoredSpecSecrets {
  headers?: Record<string, string>;
  auth?: EndpointAuth | null;
  destination?: Destination;
}

/** The spec with its stale header values and auth secret resealed, or null when none is stale. */
function resealedSpec(spec: string, box: SecretBox): string | null {
  const parsed = JSON.parse(spec) as StoredSpecSecrets & Record<string, unknown>;
  const reseal = (value: string): string => (box.isStale(value) ? box.seal(box.open(value)) : value);
  let changed = false;
  const track = (value: string): string => {
    const next = reseal(value);
    if (next !== value) changed = true;
    return next;
  };
  const headers = parsed.headers === undefined ? undefined : mapHeaderValues(parsed.headers, track);
  const auth = parsed.auth == null ? parsed.auth : mapAuthSecret(parsed.auth, track);
  const destination = parsed.destination === undefined ? undefined : mapDestinationPassword(parsed.destination, track);
  return changed ? JSON.stringify({ ...parsed, headers, auth, destination }) : null;
}

function resealed(value: string | null, box: SecretBox): string | null {
  return value !== null && box.isStale(value) ? box.seal(box.open(value)) : value;
}

const UPDATE_ENDPOINT_SECRETS = `UPDATE endpoints SET spec = ?, secret = ?, previous_secret = ?, signing_key = ?, previous_signing_key = ?
  WHERE id = ? AND spec = ? AND secret = ? AND previous_secret IS NOT DISTINCT FROM CAST(? AS TEXT)
    AND signing_key IS NOT DISTINCT FROM CAST(? AS TEXT) AND previous_signing_key IS NOT DISTINCT FROM CAST(? AS TEXT)`;

/**
 * Reseals every stale secret of the endpoints and of the secret settings with the box's current
 * key; returns what it rewrote. Reads each endpoint's secret columns once and writes nothing when
 * all are sealed with the current key. A box without a key (PostgreSQL with
 * HOOKD_INSECURE_PLAINTEXT_SECRETS) finds nothing stale.
 */
export async function sealStaleSecrets(db: SqlDb, box: SecretBox): Promise<SealCounts> {
  const counts: SealCounts = { endpoints: 0, accounts: 0, settings: 0 };
  if (!box.enabled) return counts;
  let after = '';
  for (;;) {
    const page = await db.all<SecretColumnsRow>(
      'SELECT id, spec, secret, previous_secret, signing_key, previous_signing_key FROM endpoints WHERE id > ? ORDER BY id LIMIT ?',
      [after, PAGE],
    );
    for (const row of page) {
      const spec = resealedSpec(row.spec, box) ?? row.spec;
      const next = [spec, resealed(row.secret, box)!, resealed(row.previous_secret, box), resealed(row.signing_key, box), resealed(row.previous_signing_key, box)];
      const before = [row.spec, row.secret, row.previous_secret, row.signing_key, row.previous_signing_key];
      if (next.every((value, i) => value === before[i])) continue;
      counts.endpoints += await db.run(UPDATE_ENDPOINT_SECRETS, [...next, row.id, ...before]);
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.id;
  }
  counts.accounts = await sealStaleCallbackSecrets(db, box);
  for (const name of SECRET_SETTINGS) {
    const stored = await db.one<{ value: string }>('SELECT value FROM settings WHERE name = ?', [name]);
    if (stored === undefined || !box.isStale(stored.value)) continue;
    counts.settings += await db.run('UPDATE settings SET value = ? WHERE name = ? AND value = ?', [box.seal(box.open(stored.value)), name, stored.value]);
  }
  return counts;
}

/** Each account's callback secret (made on first use, so many accounts have none yet), compare-and-set like the endpoints'. */
async function sealStaleCallbackSecrets(db: SqlDb, box: SecretBox): Promise<number> {
  let count = 0;
  let after = '';
  for (;;) {
    const page = await db.all<{ id: string; callback_secret: string }>(
      'SELECT id, callback_secret FROM accounts WHERE id > ? AND callback_secret IS NOT NULL ORDER BY id LIMIT ?',
      [after, PAGE],
    );
    for (const row of page) {
      if (!box.isStale(row.callback_secret)) continue;
      count += await db.run('UPDATE accounts SET callback_secret = ? WHERE id = ? AND callback_secret = ?', [box.seal(box.open(row.callback_secret)), row.id, row.callback_secret]);
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.id;
  }
  return count;
}
