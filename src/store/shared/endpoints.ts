import type { SecretBox } from '../../domain/secret-box.js';
import { matchesEventType } from '../../domain/subscriptions.js';
import type { Endpoint, EndpointSpec, EndpointWithSecrets } from '../../domain/types.js';
import { decodeStringCursor, pageFrom } from '../cursor.js';
import { twice, type SqlDb } from '../dialect.js';
import * as rows from '../rows.js';
import { ADDED_COLUMNS, statsGrouping, statsOfGroups, SUMMED_LATENCY, type StatsGroup } from '../attempt-rollups.js';
import type { EndpointFilter, EndpointStore, Page, PageOf } from '../store.js';

// Endpoints and the attempt figures shown for them, the same on both dialects. Creating, updating
// and deleting one are transactions (its account row, its queued deliveries), run by each adapter.
// Signing secrets (and the auth's secret) are sealed and opened here, in the row mapping, and nowhere else: the rest of
// hookd sees them in the clear, the database only sealed (when HOOKD_ENCRYPTION_KEY is set).

export const INSERT_ENDPOINT = `INSERT INTO endpoints (id, account_id, url, active, event_types, spec, secret, previous_secret,
    previous_secret_expires_at, signing_key, signing_key_since, previous_signing_key, previous_signing_key_since,
    previous_signing_key_expires_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`;

export function insertEndpointParams(endpoint: EndpointWithSecrets, box: SecretBox): unknown[] {
  return [
    endpoint.id,
    endpoint.accountId,
    endpoint.url,
    endpoint.active ? 1 : 0,
    JSON.stringify(endpoint.eventTypes),
    rows.specColumn(endpoint, box),
    ...rows.secretColumns(endpoint.secrets, box),
    ...rows.signingKeyColumns(endpoint.signingKeys, box),
    endpoint.createdAt,
    endpoint.updatedAt,
  ];
}

export const UPDATE_ENDPOINT =
  'UPDATE endpoints SET account_id = ?, url = ?, active = ?, event_types = ?, spec = ?, updated_at = ? WHERE id = ? RETURNING *';

export function updateEndpointParams(id: string, spec: EndpointSpec, now: number, box: SecretBox): unknown[] {
  return [spec.accountId, spec.url, spec.active ? 1 : 0, JSON.stringify(spec.eventTypes), rows.specColumn(spec, box), now, id];
}

export const DELETE_ENDPOINT = 'DELETE FROM endpoints WHERE id = ?';
/**
 * A deleted endpoint's queued deliveries would have nowhere to go. One a worker holds is left to
 * its attempt, as on SQLite, where it is `sending`: PostgreSQL keeps it `pending` under its lease.
 */
export const CANCEL_ENDPOINT_DELIVERIES =
  "UPDATE deliveries SET status = 'canceled', next_attempt_at = NULL, blocked_by = NULL, completed_at = ? WHERE endpoint_id = ? AND status = 'pending' AND lease_owner IS NULL";

const SET_SIGNING_KEYS = `UPDATE endpoints SET signing_key = ?, signing_key_since = ?, previous_signing_key = ?,
    previous_signing_key_since = ?, previous_signing_key_expires_at = ?, updated_at = ? WHERE id = ?`;

type EndpointStatements = Omit<EndpointStore, 'createEndpoint' | 'updateEndpoint' | 'deleteEndpoint'>;

