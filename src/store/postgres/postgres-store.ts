import pg from 'pg';
import { matchesEventType } from '../../domain/subscriptions.js';
import type {
  Account,
  ApiKey,
  Attempt,
  ClaimedDelivery,
  Delivery,
  Endpoint,
  EndpointSecrets,
  EndpointSpec,
  EndpointWithSecrets,
  EventType,
  HookEvent,
  KeyKind,
  Operation,
} from '../../domain/types.js';
import { decodeNumberCursor, decodeStringCursor, pageFrom } from '../cursor.js';
import { failureRunChanges } from '../failure-runs.js';
import { loadMigrations } from '../migrations.js';
import * as rows from '../rows.js';
import type {
  AccountPatch,
  ApiKeyRecord,
  AttemptRecord,
  DeliveryFilter,
  DeliveryLease,
  EndpointFilter,
  AttemptBucket,
  EndpointStats,
  EventFilter,
  EventTypeFilter,
  IngestOutcome,
  NewApiKey,
  NewEvent,
  OperationFilter,
  PurgeCounts,
  QueueStats,
  Page,
  PageOf,
  Store,
} from '../store.js';
import { isStoreUnavailable } from '../unavailable.js';
import { WORK_CHANNEL, WorkChannel } from './work-channel.js';

// The PostgreSQL store, for several hookd nodes on one database. It mirrors the SQLite adapter
// statement for statement; the differences are PostgreSQL's: row locks with SKIP LOCKED for the
// claim, an advisory lock around migrations, and NOTIFY to wake other nodes' workers.

// BIGINT (times in ms, counts) arrives as a string by default; every value hookd stores fits a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** Numbers that identify hookd's advisory locks among the database's. */
const MIGRATION_LOCK = 7_461_011;
const RETENTION_LOCK = 7_461_012;

type Queryable = pg.Pool | pg.PoolClient;

export class PostgresStore implements Store {
  readonly dialect = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly migrationCount = loadMigrations('postgres').length;
  private readonly work: WorkChannel;

  constructor(connectionString: string, options: { maxConnections?: number } = {}) {
    this.pool = new pg.Pool({ connectionString, max: options.maxConnections ?? 10, connectionTimeoutMillis: 5000 });
    // A connection dropped while idle (the database restarting) must not crash the process: the
    // pool discards it and the next query opens a new one.
    this.pool.on('error', () => undefined);
    // Nor one dropped while checked out between two queries of a transaction: pg emits that on the
    // client, where an unheard 'error' event would end the process. The next query fails instead.
    this.pool.on('connect', (client) => client.on('error', () => undefined));
    this.work = new WorkChannel(connectionString);
  }

  private async all<T>(sql: Sql, params: unknown[] = [], on: Queryable = this.pool): Promise<T[]> {
    return (await on.query(queryOf(sql, params))).rows as T[];
  }

  private async one<T>(sql: Sql, params: unknown[] = [], on: Queryable = this.pool): Promise<T | undefined> {
    return (await on.query(queryOf(sql, params))).rows[0] as T | undefined;
  }

  private async run(sql: Sql, params: unknown[] = [], on: Queryable = this.pool): Promise<number> {
    return (await on.query(queryOf(sql, params))).rowCount ?? 0;
  }

  private async transaction<T>(body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let result: T;
    try {
      await client.query('BEGIN');
      result = await body(client);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      // A connection that failed must not go back to the pool to fail the next caller too.
      client.release(isStoreUnavailable(error) ? true : undefined);
      throw error;
    }
    client.release();
    return result;
  }

