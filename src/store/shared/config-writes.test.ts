import { describe, expect, it } from 'vitest';
import { disableEndpointOfDelivery } from './queue.js';
import { ENSURE_ACCOUNT, PATCH_ACCOUNT } from './keys.js';
import { DELETE_ENDPOINT, INSERT_ENDPOINT, UPDATE_ENDPOINT } from './endpoints.js';
import { UPSERT_BUILT_IN_EVENT_TYPE } from './events.js';
import { reserveRateSlot } from './maintenance.js';
import { assignedColumns, changesCachedConfig } from './config-writes.js';
import { PgQueries } from '../postgres/connection.js';
import { INGEST_NEW_EVENTS, INSERT_ACCOUNTS, RECORD_RESULTS } from '../postgres/queue-statements.js';

const pg = Object.create(PgQueries.prototype) as PgQueries;

describe('changesCachedConfig', () => {
  it('counts the writes that change routing, keys, types or accounts', () => {
    for (const sql of [
      INSERT_ENDPOINT,
      UPDATE_ENDPOINT,
      DELETE_ENDPOINT,
      PATCH_ACCOUNT,
      UPSERT_BUILT_IN_EVENT_TYPE,
      disableEndpointOfDelivery(pg),
      'UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
      'DELETE FROM api_keys WHERE id IN (SELECT id FROM api_keys WHERE expires_at < ? ORDER BY expires_at LIMIT ?)',
      'UPDATE event_types SET archived = 1 WHERE name = ?',
      // One operational column beside a routing one is a change.
      'UPDATE endpoints SET paused_until = NULL, url = ? WHERE id = ?',
      // Forms it does not read in detail count as changes.
      'UPDATE ONLY endpoints SET paused_until = NULL WHERE id = ?',
      'UPDATE public.api_keys SET last_used_at = ? WHERE id = ?',
      'DELETE FROM "event_types" WHERE name = ?',
      'TRUNCATE accounts',
      'MERGE INTO endpoints e USING x ON e.id = x.id WHEN MATCHED THEN UPDATE SET url = x.url',
      // SQLite's conflict clauses, even on operational columns or a new row.
      'UPDATE OR REPLACE endpoints SET paused_until = ? WHERE id = ?',
      'INSERT OR REPLACE INTO api_keys (id, key_hash) VALUES (?, ?)',
      'REPLACE INTO event_types (name) VALUES (?)',
      // A comment cannot hide an assignment.
      'UPDATE endpoints SET paused_until = ? -- WHERE\n, url = ? WHERE id = ?',
      'UPDATE endpoints SET paused_until = ? /* WHERE */, url = ? WHERE id = ?',
      // Nor a quoted `--`, which would be stripped as a comment with the rest of its line.
      "UPDATE endpoints SET pause_reason = 'a--b', url = ? WHERE id = ?",
      // IS DISTINCT FROM does not end the SET clause.
      'UPDATE endpoints SET paused_until = CASE WHEN 1 THEN ? END, failure_count = ? IS NOT DISTINCT FROM ?, url = ? WHERE id = ?',
    ]) {
      expect(changesCachedConfig(sql), sql).toBe(true);
    }
  });

  it('lets the delivery path’s operational writes and plain inserts of keyed rows through', () => {
    for (const sql of [
      RECORD_RESULTS.text,
      INGEST_NEW_EVENTS.text,
      INSERT_ACCOUNTS,
      ENSURE_ACCOUNT,
      reserveRateSlot(pg),
      'UPDATE endpoints SET paused_until = NULL, pause_reason = NULL, breaker_failures = 0, breaker_cooldown_ms = 0 WHERE id = ? AND paused_until > ?',
      'UPDATE endpoints SET breaker_failures = breaker_failures + 1 WHERE id = ? RETURNING breaker_failures, breaker_cooldown_ms, paused_until',
      'UPDATE api_keys SET last_used_at = ? WHERE id = ANY(?::text[])',
      'INSERT INTO api_keys (id, kind, account_id, name, key_hash, created_at, expires_at, rate_limit_per_second) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *',
      "SELECT * FROM endpoints WHERE active = 1 AND (account_id IS NULL OR account_id = ?)",
      "UPDATE deliveries SET status = 'failed' WHERE id = ?",
      'UPDATE deliveries SET lease_owner = ? WHERE id IN (SELECT d.id FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id FOR UPDATE SKIP LOCKED)',
      'UPDATE accounts SET callback_secret = ? WHERE id = ? AND callback_secret IS NULL',
      'UPDATE endpoints SET concurrency_limit = ?, concurrency_successes = 0 WHERE id = ? AND concurrency_limit IS NOT DISTINCT FROM ?',
      // SQLite's health counters, written after each batch of results.
      'UPDATE endpoints SET failing_since = coalesce(failing_since, ?), failure_count = failure_count + ? WHERE id = ?',
    ]) {
      expect(changesCachedConfig(sql), sql).toBe(false);
    }
  });
});

describe('assignedColumns', () => {
  it('reads the columns of a SET clause, past parentheses, CASE and quoted commas', () => {
    expect(assignedColumns(" e SET a = CASE WHEN x = 1 THEN coalesce(b, c) ELSE d END, b = 'x, y = z', c = f(1, 2) FROM t WHERE 1 = 1")).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(assignedColumns(' SET a = 1')).toEqual(['a']);
  });

  it('gives up (null) on what it cannot read', () => {
    expect(assignedColumns(' (a, b) = (1, 2)')).toBeNull();
    expect(assignedColumns(' SET (a, b) = (1, 2) WHERE id = ?')).toBeNull();
  });
});