export function sharedEndpoints(db: SqlDb, box: SecretBox): EndpointStatements {
  return {
    async getEndpoint(id) {
      const row = await db.one<rows.EndpointRow>('SELECT * FROM endpoints WHERE id = ?', [id]);
      return row === undefined ? null : rows.toEndpointWithSecrets(row, box);
    },
    async getEndpoints(ids) {
      if (ids.length === 0) return [];
      return (await db.all<rows.EndpointRow>(`SELECT * FROM endpoints WHERE ${db.inList('id')}`, [db.list(ids)])).map((row) =>
        rows.toEndpointWithSecrets(row, box),
      );
    },
    async listEndpoints(filter: EndpointFilter, page: Page): Promise<PageOf<Endpoint>> {
      // The type filter matches patterns, which SQL cannot: rows are scanned in id order in chunks
      // and filtered here until the page is full.
      let after = page.cursor === null ? null : decodeStringCursor(page.cursor);
      const matched: rows.EndpointRow[] = [];
      const chunk = Math.max(page.limit + 1, 200);
      for (;;) {
        const found = await db.all<rows.EndpointRow>(
          `SELECT * FROM endpoints
           WHERE (CAST(? AS TEXT) IS NULL OR id < ?) AND (? = 0 OR account_id IS NOT DISTINCT FROM ?)
             AND (CAST(? AS INTEGER) IS NULL OR active = ?)
           ORDER BY id DESC LIMIT ?`,
          [
            ...twice(after),
            filter.accountId !== undefined ? 1 : 0,
            filter.accountId ?? null,
            ...twice(filter.active === undefined ? null : filter.active ? 1 : 0),
            chunk,
          ],
        );
        for (const row of found) {
          if (filter.eventType === undefined || matchesEventType(JSON.parse(row.event_types) as string[], filter.eventType)) {
            matched.push(row);
          }
        }
        if (matched.length > page.limit || found.length < chunk) break;
        after = found[found.length - 1]!.id;
      }
      return pageFrom(matched, page.limit, (row) => rows.toEndpoint(row, box), (row) => row.id);
    },
    async setEndpointSecrets(id, secrets, now) {
      return (
        (await db.run('UPDATE endpoints SET secret = ?, previous_secret = ?, previous_secret_expires_at = ?, updated_at = ? WHERE id = ?', [
          ...rows.secretColumns(secrets, box),
          now,
          id,
        ])) > 0
      );
    },
    async setEndpointSigningKeys(id, keys, now) {
      return (await db.run(SET_SIGNING_KEYS, [...rows.signingKeyColumns(keys, box), now, id])) > 0;
    },
    async addEndpointSigningKeys(id, keys, now) {
      // Only where there are none: two requests switching ed25519 on at once keep the first pair.
      return (await db.run(`${SET_SIGNING_KEYS} AND signing_key IS NULL`, [...rows.signingKeyColumns(keys, box), now, id])) > 0;
    },
    async findCandidateEndpoints(accountId) {
      return (
        await db.all<rows.EndpointRow>('SELECT * FROM endpoints WHERE active = 1 AND (account_id IS NULL OR account_id = ?)', [accountId])
      ).map((row) => rows.toEndpoint(row, box));
    },
    async endpointStats(endpointId, { windows, series }) {
      if (windows.length === 0 && series === null) return { windows: [], series: [] };
      // One statement summing each row once: by series bucket, but minute by minute where a
      // window or the series needs them apart (statsGrouping). It used to be a part per window and
      // per series: ~200 sums for PostgreSQL to plan at every read, four times its run (~2 ms of
      // ~2.7, docs/performance.md section 30). The casts make the bucket's division an integer one
      // (SQLite binds JS numbers as REAL).
      const grouping = statsGrouping(windows, series);
      const apart = ['minute_start < ?', 'minute_start >= ?', ...grouping.splitBuckets.map(() => '(minute_start >= ? AND minute_start < ?)')].join(' OR ');
      const statement = {
        name: `hookd_endpoint_stats_${windows.length}`,
        text: `SELECT CASE WHEN by_minute = 1 THEN minute_start
              ELSE CAST(? AS BIGINT) + (minute_start - CAST(? AS BIGINT)) / CAST(? AS BIGINT) * CAST(? AS BIGINT) END AS start,
            by_minute, sum(total) AS total, sum(succeeded) AS succeeded, min(min_ms) AS min_ms, max(max_ms) AS max_ms, ${SUMMED_LATENCY}
          FROM (SELECT CASE WHEN ${apart} THEN 1 ELSE 0 END AS by_minute, minute_start, min_ms, max_ms, ${ADDED_COLUMNS.join(', ')}
            FROM endpoint_attempt_rollups WHERE endpoint_id = ? AND minute_start >= ?) grouped
          GROUP BY 1, 2 ORDER BY 1`,
      };
      const { since, until, bucketMs } = grouping;
      const params = [since, since, bucketMs, bucketMs, since, until, ...grouping.splitBuckets.flat(), endpointId, grouping.from];
      return statsOfGroups(await db.all<StatsGroup>(statement, params), windows, series);
    },
  };
}