  async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      // Nodes starting together wait here in turn, so each migration is applied exactly once.
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
      );
      for (const migration of loadMigrations('postgres')) {
        const applied = await client.query('SELECT 1 FROM schema_migrations WHERE version = $1', [migration.version]);
        if (applied.rowCount !== 0) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
            migration.version,
            migration.name,
            Date.now(),
          ]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
      client.release();
    }
  }

  async isReady(): Promise<boolean> {
    try {
      const row = await this.one<{ n: number }>('SELECT count(*) AS n FROM schema_migrations');
      return row !== undefined && row.n >= this.migrationCount;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.work.close();
    await this.pool.end();
  }

  onNewWork(listener: () => void): () => void {
    return this.work.subscribe(listener);
  }

  announceNewWork(): Promise<void> {
    return this.work.notify();
  }

  async getSetting(name: string): Promise<string | null> {
    return (await this.one<{ value: string }>('SELECT value FROM settings WHERE name = $1', [name]))?.value ?? null;
  }

  async replaceSetting(name: string, value: string): Promise<void> {
    await this.run('INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value', [name, value]);
  }

  async initSetting(name: string, value: string): Promise<string> {
    await this.run('INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, value]);
    return (await this.getSetting(name)) ?? value;
  }

  // Keys.

  async createKey(key: NewApiKey): Promise<ApiKey> {
    const row = await this.one<rows.KeyRow>(
      `INSERT INTO api_keys (id, kind, account_id, name, key_hash, created_at, expires_at, rate_limit_per_second)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
      [key.id, key.kind, key.accountId, key.name, key.keyHash, key.createdAt, key.expiresAt, key.rateLimitPerSecond],
    );
    return rows.toApiKey(row!);
  }

  async findKeyByHash(keyHash: string): Promise<ApiKeyRecord | null> {
    const row = await this.one<rows.KeyRow>('SELECT * FROM api_keys WHERE key_hash = $1', [keyHash]);
    return row === undefined ? null : rows.toApiKeyRecord(row);
  }

  async listKeys(page: Page): Promise<PageOf<ApiKey>> {
    const after = page.cursor === null ? null : decodeStringCursor(page.cursor);
    const found = await this.all<rows.KeyRow>(
      'SELECT * FROM api_keys WHERE revoked_at IS NULL AND ($1::text IS NULL OR id < $1) ORDER BY id DESC LIMIT $2',
      [after, page.limit + 1],
    );
    return pageFrom(found, page.limit, rows.toApiKey, (row) => row.id);
  }

  async revokeKey(id: string, now: number): Promise<boolean> {
    return (await this.run('UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [now, id])) > 0;
  }

  async touchKeys(ids: string[], now: number): Promise<void> {
    await this.run('UPDATE api_keys SET last_used_at = $1 WHERE id = ANY($2::text[])', [now, ids]);
  }

  async countLiveKeys(kind: KeyKind): Promise<number> {
    return (await this.one<{ n: number }>('SELECT count(*) AS n FROM api_keys WHERE kind = $1 AND revoked_at IS NULL', [kind]))!.n;
  }

  // Accounts.

  private async ensureAccountRow(id: string, now: number, on: Queryable = this.pool): Promise<void> {
    await this.run('INSERT INTO accounts (id, created_at, updated_at) VALUES ($1, $2, $2) ON CONFLICT (id) DO NOTHING', [id, now], on);
  }

  async ensureAccount(id: string, now: number): Promise<Account> {
    await this.ensureAccountRow(id, now);
    return (await this.getAccount(id))!;
  }

  async getAccount(id: string): Promise<Account | null> {
    const row = await this.one<rows.AccountRow>('SELECT * FROM accounts WHERE id = $1', [id]);
    return row === undefined ? null : rows.toAccount(row);
  }

  async listAccounts(page: Page): Promise<PageOf<Account>> {
    const after = page.cursor === null ? null : decodeStringCursor(page.cursor);
    const found = await this.all<rows.AccountRow>(
      'SELECT * FROM accounts WHERE ($1::text IS NULL OR id > $1) ORDER BY id LIMIT $2',
      [after, page.limit + 1],
    );
    return pageFrom(found, page.limit, rows.toAccount, (row) => row.id);
  }

  async putAccount(id: string, patch: AccountPatch, now: number): Promise<Account> {
    return this.transaction(async (client) => {
      await this.ensureAccountRow(id, now, client);
      const row = await this.one<rows.AccountRow>(
        `UPDATE accounts SET
           name = CASE WHEN $1 THEN $2 ELSE name END,
           enabled = coalesce($3, enabled),
           metadata = coalesce($4, metadata),
           updated_at = $5
         WHERE id = $6 RETURNING *`,
        [
          patch.name !== undefined,
          patch.name ?? null,
          patch.enabled === undefined ? null : patch.enabled ? 1 : 0,
          patch.metadata === undefined ? null : JSON.stringify(patch.metadata),
          now,
          id,
        ],
        client,
      );
      return rows.toAccount(row!);
    });
  }

  // Event types.

  async createEventType(eventType: EventType): Promise<EventType | null> {
    const row = await this.one<rows.EventTypeRow>(
      `INSERT INTO event_types (name, description, category, schema, examples, parameters, archived, built_in, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (name) DO NOTHING RETURNING *`,
      rows.eventTypeParams(eventType),
    );
    return row === undefined ? null : rows.toEventType(row);
  }

  async upsertBuiltInEventTypes(eventTypes: EventType[]): Promise<void> {
    await this.transaction(async (client) => {
      for (const eventType of eventTypes) {
        await this.run(
          `INSERT INTO event_types (name, description, category, schema, examples, parameters, archived, built_in, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           ON CONFLICT (name) DO UPDATE SET description = excluded.description, category = excluded.category,
             schema = excluded.schema, examples = excluded.examples, parameters = excluded.parameters,
             archived = 0, built_in = 1`,
          rows.eventTypeParams(eventType),
          client,
        );
      }
    });
  }

  async getEventType(name: string): Promise<EventType | null> {
    const row = await this.one<rows.EventTypeRow>('SELECT * FROM event_types WHERE name = $1', [name]);
    return row === undefined ? null : rows.toEventType(row);
  }

  async listEventTypes(filter: EventTypeFilter, page: Page): Promise<PageOf<EventType>> {
    const after = page.cursor === null ? null : decodeStringCursor(page.cursor);
    const found = await this.all<rows.EventTypeRow>(
      `SELECT * FROM event_types
       WHERE ($1::text IS NULL OR name > $1) AND ($2::text IS NULL OR category = $2) AND ($3 OR archived = 0)
       ORDER BY name LIMIT $4`,
      [after, filter.category ?? null, filter.includeArchived === true, page.limit + 1],
    );
    return pageFrom(found, page.limit, rows.toEventType, (row) => row.name);
  }

  async replaceEventType(eventType: EventType): Promise<EventType | null> {
    const row = await this.one<rows.EventTypeRow>(
      `UPDATE event_types SET description = $1, category = $2, schema = $3, examples = $4, parameters = $5, archived = $6, updated_at = $7
       WHERE name = $8 AND built_in = 0 RETURNING *`,
      [
        eventType.description,
        eventType.category,
        eventType.schema === null ? null : JSON.stringify(eventType.schema),
        JSON.stringify(eventType.examples),
        JSON.stringify(eventType.parameters),
        eventType.archived ? 1 : 0,
        eventType.updatedAt,
        eventType.name,
      ],
    );
    return row === undefined ? null : rows.toEventType(row);
  }

  // Endpoints.

  async createEndpoint(endpoint: EndpointWithSecrets): Promise<Endpoint> {
    return this.transaction(async (client) => {
      if (endpoint.accountId !== null) await this.ensureAccountRow(endpoint.accountId, endpoint.createdAt, client);
      const row = await this.one<rows.EndpointRow>(
        `INSERT INTO endpoints (id, account_id, url, active, event_types, spec, secret, previous_secret,
           previous_secret_expires_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *`,
        [
          endpoint.id,
          endpoint.accountId,
          endpoint.url,
          endpoint.active ? 1 : 0,
          JSON.stringify(endpoint.eventTypes),
          rows.specColumn(endpoint),
          endpoint.secrets.current,
          endpoint.secrets.previous,
          endpoint.secrets.previousExpiresAt,
          endpoint.createdAt,
          endpoint.updatedAt,
        ],
        client,
      );
      return rows.toEndpoint(row!);
    });
  }

  async getEndpoint(id: string): Promise<EndpointWithSecrets | null> {
    const row = await this.one<rows.EndpointRow>('SELECT * FROM endpoints WHERE id = $1', [id]);
    return row === undefined ? null : rows.toEndpointWithSecrets(row);
  }

  async getEndpoints(ids: string[]): Promise<EndpointWithSecrets[]> {
    if (ids.length === 0) return [];
    return (await this.all<rows.EndpointRow>('SELECT * FROM endpoints WHERE id = ANY($1::text[])', [ids])).map(rows.toEndpointWithSecrets);
  }

  async listEndpoints(filter: EndpointFilter, page: Page): Promise<PageOf<Endpoint>> {
    // As in SQLite: the type filter matches patterns, so rows are scanned in chunks and filtered here.
    let after = page.cursor === null ? null : decodeStringCursor(page.cursor);
    const matched: rows.EndpointRow[] = [];
    const chunk = Math.max(page.limit + 1, 200);
    for (;;) {
      const found = await this.all<rows.EndpointRow>(
        `SELECT * FROM endpoints
         WHERE ($1::text IS NULL OR id < $1) AND (NOT $2 OR account_id IS NOT DISTINCT FROM $3) AND ($4::int IS NULL OR active = $4)
         ORDER BY id DESC LIMIT $5`,
        [
          after,
          filter.accountId !== undefined,
          filter.accountId ?? null,
          filter.active === undefined ? null : filter.active ? 1 : 0,
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
    return pageFrom(matched, page.limit, rows.toEndpoint, (row) => row.id);
  }

  async updateEndpoint(id: string, spec: EndpointSpec, now: number): Promise<Endpoint | null> {
    return this.transaction(async (client) => {
      if (spec.accountId !== null) await this.ensureAccountRow(spec.accountId, now, client);
      const row = await this.one<rows.EndpointRow>(
        'UPDATE endpoints SET account_id = $1, url = $2, active = $3, event_types = $4, spec = $5, updated_at = $6 WHERE id = $7 RETURNING *',
        [spec.accountId, spec.url, spec.active ? 1 : 0, JSON.stringify(spec.eventTypes), rows.specColumn(spec), now, id],
        client,
      );
      return row === undefined ? null : rows.toEndpoint(row);
    });
  }

  async setEndpointSecrets(id: string, secrets: EndpointSecrets, now: number): Promise<boolean> {
    return (
      (await this.run(
        'UPDATE endpoints SET secret = $1, previous_secret = $2, previous_secret_expires_at = $3, updated_at = $4 WHERE id = $5',
        [secrets.current, secrets.previous, secrets.previousExpiresAt, now, id],
      )) > 0
    );
  }

  async deleteEndpoint(id: string, now: number): Promise<boolean> {
    return this.transaction(async (client) => {
      const deleted = (await this.run('DELETE FROM endpoints WHERE id = $1', [id], client)) > 0;
      if (deleted) {
        await this.run(
          "UPDATE deliveries SET status = 'canceled', next_attempt_at = NULL, completed_at = $1 WHERE endpoint_id = $2 AND status = 'pending'",
          [now, id],
          client,
        );
      }
      return deleted;
    });
  }

  async disableFailingEndpoints(
    failingSince: number,
    minFailures: number,
    reasonFor: (failingSince: number) => string,
    now: number,
  ): Promise<Endpoint[]> {
    return this.transaction(async (client) => {
      // FOR UPDATE SKIP LOCKED: two nodes sweeping at once never disable (and announce) one endpoint twice.
      const failing = await this.all<rows.EndpointRow & { failing_since: number }>(
        `SELECT * FROM endpoints
         WHERE active = 1 AND failing_since IS NOT NULL AND failing_since <= $1 AND failure_count >= $2
         FOR UPDATE SKIP LOCKED`,
        [failingSince, minFailures],
        client,
      );
      const disabled: Endpoint[] = [];
      for (const row of failing) {
        const updated = await this.one<rows.EndpointRow>(
          `UPDATE endpoints SET active = 0, spec = (spec::jsonb || jsonb_build_object('disabledReason', $1::text))::text, updated_at = $2
           WHERE id = $3 AND active = 1 RETURNING *`,
          [reasonFor(row.failing_since), now, row.id],
          client,
        );
        if (updated !== undefined) disabled.push(rows.toEndpoint(updated));
      }
      return disabled;
    });
  }

  async endpointStats(endpointId: string, since: number): Promise<EndpointStats> {
    const counts = (await this.one<{ total: number; succeeded: number | null }>(
      `SELECT count(*) AS total, sum(CASE WHEN status_code BETWEEN 200 AND 299 THEN 1 ELSE 0 END) AS succeeded
       FROM attempts WHERE endpoint_id = $1 AND started_at >= $2`,
      [endpointId, since],
    ))!;
    // The same nearest-rank rule as the SQLite adapter, so both report the same figures.
    const percentile = async (fraction: number): Promise<number | null> => {
      if (counts.total === 0) return null;
      const offset = Math.min(counts.total - 1, Math.floor(fraction * counts.total));
      return (await this.one<{ d: number }>(
        'SELECT duration_ms AS d FROM attempts WHERE endpoint_id = $1 AND started_at >= $2 ORDER BY duration_ms LIMIT 1 OFFSET $3',
        [endpointId, since, offset],
      ))!.d;
    };
    const succeeded = counts.succeeded ?? 0;
    return {
      attempts: { total: counts.total, succeeded, failed: counts.total - succeeded },
      latencyMs: { p50: await percentile(0.5), p90: await percentile(0.9), p99: await percentile(0.99) },
    };
  }

  async endpointAttemptSeries(endpointId: string, since: number, until: number, bucketMs: number): Promise<AttemptBucket[]> {
    // The same query as the SQLite adapter's: percentile rows picked by rank within each bucket.
    const found = await this.all<rows.AttemptBucketRow>(
      `SELECT bucket, count(*) AS total, sum(ok) AS succeeded,
              max(CASE WHEN rn = n / 2 + 1 THEN d END) AS p50,
              max(CASE WHEN rn = (99 * n) / 100 + 1 THEN d END) AS p99
       FROM (SELECT (started_at - $2::bigint) / $4::bigint AS bucket, duration_ms AS d,
                    CASE WHEN status_code BETWEEN 200 AND 299 THEN 1 ELSE 0 END AS ok,
                    row_number() OVER (PARTITION BY (started_at - $2::bigint) / $4::bigint ORDER BY duration_ms) AS rn,
                    count(*) OVER (PARTITION BY (started_at - $2::bigint) / $4::bigint) AS n
             FROM attempts WHERE endpoint_id = $1 AND started_at >= $2 AND started_at < $3) AS bucketed
       GROUP BY bucket ORDER BY bucket`,
      [endpointId, since, until, bucketMs],
    );
    return found.map((row) => rows.toAttemptBucket(row, since, bucketMs));
  }

  async findCandidateEndpoints(accountId: string | null): Promise<Endpoint[]> {
    return (
      await this.all<rows.EndpointRow>('SELECT * FROM endpoints WHERE active = 1 AND (account_id IS NULL OR account_id = $1)', [accountId])
    ).map(rows.toEndpoint);
  }

  // Events.

  async ingestEvents(events: NewEvent[], dedupeSince: number, now: number): Promise<IngestOutcome[]> {
    const stored = await this.ingestAtOnce(events, dedupeSince, now);
    if (stored !== null) return stored;
    try {
      return await this.transaction(async (client) => {
        const outcomes = await this.ingestAll(events, dedupeSince, now, client);
        if (outcomes.some((outcome) => outcome.outcome === 'conflict')) throw new RollBack(outcomes);
        // Delivered to listening nodes at commit, and only if it commits.
        const queued = outcomes.some((outcome, i) => outcome.outcome === 'created' && outcome.deliveries > 0 && !events[i]!.lease);
        if (queued) await this.work.notifyWithin(client);
        return outcomes;
      });
    } catch (error) {
      if (error instanceof RollBack) return error.outcomes;
      throw error;
    }
  }

  /**
   * The common case in one statement, its own transaction (one round trip, where BEGIN, inserts,
   * NOTIFY and COMMIT take five): every event is new. If any id is already stored, it writes
   * nothing and returns null, and the transaction below sorts out duplicates and conflicts. An
   * event inserted meanwhile by a concurrent request (after this statement's snapshot) is skipped
   * by ON CONFLICT: it is answered as what it is, a duplicate, beside the events stored here.
   */
  private async ingestAtOnce(events: NewEvent[], dedupeSince: number, now: number): Promise<IngestOutcome[] | null> {
    const ids = events.map((item) => item.event.id);
    if (events.length === 0 || new Set(ids).size < ids.length) return null;
    const row = await this.one<{ created: string[] }>(INGEST_AT_ONCE, [
      ids,
      events.map((item) => item.event.type),
      events.map((item) => item.event.accountId),
      events.map((item) => item.event.payload),
      events.map((item) => item.event.correlationId),
      events.map((item) => item.event.callbackUrl),
      events.map((item) => item.event.occurredAt),
      events.map((item) => item.event.createdAt),
      now,
      ...deliveryColumns(queuedOf(events)),
    ]);
    const created = new Set(row?.created ?? []);
    if (created.size === 0) return null;
    const outcomes: IngestOutcome[] = [];
    for (const item of events) {
      outcomes.push(
        created.has(item.event.id)
          ? { outcome: 'created', event: item.event, deliveries: item.deliveries.length }
          : await this.existingOutcome(item, dedupeSince, this.pool),
      );
    }
    return outcomes;
  }

  /**
   * A whole batch in a few statements rather than a few per event (each is a round trip): the
   * accounts, then every event with ON CONFLICT DO NOTHING, then the deliveries of the events that
   * were new. An id repeated within the batch takes the event-by-event path, which sees the first
   * of them stored before the next.
   */
  private async ingestAll(events: NewEvent[], dedupeSince: number, now: number, client: pg.PoolClient): Promise<IngestOutcome[]> {
    const ids = events.map((item) => item.event.id);
    if (new Set(ids).size < ids.length) {
      const outcomes: IngestOutcome[] = [];
      for (const item of events) outcomes.push(await this.ingestOne(item, dedupeSince, now, client));
      return outcomes;
    }
    const accounts = [...new Set(events.flatMap((item) => (item.event.accountId === null ? [] : [item.event.accountId])))];
    if (accounts.length > 0) {
      await this.run(
        'INSERT INTO accounts (id, created_at, updated_at) SELECT id, $2, $2 FROM unnest($1::text[]) AS a(id) ON CONFLICT (id) DO NOTHING',
        [accounts, now],
        client,
      );
    }
    // ON CONFLICT DO NOTHING: a concurrent insert of the same id waits for the other transaction,
    // then finds its row — the same outcome as the SQLite adapter's serial transactions.
    const inserted = new Set(
      (
        await this.all<{ id: string }>(
          `INSERT INTO events (id, type, account_id, payload, correlation_id, callback_url, occurred_at, created_at)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[])
           ON CONFLICT (id) DO NOTHING RETURNING id`,
          [
            ids,
            events.map((item) => item.event.type),
            events.map((item) => item.event.accountId),
            events.map((item) => item.event.payload),
            events.map((item) => item.event.correlationId),
            events.map((item) => item.event.callbackUrl),
            events.map((item) => item.event.occurredAt),
            events.map((item) => item.event.createdAt),
          ],
          client,
        )
      ).map((row) => row.id),
    );
    const created = events.filter((item) => inserted.has(item.event.id));
    await this.insertDeliveryRows(queuedOf(created), client);
    const existing = new Map<string, IngestOutcome>();
    for (const item of events) {
      if (!inserted.has(item.event.id)) existing.set(item.event.id, await this.existingOutcome(item, dedupeSince, client));
    }
    return events.map(
      (item) => existing.get(item.event.id) ?? { outcome: 'created', event: item.event, deliveries: item.deliveries.length },
    );
  }

  private async ingestOne(item: NewEvent, dedupeSince: number, now: number, client: pg.PoolClient): Promise<IngestOutcome> {
    const { event } = item;
    if (event.accountId !== null) await this.ensureAccountRow(event.accountId, now, client);
    const inserted = await this.run(
      `INSERT INTO events (id, type, account_id, payload, correlation_id, callback_url, occurred_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING`,
      [event.id, event.type, event.accountId, event.payload, event.correlationId, event.callbackUrl, event.occurredAt, event.createdAt],
      client,
    );
    if (inserted === 0) return this.existingOutcome(item, dedupeSince, client);
    await this.insertDeliveryRows(queuedOf([item]), client);
    return { outcome: 'created', event, deliveries: item.deliveries.length };
  }

  /** An event whose id is already stored: the same client id within the window is a duplicate, anything else a conflict. */
  private async existingOutcome(item: NewEvent, dedupeSince: number, client: Queryable): Promise<IngestOutcome> {
    const existing = (await this.one<rows.EventRow>('SELECT * FROM events WHERE id = $1', [item.event.id], client))!;
    const stored = rows.toEvent(existing);
    if (!item.clientId || existing.created_at < dedupeSince) return { outcome: 'conflict', event: stored };
    const count = (await this.one<{ n: number }>('SELECT count(*) AS n FROM deliveries WHERE event_id = $1', [item.event.id], client))!.n;
    return { outcome: 'duplicate', event: stored, deliveries: count };
  }

  async getEvent(id: string): Promise<HookEvent | null> {
    const row = await this.one<rows.EventRow>('SELECT * FROM events WHERE id = $1', [id]);
    return row === undefined ? null : rows.toEvent(row);
  }

  async getEvents(ids: string[]): Promise<HookEvent[]> {
    if (ids.length === 0) return [];
    return (await this.all<rows.EventRow>(EVENTS_BY_ID, [ids])).map(rows.toEvent);
  }

  async listEvents(filter: EventFilter, page: Page): Promise<PageOf<HookEvent>> {
    const before = page.cursor === null ? null : decodeNumberCursor(page.cursor);
    const found = await this.all<rows.EventRow>(
      `SELECT * FROM events
       WHERE ($1::bigint IS NULL OR seq < $1) AND ($2::text IS NULL OR type = $2) AND ($3::text IS NULL OR account_id = $3)
         AND ($4::text IS NULL OR correlation_id = $4) AND ($5::bigint IS NULL OR created_at >= $5)
         AND ($6::bigint IS NULL OR created_at < $6)
       ORDER BY seq DESC LIMIT $7`,
      [
        before,
        filter.type ?? null,
        filter.accountId ?? null,
        filter.correlationId ?? null,
        filter.since ?? null,
        filter.until ?? null,
        page.limit + 1,
      ],
    );
    return pageFrom(found, page.limit, rows.toEvent, (row) => row.seq);
  }

  // Deliveries.

  private async insertDeliveryRows(queued: Queued[], on: Queryable): Promise<void> {
    if (queued.length === 0) return;
    // One multi-row INSERT with array parameters: a fan-out to many endpoints is one statement.
    await this.run(
      `INSERT INTO deliveries (id, event_id, endpoint_id, account_id, event_type, url, status, attempts, next_attempt_at,
         correlation_id, created_at, single_attempt, lease_owner, lease_expires_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[],
         $9::bigint[], $10::text[], $11::bigint[], $12::int[], $13::text[], $14::bigint[])`,
      deliveryColumns(queued),
      on,
    );
  }

  async insertDeliveries(deliveries: Delivery[]): Promise<void> {
    await this.transaction(async (client) => {
      await this.insertDeliveryRows(
        deliveries.map((delivery) => ({ delivery, lease: null })),
        client,
      );
      if (deliveries.length > 0) await this.work.notifyWithin(client);
    });
  }

  async getDelivery(id: string): Promise<Delivery | null> {
    const row = await this.one<rows.DeliveryRow>('SELECT * FROM deliveries WHERE id = $1', [id]);
    return row === undefined ? null : rows.toDelivery(row);
  }

  async listDeliveries(filter: DeliveryFilter, page: Page): Promise<PageOf<Delivery>> {
    const before = page.cursor === null ? null : decodeStringCursor(page.cursor);
    const found = await this.all<rows.DeliveryRow>(
      `SELECT * FROM deliveries
       WHERE ($1::text IS NULL OR id < $1) AND ($2::text IS NULL OR endpoint_id = $2) AND ($3::text IS NULL OR event_id = $3)
         AND ($4::text IS NULL OR status = $4) AND ($5::text IS NULL OR correlation_id = $5) AND ($6::text IS NULL OR account_id = $6)
       ORDER BY id DESC LIMIT $7`,
      [
        before,
        filter.endpointId ?? null,
        filter.eventId ?? null,
        filter.status ?? null,
        filter.correlationId ?? null,
        filter.accountId ?? null,
        page.limit + 1,
      ],
    );
    return pageFrom(found, page.limit, rows.toDelivery, (row) => row.id);
  }

  async claimDueDeliveries(owner: string, now: number, limit: number, leaseUntil: number): Promise<ClaimedDelivery[]> {
    return (await this.all<rows.DeliveryRow>(CLAIM, [owner, leaseUntil, now, limit])).map(rows.toClaimedDelivery);
  }

  async recordAttempts(records: AttemptRecord[]): Promise<void> {
    if (records.length === 0) return;
    // A batch in four statements whatever its size (each statement is a round trip): the attempts,
    // the deliveries' new states, the endpoints' health, and — rarely — endpoints to disable.
    await this.transaction(async (client) => {
      const attempts = records.flatMap((record) => (record.attempt === null ? [] : [{ record, attempt: record.attempt }]));
      if (attempts.length > 0) {
        // The attempt happened, so it is recorded even if the lease was lost meanwhile.
        await this.run(
          INSERT_ATTEMPTS,
          [
            attempts.map(({ attempt }) => attempt.id),
            attempts.map(({ attempt }) => attempt.deliveryId),
            attempts.map(({ record }) => record.endpointId),
            attempts.map(({ attempt }) => attempt.startedAt),
            attempts.map(({ attempt }) => attempt.durationMs),
            attempts.map(({ attempt }) => attempt.statusCode),
            attempts.map(({ attempt }) => attempt.error),
            attempts.map(({ attempt }) => JSON.stringify(attempt.requestHeaders)),
            attempts.map(({ attempt }) => JSON.stringify(attempt.responseHeaders)),
            // PostgreSQL text cannot hold NUL, which a receiver's body may contain.
            attempts.map(({ attempt }) => attempt.responseBody?.replaceAll('\u0000', '\uFFFD') ?? null),
          ],
          client,
        );
      }
      // The delivery's state is only changed by the worker that still holds it. Were a delivery
      // recorded twice in one batch, the first record wins, as it would one after the other.
      const seen = new Set<string>();
      const states = records.filter((record) => !seen.has(record.deliveryId) && seen.add(record.deliveryId));
      const updated = new Set(
        (
          await this.all<{ id: string }>(
            SETTLE_DELIVERIES,
            [
              states.map((record) => record.deliveryId),
              states.map((record) => record.leaseOwner),
              states.map((record) => record.status),
              states.map((record) => (record.attempt === null ? 0 : 1)),
              states.map((record) => record.nextAttemptAt),
              states.map((record) => record.lastStatusCode),
              states.map((record) => record.lastError),
              states.map((record) => record.completedAt),
            ],
            client,
          )
        ).map((row) => row.id),
      );
      await this.trackHealth(records, client);
      for (const record of states) {
        if (record.disableEndpoint === null || !updated.has(record.deliveryId)) continue;
        await this.run(
          `UPDATE endpoints SET active = 0, spec = (spec::jsonb || jsonb_build_object('disabledReason', $1::text))::text, updated_at = $2
           WHERE id = (SELECT endpoint_id FROM deliveries WHERE id = $3) AND active = 1`,
          [record.disableEndpoint, record.completedAt ?? 0, record.deliveryId],
          client,
        );
      }
    });
  }

  /** Each endpoint's failure run, once per batch (an endpoint whose run did not change is not written). */
  private async trackHealth(records: AttemptRecord[], client: pg.PoolClient): Promise<void> {
    const changes = failureRunChanges(records);
    if (changes.length === 0) return;
    await this.run(
      TRACK_HEALTH,
      [
        changes.map((change) => change.endpointId),
        changes.map((change) => (change.restart ? 1 : 0)),
        changes.map((change) => change.since),
        changes.map((change) => change.failures),
      ],
      client,
    );
  }

  async requeueFailedDeliveries(endpointId: string, since: number, now: number): Promise<number> {
    const count = await this.run(
      `UPDATE deliveries SET status = 'pending', next_attempt_at = $1, completed_at = NULL, single_attempt = 1
       WHERE endpoint_id = $2 AND status = 'failed' AND created_at >= $3`,
      [now, endpointId, since],
    );
    return count;
  }

  async releaseDeliveries(ids: string[], owner: string, nextAttemptAt: number): Promise<void> {
    if (ids.length === 0) return;
    await this.run(
      `UPDATE deliveries SET status = 'pending', next_attempt_at = $1, lease_owner = NULL, lease_expires_at = NULL
       WHERE id = ANY($2::text[]) AND lease_owner = $3 AND status = 'sending'`,
      [nextAttemptAt, ids, owner],
    );
  }

  async releaseExpiredLeases(now: number): Promise<number> {
    return this.run(
      `UPDATE deliveries SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL
       WHERE status = 'sending' AND lease_expires_at < $1`,
      [now],
    );
  }

  async retryDelivery(id: string, now: number): Promise<Delivery | null> {
    const row = await this.one<rows.DeliveryRow>(
      `UPDATE deliveries SET
         single_attempt = CASE WHEN status = 'pending' THEN single_attempt ELSE 1 END,
         status = 'pending', next_attempt_at = $1, completed_at = NULL
       WHERE id = $2 AND status <> 'sending'
       RETURNING *`,
      [now, id],
    );
    return row === undefined ? null : rows.toDelivery(row);
  }

  async cancelDelivery(id: string, now: number): Promise<Delivery | null> {
    const row = await this.one<rows.DeliveryRow>(
      `UPDATE deliveries SET status = 'canceled', next_attempt_at = NULL, completed_at = $1
       WHERE id = $2 AND status = 'pending' RETURNING *`,
      [now, id],
    );
    return row === undefined ? null : rows.toDelivery(row);
  }

  async listAttempts(deliveryId: string, page: Page): Promise<PageOf<Attempt>> {
    const before = page.cursor === null ? null : decodeStringCursor(page.cursor);
    const found = await this.all<rows.AttemptRow>(
      'SELECT * FROM attempts WHERE delivery_id = $1 AND ($2::text IS NULL OR id < $2) ORDER BY id DESC LIMIT $3',
      [deliveryId, before, page.limit + 1],
    );
    return pageFrom(found, page.limit, rows.toAttempt, (row) => row.id);
  }

  async nextDueAt(): Promise<number | null> {
    return (await this.one<{ at: number | null }>("SELECT min(next_attempt_at) AS at FROM deliveries WHERE status = 'pending'"))?.at ?? null;
  }

  async queueStats(now: number): Promise<QueueStats> {
    // Each count walks a partial index of pending or leased rows (deliveries_due,
    // deliveries_leased): the cost grows with the backlog, never with the history kept.
    const row = (await this.one<{ due: number; scheduled: number; oldest: number | null; sending: number }>(
      `SELECT
         (SELECT count(*) FROM deliveries WHERE status = 'pending' AND next_attempt_at <= $1) AS due,
         (SELECT count(*) FROM deliveries WHERE status = 'pending' AND next_attempt_at > $1) AS scheduled,
         (SELECT min(next_attempt_at) FROM deliveries WHERE status = 'pending') AS oldest,
         (SELECT count(*) FROM deliveries WHERE status = 'sending') AS sending`,
      [now],
    ))!;
    return { due: row.due, scheduled: row.scheduled, sending: row.sending, oldestDueAt: row.oldest !== null && row.oldest <= now ? row.oldest : null };
  }

  // Operations.

  async createOperation(operation: Operation): Promise<void> {
    await this.transaction(async (client) => {
      if (operation.accountId !== null) await this.ensureAccountRow(operation.accountId, operation.requestedAt, client);
      await this.run(
        `INSERT INTO operations (protocol, type, account_id, subject, callback_url, request_data, result_data, status, late,
           requested_at, expires_at, timed_out_at, completed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
        [
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
        ],
        client,
      );
    });
  }

  async getOperation(protocol: string): Promise<Operation | null> {
    const row = await this.one<rows.OperationRow>('SELECT * FROM operations WHERE protocol = $1', [protocol]);
    return row === undefined ? null : rows.toOperation(row);
  }

  async listOperations(filter: OperationFilter, page: Page): Promise<PageOf<Operation>> {
    const before = page.cursor === null ? null : decodeNumberCursor(page.cursor);
    const found = await this.all<rows.OperationRow>(
      `SELECT * FROM operations
       WHERE ($1::bigint IS NULL OR seq < $1) AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR type = $3)
         AND ($4::text IS NULL OR account_id = $4)
       ORDER BY seq DESC LIMIT $5`,
      [before, filter.status ?? null, filter.type ?? null, filter.accountId ?? null, page.limit + 1],
    );
    return pageFrom(found, page.limit, rows.toOperation, (row) => row.seq);
  }

  async dueOperations(now: number, limit: number): Promise<Operation[]> {
    return (
      await this.all<rows.OperationRow>(
        "SELECT * FROM operations WHERE status = 'pending' AND expires_at <= $1 ORDER BY expires_at LIMIT $2",
        [now, limit],
      )
    ).map(rows.toOperation);
  }

  async markOperationsTimedOut(protocols: string[], now: number): Promise<Operation[]> {
    if (protocols.length === 0) return [];
    return (
      await this.all<rows.OperationRow>(
        `UPDATE operations SET status = 'timed_out', timed_out_at = $1
         WHERE protocol = ANY($2::text[]) AND status = 'pending'
         RETURNING *`,
        [now, protocols],
      )
    ).map(rows.toOperation);
  }

  async operationsAwaitingNotice(recordedBefore: number, limit: number): Promise<Operation[]> {
    return (
      await this.all<rows.OperationRow>(
        `SELECT * FROM operations
         WHERE ((timed_out_at IS NOT NULL AND timeout_notified = 0 AND timed_out_at <= $1)
             OR (completed_at IS NOT NULL AND outcome_notified = 0 AND completed_at <= $1))
         ORDER BY seq LIMIT $2`,
        [recordedBefore, limit],
      )
    ).map(rows.toOperation);
  }

  async markOperationNotified(protocol: string, notice: 'timeout' | 'outcome'): Promise<void> {
    await this.run(
      notice === 'timeout'
        ? 'UPDATE operations SET timeout_notified = 1 WHERE protocol = $1'
        : 'UPDATE operations SET outcome_notified = 1 WHERE protocol = $1',
      [protocol],
    );
  }

  async completeOperation(protocol: string, status: 'succeeded' | 'failed', resultData: string | null, now: number): Promise<Operation | null> {
    // As in SQLite, SET expressions see the row as it was: `late` is whether it had timed out.
    const row = await this.one<rows.OperationRow>(
      `UPDATE operations SET late = CASE WHEN status = 'timed_out' THEN 1 ELSE 0 END, status = $1, result_data = $2, completed_at = $3
       WHERE protocol = $4 AND completed_at IS NULL
       RETURNING *`,
      [status, resultData, now, protocol],
    );
    return row === undefined ? null : rows.toOperation(row);
  }
  // Rate limits and retention.

  async reserveRateSlot(endpointId: string, now: number, intervalMs: number): Promise<number> {
    // One row update serialises the nodes: each attempt takes the next free slot, whichever node sends it.
    const row = await this.one<{ start: number }>(
      `UPDATE endpoints SET rate_next_at = greatest(coalesce(rate_next_at, 0), $1) + $2 WHERE id = $3
       RETURNING rate_next_at - $2 AS start`,
      [now, intervalMs, endpointId],
    );
    return row?.start ?? now;
  }

  async purgeBefore(cutoff: number, batchSize: number): Promise<PurgeCounts> {
    return this.transaction(async (client) => {
      // One purger at a time across nodes; the others skip this round rather than wait.
      const locked = await this.one<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [RETENTION_LOCK], client);
      if (!locked?.ok) return { events: 0, deliveries: 0, attempts: 0, operations: 0, keys: 0 };
      const events = (
        await this.all<{ id: string }>(
          `SELECT id FROM events WHERE created_at < $1 AND NOT EXISTS (
             SELECT 1 FROM deliveries WHERE deliveries.event_id = events.id AND deliveries.status IN ('pending', 'sending')
           ) ORDER BY created_at LIMIT $2`,
          [cutoff, batchSize],
          client,
        )
      ).map((row) => row.id);
      const attempts = await this.run(
        'DELETE FROM attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE event_id = ANY($1::text[]))',
        [events],
        client,
      );
      const deliveries = await this.run('DELETE FROM deliveries WHERE event_id = ANY($1::text[])', [events], client);
      const deletedEvents = await this.run('DELETE FROM events WHERE id = ANY($1::text[])', [events], client);
      const operations = await this.run(
        `DELETE FROM operations WHERE seq IN (
           SELECT seq FROM operations WHERE requested_at < $1 AND status <> 'pending' ORDER BY requested_at LIMIT $2)`,
        [cutoff, batchSize],
        client,
      );
      const keys = await this.run(
        'DELETE FROM api_keys WHERE id IN (SELECT id FROM api_keys WHERE expires_at < $1 ORDER BY expires_at LIMIT $2)',
        [cutoff, batchSize],
        client,
      );
      return { events: deletedEvents, deliveries, attempts, operations, keys };
    });
  }

}

/** Thrown inside a transaction to undo it while still returning what was found. */
/** A statement prepared once per connection (by name): PostgreSQL parses and plans it once. */
interface Prepared {
  name: string;
  text: string;
}

type Sql = string | Prepared;

function queryOf(sql: Sql, values: unknown[]): pg.QueryConfig {
  return typeof sql === 'string' ? { text: sql, values } : { name: sql.name, text: sql.text, values };
}

/** A delivery to insert, and the lease it is inserted under when handed straight to a worker. */
interface Queued {
  delivery: Delivery;
  lease: DeliveryLease | null;
}

function queuedOf(events: NewEvent[]): Queued[] {
  return events.flatMap((item) => item.deliveries.map((delivery) => ({ delivery, lease: item.lease ?? null })));
}

/** The columns of deliveries as arrays, for INSERT … SELECT * FROM unnest(…). */
function deliveryColumns(queued: Queued[]): unknown[][] {
  return [
    queued.map(({ delivery }) => delivery.id),
    queued.map(({ delivery }) => delivery.eventId),
    queued.map(({ delivery }) => delivery.endpointId),
    queued.map(({ delivery }) => delivery.accountId),
    queued.map(({ delivery }) => delivery.eventType),
    queued.map(({ delivery }) => delivery.url),
    queued.map(({ delivery, lease }) => (lease === null ? delivery.status : 'sending')),
    queued.map(({ delivery }) => delivery.attempts),
    queued.map(({ delivery }) => delivery.nextAttemptAt),
    queued.map(({ delivery }) => delivery.correlationId),
    queued.map(({ delivery }) => delivery.createdAt),
    queued.map(({ delivery }) => (delivery.singleAttempt ? 1 : 0)),
    queued.map(({ lease }) => lease?.owner ?? null),
    queued.map(({ lease }) => lease?.until ?? null),
  ];
}

/**
 * Ingest in one statement (see ingestAtOnce). Data-modifying CTEs share one snapshot: `clash`
 * stops every insert when any id is already stored, and deliveries are inserted only for the
 * events this statement inserted. Workers hear of the new work at commit (pg_notify).
 */
const INGEST_AT_ONCE: Prepared = {
  name: 'hookd_ingest_at_once',
  text: `WITH input AS (
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[])
        AS t(id, type, account_id, payload, correlation_id, callback_url, occurred_at, created_at)
    ),
    clash AS (SELECT 1 FROM events WHERE id IN (SELECT id FROM input) LIMIT 1),
    new_accounts AS (
      INSERT INTO accounts (id, created_at, updated_at)
      SELECT DISTINCT account_id, $9::bigint, $9::bigint FROM input
      WHERE account_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM clash)
      ON CONFLICT (id) DO NOTHING
    ),
    created AS (
      INSERT INTO events (id, type, account_id, payload, correlation_id, callback_url, occurred_at, created_at)
      SELECT * FROM input WHERE NOT EXISTS (SELECT 1 FROM clash)
      ON CONFLICT (id) DO NOTHING
      RETURNING id
    ),
    queued AS (
      INSERT INTO deliveries (id, event_id, endpoint_id, account_id, event_type, url, status, attempts, next_attempt_at,
        correlation_id, created_at, single_attempt, lease_owner, lease_expires_at)
      SELECT * FROM unnest($10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::int[],
          $18::bigint[], $19::text[], $20::bigint[], $21::int[], $22::text[], $23::bigint[])
        AS d(id, event_id, endpoint_id, account_id, event_type, url, status, attempts, next_attempt_at, correlation_id,
          created_at, single_attempt, lease_owner, lease_expires_at)
      WHERE d.event_id IN (SELECT id FROM created)
      RETURNING status
    )
    SELECT array(SELECT id FROM created) AS created,
      (SELECT pg_notify('${WORK_CHANNEL}', '') FROM queued WHERE status = 'pending' LIMIT 1) AS notified`,
};

// The hot statements of delivery, prepared on each connection. They name their columns rather
// than `*`: a prepared statement whose result columns change under it (a migration adding one,
// run by another node) would fail until the connection is replaced.

const DELIVERY_COLUMNS = `id, event_id, endpoint_id, account_id, event_type, url, status, attempts, next_attempt_at,
  last_status_code, last_error, correlation_id, single_attempt, created_at, completed_at`;

/** SKIP LOCKED: nodes claiming at the same moment take disjoint rows instead of waiting on each other. */
const CLAIM: Prepared = {
  name: 'hookd_claim',
  text: `UPDATE deliveries SET status = 'sending', lease_owner = $1, lease_expires_at = $2
    WHERE id IN (
      SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at <= $3
      ORDER BY next_attempt_at LIMIT $4 FOR UPDATE SKIP LOCKED
    )
    RETURNING ${DELIVERY_COLUMNS}`,
};

const EVENTS_BY_ID: Prepared = {
  name: 'hookd_events_by_id',
  text: `SELECT seq, id, type, account_id, payload, correlation_id, callback_url, occurred_at, created_at
    FROM events WHERE id = ANY($1::text[])`,
};

const INSERT_ATTEMPTS: Prepared = {
  name: 'hookd_insert_attempts',
  text: `INSERT INTO attempts (id, delivery_id, endpoint_id, started_at, duration_ms, status_code, error, request_headers,
      response_headers, response_body)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::int[], $6::int[], $7::text[], $8::text[],
      $9::text[], $10::text[])`,
};

const SETTLE_DELIVERIES: Prepared = {
  name: 'hookd_settle_deliveries',
  text: `UPDATE deliveries d SET status = r.status, attempts = d.attempts + r.made, next_attempt_at = r.next_attempt_at,
      last_status_code = r.last_status_code, last_error = r.last_error, completed_at = r.completed_at,
      single_attempt = 0, lease_owner = NULL, lease_expires_at = NULL
    FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::bigint[], $6::int[], $7::text[], $8::bigint[])
      AS r(id, owner, status, made, next_attempt_at, last_status_code, last_error, completed_at)
    WHERE d.id = r.id AND d.lease_owner = r.owner AND d.status = 'sending'
    RETURNING d.id`,
};

const TRACK_HEALTH: Prepared = {
  name: 'hookd_track_health',
  text: `UPDATE endpoints e SET
      failing_since = CASE WHEN h.restart = 1 THEN h.since ELSE coalesce(e.failing_since, h.since) END,
      failure_count = CASE WHEN h.restart = 1 THEN h.failures ELSE e.failure_count + h.failures END
    FROM unnest($1::text[], $2::int[], $3::bigint[], $4::int[]) AS h(id, restart, since, failures)
    WHERE e.id = h.id AND (h.failures > 0 OR e.failing_since IS NOT NULL)`,
};

class RollBack extends Error {
  constructor(readonly outcomes: IngestOutcome[]) {
    super('rolled back');
  }
}
