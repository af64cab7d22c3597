import type { SecretBox } from '../../domain/secret-box.js';
import { matchesEventType } from '../../domain/subscriptions.js';
import type { Endpoint, EndpointSpec, EndpointWithSecrets } from '../../domain/types.js';
import { decodeStringCursor, pageFrom } from '../cursor.js';
import { twice, type SqlDb } from '../dialect.js';
import * as rows from '../rows.js';
import { foldRollupSums, minuteOf, SUMMED_LATENCY, toAttemptBucket, toEndpointStats, windowBesideSeries, type RollupSumRow } from '../attempt-rollups.js';
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
      // One statement, so a dashboard's read waits for one connection, not one per part. A window
      // beside the series reads only the minutes before the series' buckets it covers
      // (windowBesideSeries) and is completed from the buckets and from the rows past the series'
      // end (part -2, normally none): the dashboard's day and hour read little more than the day
      // once. `part` is the window's index, -1 for the series; the casts make the bucket's
      // division an integer one (SQLite binds JS numbers as REAL).
      const sums = `sum(total) AS total, sum(succeeded) AS succeeded, min(min_ms) AS min_ms, max(max_ms) AS max_ms, ${SUMMED_LATENCY}`;
      const splits = windows.map((since) => {
        const from = minuteOf(since);
        return { from, ...windowBesideSeries(from, series) };
      });
      const parts = splits.map(
        (_, index) =>
          `SELECT ${index} AS part, CAST(0 AS BIGINT) AS bucket, ${sums} FROM endpoint_attempt_rollups WHERE endpoint_id = ? AND minute_start >= ? AND minute_start < ?`,
      );
      const params: unknown[] = splits.flatMap(({ from, readUntil }) => [endpointId, from, readUntil ?? Number.MAX_SAFE_INTEGER]);
      if (series !== null) {
        parts.push(
          `SELECT -1 AS part, CAST((minute_start - CAST(? AS BIGINT)) / CAST(? AS BIGINT) AS BIGINT) AS bucket, ${sums}
           FROM endpoint_attempt_rollups WHERE endpoint_id = ? AND minute_start >= ? AND minute_start < ? GROUP BY 2`,
          `SELECT -2 AS part, CAST(0 AS BIGINT) AS bucket, ${sums} FROM endpoint_attempt_rollups WHERE endpoint_id = ? AND minute_start >= ?`,
        );
        params.push(series.since, series.bucketMs, endpointId, series.since, series.until, endpointId, series.until);
      }
      if (parts.length === 0) return { windows: [], series: [] };
      // Named by its shape, so PostgreSQL parses and plans its ~150 sums once per connection, not at
      // every read (9 ms of planning beside 10 ms of running, measured under a soak's load).
      const statement = { name: `hookd_endpoint_stats_${windows.length}_${series === null ? 0 : 1}`, text: `${parts.join(' UNION ALL ')} ORDER BY part, bucket` };
      const found = await db.all<RollupSumRow & { part: number; bucket: number }>(statement, params);
      const buckets = found.filter((row) => Number(row.part) === -1);
      const pastSeries = found.filter((row) => Number(row.part) === -2);
      return {
        windows: splits.map(({ firstBucket }, index) => {
          const own = found.filter((row) => Number(row.part) === index);
          if (firstBucket === null) return toEndpointStats(own[0]);
          return toEndpointStats(foldRollupSums([...own, ...buckets.filter((row) => Number(row.bucket) >= firstBucket), ...pastSeries]));
        }),
        series: series === null ? [] : buckets.map((row) => toAttemptBucket(row, series.since, series.bucketMs)),
      };
    },
  };
}
