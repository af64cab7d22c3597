import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
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
import { failureRunChanges, type FailureRunChange } from '../failure-runs.js';
import { loadMigrations } from '../migrations.js';
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
import * as rows from '../rows.js';
import { Checkpointer, SAFETY_NET_AUTOCHECKPOINT_PAGES } from './checkpointer.js';

// The embedded store. better-sqlite3 is synchronous: each method runs to completion on the event
// loop, so a transaction here can never interleave with another of this process. WAL mode lets
// readers proceed while the single writer commits.

type Params = unknown[];

export class SqliteStore implements Store {
  readonly dialect = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly migrationCount = loadMigrations('sqlite').length;
  /** Null for an in-memory database, which has no WAL. */
  private readonly checkpointer: Checkpointer | null = null;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a commit survives a crash of hookd (kill -9); only an OS crash or power
    // loss can lose the last transactions. FULL would fsync every commit for that last case.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = OFF');
    if (path !== ':memory:') {
      this.db.pragma(`wal_autocheckpoint = ${SAFETY_NET_AUTOCHECKPOINT_PAGES}`);
      this.checkpointer = Checkpointer.start(path);
    }
  }

  /** `sqlite:./hookd.db` → `./hookd.db`; `sqlite::memory:` for tests of the adapter alone. */
  static fromUrl(url: string): SqliteStore {
    return new SqliteStore(url.replace(/^sqlite:(\/\/)?/, ''));
  }

  private stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private all<T>(sql: string, params: Params = []): T[] {
    return this.stmt(sql).all(...params) as T[];
  }

  private get<T>(sql: string, params: Params = []): T | undefined {
    return this.stmt(sql).get(...params) as T | undefined;
  }

  private run(sql: string, params: Params = []): Database.RunResult {
    return this.stmt(sql).run(...params);
  }

  async migrate(): Promise<void> {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
    );
    for (const migration of loadMigrations('sqlite')) {
      // IMMEDIATE takes the write lock first, so two processes starting at once apply each migration once.
      this.db.transaction(() => {
        const applied = this.get('SELECT 1 FROM schema_migrations WHERE version = ?', [migration.version]);
        if (applied !== undefined) return;
        this.db.exec(migration.sql);
        this.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
          migration.version,
          migration.name,
          Date.now(),
        ]);
      }).immediate();
    }
  }

  async isReady(): Promise<boolean> {
    try {
      const row = this.get<{ n: number }>('SELECT count(*) AS n FROM schema_migrations');
      return row !== undefined && row.n >= this.migrationCount;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.checkpointer?.stop();
    if (this.db.open) this.db.close();
  }

  onNewWork(): () => void {
    return () => undefined;
  }

  async announceNewWork(): Promise<void> {}

  async getSetting(name: string): Promise<string | null> {
    return this.get<{ value: string }>('SELECT value FROM settings WHERE name = ?', [name])?.value ?? null;
  }

  async replaceSetting(name: string, value: string): Promise<void> {
    this.run('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value', [name, value]);
  }

  async initSetting(name: string, value: string): Promise<string> {
    this.run('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING', [name, value]);
    return (await this.getSetting(name)) ?? value;
  }

  // Keys.

  async createKey(key: NewApiKey): Promise<ApiKey> {
    this.run(
      `INSERT INTO api_keys (id, kind, account_id, name, key_hash, created_at, expires_at, rate_limit_per_second)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [key.id, key.kind, key.accountId, key.name, key.keyHash, key.createdAt, key.expiresAt, key.rateLimitPerSecond],
    );
    return rows.toApiKey(this.get<rows.KeyRow>('SELECT * FROM api_keys WHERE id = ?', [key.id])!);
  }

  async findKeyByHash(keyHash: string): Promise<ApiKeyRecord | null> {
    const row = this.get<rows.KeyRow>('SELECT * FROM api_keys WHERE key_hash = ?', [keyHash]);
    return row === undefined ? null : rows.toApiKeyRecord(row);
  }

  async listKeys(page: Page): Promise<PageOf<ApiKey>> {
    const after = page.cursor === null ? null : decodeStringCursor(page.cursor);
    const found = this.all<rows.KeyRow>(
      'SELECT * FROM api_keys WHERE revoked_at IS NULL AND (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?',
      [after, after, page.limit + 1],
    );
    return pageFrom(found, page.limit, rows.toApiKey, (row) => row.id);
  }

  async revokeKey(id: string, now: number): Promise<boolean> {
    return this.run('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [now, id]).changes > 0;
  }

  async touchKeys(ids: string[], now: number): Promise<void> {
    this.db.transaction(() => {
      for (const id of ids) this.run('UPDATE api_keys SET last_used_at = ? WHERE id = ?', [now, id]);
    })();
  }

  async countLiveKeys(kind: KeyKind): Promise<number> {
    return this.get<{ n: number }>('SELECT count(*) AS n FROM api_keys WHERE kind = ? AND revoked_at IS NULL', [kind])!
      .n;
  }

  // Accounts.

  private ensureAccountRow(id: string, now: number): void {
    this.run(
      'INSERT INTO accounts (id, created_at, updated_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING',
      [id, now, now],
    );
  }

  async ensureAccount(id: string, now: number): Promise<Account> {
    this.ensureAccountRow(id, now);
    return (await this.getAccount(id))!;
  }

  async getAccount(id: string): Promise<Account | null> {
    const row = this.get<rows.AccountRow>('SELECT * FROM accounts WHERE id = ?', [id]);
    return row === undefined ? null : rows.toAccount(row);
  }

  async listAccounts(page: Page): Promise<PageOf<Account>> {
    const after = page.cursor === null ? null : decodeStringCursor(page.cursor);
    const found = this.all<rows.AccountRow>(
      'SELECT * FROM accounts WHERE (? IS NULL OR id > ?) ORDER BY id LIMIT ?',
      [after, after, page.limit + 1],
    );
    return pageFrom(found, page.limit, rows.toAccount, (row) => row.id);
  }

  async putAccount(id: string, patch: AccountPatch, now: number): Promise<Account> {
    this.db.transaction(() => {
      this.ensureAccountRow(id, now);
      this.run(
        `UPDATE accounts SET
           name = CASE WHEN ? THEN ? ELSE name END,
           enabled = coalesce(?, enabled),
           metadata = coalesce(?, metadata),
           updated_at = ?
         WHERE id = ?`,
        [
          patch.name !== undefined ? 1 : 0,
          patch.name ?? null,
          patch.enabled === undefined ? null : patch.enabled ? 1 : 0,
          patch.metadata === undefined ? null : JSON.stringify(patch.metadata),
          now,
          id,
        ],
      );
    })();
    return (await this.getAccount(id))!;
  }

  // Event types.

  async createEventType(eventType: EventType): Promise<EventType | null> {
    const result = this.run(
      `INSERT INTO event_types (name, description, category, schema, examples, parameters, archived, built_in, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
      rows.eventTypeParams(eventType),
    );
    return result.changes === 0 ? null : this.getEventType(eventType.name);
  }

  async upsertBuiltInEventTypes(eventTypes: EventType[]): Promise<void> {
    this.db.transaction(() => {
      for (const eventType of eventTypes) {
        this.run(
          `INSERT INTO event_types (name, description, category, schema, examples, parameters, archived, built_in, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET description = excluded.description, category = excluded.category,
             schema = excluded.schema, examples = excluded.examples, parameters = excluded.parameters,
             archived = 0, built_in = 1`,
          rows.eventTypeParams(eventType),
        );
      }
    })();
  }

  async getEventType(name: string): Promise<EventType | null> {
    const row = this.get<rows.EventTypeRow>('SELECT * FROM event_types WHERE name = ?', [name]);
    return row === undefined ? null : rows.toEventType(row);
  }

  async listEventTypes(filter: EventTypeFilter, page: Page): Promise<PageOf<EventType>> {
    const after = page.cursor === null ? null : decodeStringCursor(page.cursor);
    const found = this.all<rows.EventTypeRow>(
      `SELECT * FROM event_types
       WHERE (? IS NULL OR name > ?) AND (? IS NULL OR category = ?) AND (? = 1 OR archived = 0)
       ORDER BY name LIMIT ?`,
      [after, after, filter.category ?? null, filter.category ?? null, filter.includeArchived ? 1 : 0, page.limit + 1],
    );
    return pageFrom(found, page.limit, rows.toEventType, (row) => row.name);
  }

  async replaceEventType(eventType: EventType): Promise<EventType | null> {
    const result = this.run(
      `UPDATE event_types SET description = ?, category = ?, schema = ?, examples = ?, parameters = ?, archived = ?, updated_at = ?
       WHERE name = ? AND built_in = 0`,
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
    return result.changes === 0 ? null : this.getEventType(eventType.name);
  }

  // Endpoints.

  async createEndpoint(endpoint: EndpointWithSecrets): Promise<Endpoint> {
    this.db.transaction(() => {
      if (endpoint.accountId !== null) this.ensureAccountRow(endpoint.accountId, endpoint.createdAt);
      this.run(
        `INSERT INTO endpoints (id, account_id, url, active, event_types, spec, secret, previous_secret,
           previous_secret_expires_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
      );
    })();
    return rows.toEndpoint(this.get<rows.EndpointRow>('SELECT * FROM endpoints WHERE id = ?', [endpoint.id])!);
  }

  async getEndpoint(id: string): Promise<EndpointWithSecrets | null> {
    const row = this.get<rows.EndpointRow>('SELECT * FROM endpoints WHERE id = ?', [id]);
    return row === undefined ? null : rows.toEndpointWithSecrets(row);
  }

  async getEndpoints(ids: string[]): Promise<EndpointWithSecrets[]> {
    if (ids.length === 0) return [];
    return this.all<rows.EndpointRow>('SELECT * FROM endpoints WHERE id IN (SELECT value FROM json_each(?))', [
      JSON.stringify(ids),
    ]).map(rows.toEndpointWithSecrets);
  }

  async listEndpoints(filter: EndpointFilter, page: Page): Promise<PageOf<Endpoint>> {
    // The type filter matches patterns, which SQL cannot: rows are scanned in id order in chunks
    // and filtered here until the page is full.
    let after = page.cursor === null ? null : decodeStringCursor(page.cursor);
    const byAccount = filter.accountId !== undefined;
    const matched: rows.EndpointRow[] = [];
    const chunk = Math.max(page.limit + 1, 200);
    for (;;) {
      const found = this.all<rows.EndpointRow>(
        `SELECT * FROM endpoints
         WHERE (? IS NULL OR id < ?) AND (? = 0 OR account_id IS ?) AND (? IS NULL OR active = ?)
         ORDER BY id DESC LIMIT ?`,
        [
          after,
          after,
          byAccount ? 1 : 0,
          filter.accountId ?? null,
          filter.active === undefined ? null : 1,
          filter.active ? 1 : 0,
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
    const result = this.db.transaction(() => {
      if (spec.accountId !== null) this.ensureAccountRow(spec.accountId, now);
      return this.run(
        'UPDATE endpoints SET account_id = ?, url = ?, active = ?, event_types = ?, spec = ?, updated_at = ? WHERE id = ?',
        [spec.accountId, spec.url, spec.active ? 1 : 0, JSON.stringify(spec.eventTypes), rows.specColumn(spec), now, id],
      );
    })();
    if (result.changes === 0) return null;
    return rows.toEndpoint(this.get<rows.EndpointRow>('SELECT * FROM endpoints WHERE id = ?', [id])!);
  }

  async setEndpointSecrets(id: string, secrets: EndpointSecrets, now: number): Promise<boolean> {
    return (
      this.run(
        'UPDATE endpoints SET secret = ?, previous_secret = ?, previous_secret_expires_at = ?, updated_at = ? WHERE id = ?',
        [secrets.current, secrets.previous, secrets.previousExpiresAt, now, id],
      ).changes > 0
    );
  }

  async deleteEndpoint(id: string, now: number): Promise<boolean> {
    return this.db.transaction(() => {
      const deleted = this.run('DELETE FROM endpoints WHERE id = ?', [id]).changes > 0;
      // Its queued deliveries would have nowhere to go.
      if (deleted) {
        this.run(
          "UPDATE deliveries SET status = 'canceled', next_attempt_at = NULL, completed_at = ? WHERE endpoint_id = ? AND status = 'pending'",
          [now, id],
        );
      }
      return deleted;
    })();
  }

  async findCandidateEndpoints(accountId: string | null): Promise<Endpoint[]> {
    return this.all<rows.EndpointRow>(
      'SELECT * FROM endpoints WHERE active = 1 AND (account_id IS NULL OR account_id = ?)',
      [accountId],
    ).map(rows.toEndpoint);
  }

  // Events.

  async ingestEvents(events: NewEvent[], dedupeSince: number, now: number): Promise<IngestOutcome[]> {
    try {
      return this.db.transaction(() => {
        const outcomes = events.map((item) => this.ingestOne(item, dedupeSince, now));
        // All or nothing: a batch with a conflicting id stores none of its events.
        if (outcomes.some((outcome) => outcome.outcome === 'conflict')) throw new RollBack(outcomes);
        return outcomes;
      })();
    } catch (error) {
      if (error instanceof RollBack) return error.outcomes;
      throw error;
    }
  }

  private ingestOne(item: NewEvent, dedupeSince: number, now: number): IngestOutcome {
    const { event } = item;
    if (item.clientId) {
      const existing = this.get<rows.EventRow>('SELECT * FROM events WHERE id = ?', [event.id]);
      if (existing !== undefined) {
        const stored = rows.toEvent(existing);
        if (existing.created_at < dedupeSince) return { outcome: 'conflict', event: stored };
        const count = this.get<{ n: number }>('SELECT count(*) AS n FROM deliveries WHERE event_id = ?', [event.id])!.n;
        return { outcome: 'duplicate', event: stored, deliveries: count };
      }
    }
    if (event.accountId !== null) this.ensureAccountRow(event.accountId, now);
    this.run(
      `INSERT INTO events (id, type, account_id, payload, correlation_id, callback_url, occurred_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        event.id,
        event.type,
        event.accountId,
        event.payload,
        event.correlationId,
        event.callbackUrl,
        event.occurredAt,
        event.createdAt,
      ],
    );
    this.insertDeliveryRows(item.deliveries, item.lease ?? null);
    return { outcome: 'created', event, deliveries: item.deliveries.length };
  }

  async getEvent(id: string): Promise<HookEvent | null> {
    const row = this.get<rows.EventRow>('SELECT * FROM events WHERE id = ?', [id]);
    return row === undefined ? null : rows.toEvent(row);
  }

  async getEvents(ids: string[]): Promise<HookEvent[]> {
    if (ids.length === 0) return [];
    return this.all<rows.EventRow>('SELECT * FROM events WHERE id IN (SELECT value FROM json_each(?))', [
      JSON.stringify(ids),
    ]).map(rows.toEvent);
  }

  async listEvents(filter: EventFilter, page: Page): Promise<PageOf<HookEvent>> {
    const before = page.cursor === null ? null : decodeNumberCursor(page.cursor);
    const found = this.all<rows.EventRow>(
      `SELECT * FROM events
       WHERE (? IS NULL OR seq < ?) AND (? IS NULL OR type = ?) AND (? IS NULL OR account_id = ?)
         AND (? IS NULL OR correlation_id = ?) AND (? IS NULL OR created_at >= ?) AND (? IS NULL OR created_at < ?)
       ORDER BY seq DESC LIMIT ?`,
      [
        before,
        before,
        ...twice(filter.type),
        ...twice(filter.accountId),
        ...twice(filter.correlationId),
        ...twice(filter.since),
        ...twice(filter.until),
        page.limit + 1,
      ],
    );
    return pageFrom(found, page.limit, rows.toEvent, (row) => row.seq);
  }

  // Deliveries.

  private insertDeliveryRows(deliveries: Delivery[], lease: DeliveryLease | null): void {
    for (const d of deliveries) {
      this.run(
        `INSERT INTO deliveries (id, event_id, endpoint_id, account_id, event_type, url, status, attempts, next_attempt_at,
           correlation_id, created_at, single_attempt, lease_owner, lease_expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          d.id,
          d.eventId,
          d.endpointId,
          d.accountId,
          d.eventType,
          d.url,
          lease === null ? d.status : 'sending',
          d.attempts,
          d.nextAttemptAt,
          d.correlationId,
          d.createdAt,
          d.singleAttempt ? 1 : 0,
          lease?.owner ?? null,
          lease?.until ?? null,
        ],
      );
    }
  }

  async insertDeliveries(deliveries: Delivery[]): Promise<void> {
    this.db.transaction(() => this.insertDeliveryRows(deliveries, null))();
  }

  async getDelivery(id: string): Promise<Delivery | null> {
    const row = this.get<rows.DeliveryRow>('SELECT * FROM deliveries WHERE id = ?', [id]);
    return row === undefined ? null : rows.toDelivery(row);
  }

  async listDeliveries(filter: DeliveryFilter, page: Page): Promise<PageOf<Delivery>> {
    const before = page.cursor === null ? null : decodeStringCursor(page.cursor);
    const found = this.all<rows.DeliveryRow>(
      `SELECT * FROM deliveries
       WHERE (? IS NULL OR id < ?) AND (? IS NULL OR endpoint_id = ?) AND (? IS NULL OR event_id = ?)
         AND (? IS NULL OR status = ?) AND (? IS NULL OR correlation_id = ?) AND (? IS NULL OR account_id = ?)
       ORDER BY id DESC LIMIT ?`,
      [
        before,
        before,
        ...twice(filter.endpointId),
        ...twice(filter.eventId),
        ...twice(filter.status),
        ...twice(filter.correlationId),
        ...twice(filter.accountId),
        page.limit + 1,
      ],
    );
    return pageFrom(found, page.limit, rows.toDelivery, (row) => row.id);
  }

  async claimDueDeliveries(owner: string, now: number, limit: number, leaseUntil: number): Promise<ClaimedDelivery[]> {
    // One statement: the inner select walks the partial index of pending rows in due order. It is
    // named: left to itself the planner may pick another index and sort every pending row, which
    // makes each claim as slow as the backlog is long. It yields rowids, so each row is then found
    // directly rather than through the id index.
    return this.all<rows.DeliveryRow>(
      `UPDATE deliveries SET status = 'sending', lease_owner = ?, lease_expires_at = ?
       WHERE rowid IN (
         SELECT rowid FROM deliveries INDEXED BY deliveries_due
         WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?
       )
       RETURNING *`,
      [owner, leaseUntil, now, limit],
    ).map(rows.toClaimedDelivery);
  }

  async recordAttempts(records: AttemptRecord[]): Promise<void> {
    this.db.transaction(() => {
      for (const record of records) this.recordAttempt(record);
      for (const change of failureRunChanges(records)) this.trackHealth(change);
    })();
  }

  private recordAttempt(record: AttemptRecord): void {
    const { attempt } = record;
    // The attempt happened, so it is recorded even if the lease was lost meanwhile; the delivery's
    // state is only changed by the worker that still holds it.
    if (attempt !== null) {
      this.run(
        `INSERT INTO attempts (id, delivery_id, endpoint_id, started_at, duration_ms, status_code, error, request_headers,
           response_headers, response_body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          attempt.id,
          attempt.deliveryId,
          record.endpointId,
          attempt.startedAt,
          attempt.durationMs,
          attempt.statusCode,
          attempt.error,
          JSON.stringify(attempt.requestHeaders),
          JSON.stringify(attempt.responseHeaders),
          attempt.responseBody,
        ],
      );
    }
    const updated = this.run(
      `UPDATE deliveries SET status = ?, attempts = attempts + ?, next_attempt_at = ?, last_status_code = ?,
         last_error = ?, completed_at = ?, single_attempt = 0, lease_owner = NULL, lease_expires_at = NULL
       WHERE id = ? AND lease_owner = ? AND status = 'sending'`,
      [
        record.status,
        attempt === null ? 0 : 1,
        record.nextAttemptAt,
        record.lastStatusCode,
        record.lastError,
        record.completedAt,
        record.deliveryId,
        record.leaseOwner,
      ],
    );
    if (record.disableEndpoint !== null && updated.changes > 0) {
      this.run(
        `UPDATE endpoints SET active = 0, spec = json_set(spec, '$.disabledReason', ?), updated_at = ?
         WHERE id = (SELECT endpoint_id FROM deliveries WHERE id = ?) AND active = 1`,
        [record.disableEndpoint, record.completedAt ?? 0, record.deliveryId],
      );
    }
  }

  /** An endpoint's failure run after a batch (see failure-runs.ts); unchanged runs are not written. */
  private trackHealth(change: FailureRunChange): void {
    if (change.restart) {
      this.run('UPDATE endpoints SET failing_since = ?, failure_count = ? WHERE id = ? AND (? > 0 OR failing_since IS NOT NULL)', [
        change.since,
        change.failures,
        change.endpointId,
        change.failures,
      ]);
    } else {
      this.run(
        'UPDATE endpoints SET failing_since = coalesce(failing_since, ?), failure_count = failure_count + ? WHERE id = ?',
        [change.since, change.failures, change.endpointId],
      );
    }
  }

  async disableFailingEndpoints(
    failingSince: number,
    minFailures: number,
    reasonFor: (failingSince: number) => string,
    now: number,
  ): Promise<Endpoint[]> {
    return this.db.transaction(() => {
      const failing = this.all<rows.EndpointRow & { failing_since: number }>(
        `SELECT * FROM endpoints
         WHERE active = 1 AND failing_since IS NOT NULL AND failing_since <= ? AND failure_count >= ?`,
        [failingSince, minFailures],
      );
      for (const row of failing) {
        this.run(
          `UPDATE endpoints SET active = 0, spec = json_set(spec, '$.disabledReason', ?), updated_at = ? WHERE id = ? AND active = 1`,
          [reasonFor(row.failing_since), now, row.id],
        );
      }
      return failing.map((row) => rows.toEndpoint(this.get<rows.EndpointRow>('SELECT * FROM endpoints WHERE id = ?', [row.id])!));
    })();
  }

  async endpointStats(endpointId: string, since: number): Promise<EndpointStats> {
    const counts = this.get<{ total: number; succeeded: number | null }>(
      `SELECT count(*) AS total, sum(CASE WHEN status_code BETWEEN 200 AND 299 THEN 1 ELSE 0 END) AS succeeded
       FROM attempts WHERE endpoint_id = ? AND started_at >= ?`,
      [endpointId, since],
    )!;
    const percentile = (fraction: number): number | null => {
      if (counts.total === 0) return null;
      const offset = Math.min(counts.total - 1, Math.floor(fraction * counts.total));
      return this.get<{ d: number }>(
        'SELECT duration_ms AS d FROM attempts WHERE endpoint_id = ? AND started_at >= ? ORDER BY duration_ms LIMIT 1 OFFSET ?',
        [endpointId, since, offset],
      )!.d;
    };
    const succeeded = counts.succeeded ?? 0;
    return {
      attempts: { total: counts.total, succeeded, failed: counts.total - succeeded },
      latencyMs: { p50: percentile(0.5), p90: percentile(0.9), p99: percentile(0.99) },
    };
  }

  async endpointAttemptSeries(endpointId: string, since: number, until: number, bucketMs: number): Promise<AttemptBucket[]> {
    // One pass in the database: rows are numbered by duration within their bucket, and the
    // nearest-rank percentile rows (the same rule as endpointStats) are picked out per bucket.
    // The casts make the division an integer one (bound JS numbers arrive as REAL).
    const found = this.all<rows.AttemptBucketRow>(
      `SELECT bucket, count(*) AS total, sum(ok) AS succeeded,
              max(CASE WHEN rn = n / 2 + 1 THEN d END) AS p50,
              max(CASE WHEN rn = (99 * n) / 100 + 1 THEN d END) AS p99
       FROM (SELECT (started_at - CAST(? AS INTEGER)) / CAST(? AS INTEGER) AS bucket, duration_ms AS d,
                    CASE WHEN status_code BETWEEN 200 AND 299 THEN 1 ELSE 0 END AS ok,
                    row_number() OVER (PARTITION BY (started_at - CAST(? AS INTEGER)) / CAST(? AS INTEGER) ORDER BY duration_ms) AS rn,
                    count(*) OVER (PARTITION BY (started_at - CAST(? AS INTEGER)) / CAST(? AS INTEGER)) AS n
             FROM attempts WHERE endpoint_id = ? AND started_at >= ? AND started_at < ?)
       GROUP BY bucket ORDER BY bucket`,
      [since, bucketMs, since, bucketMs, since, bucketMs, endpointId, since, until],
    );
    return found.map((row) => rows.toAttemptBucket(row, since, bucketMs));
  }

  async requeueFailedDeliveries(endpointId: string, since: number, now: number): Promise<number> {
    return this.run(
      `UPDATE deliveries SET status = 'pending', next_attempt_at = ?, completed_at = NULL, single_attempt = 1
       WHERE endpoint_id = ? AND status = 'failed' AND created_at >= ?`,
      [now, endpointId, since],
    ).changes;
  }

  async releaseDeliveries(ids: string[], owner: string, nextAttemptAt: number): Promise<void> {
    if (ids.length === 0) return;
    this.run(
      `UPDATE deliveries SET status = 'pending', next_attempt_at = ?, lease_owner = NULL, lease_expires_at = NULL
       WHERE id IN (SELECT value FROM json_each(?)) AND lease_owner = ? AND status = 'sending'`,
      [nextAttemptAt, JSON.stringify(ids), owner],
    );
  }

  async releaseExpiredLeases(now: number): Promise<number> {
    return this.run(
      `UPDATE deliveries INDEXED BY deliveries_leased SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL
       WHERE status = 'sending' AND lease_expires_at < ?`,
      [now],
    ).changes;
  }

  async retryDelivery(id: string, now: number): Promise<Delivery | null> {
    const row = this.get<rows.DeliveryRow>(
      `UPDATE deliveries SET
         single_attempt = CASE WHEN status = 'pending' THEN single_attempt ELSE 1 END,
         status = 'pending', next_attempt_at = ?, completed_at = NULL
       WHERE id = ? AND status <> 'sending'
       RETURNING *`,
      [now, id],
    );
    return row === undefined ? null : rows.toDelivery(row);
  }

  async cancelDelivery(id: string, now: number): Promise<Delivery | null> {
    const row = this.get<rows.DeliveryRow>(
      `UPDATE deliveries SET status = 'canceled', next_attempt_at = NULL, completed_at = ?
       WHERE id = ? AND status = 'pending' RETURNING *`,
      [now, id],
    );
    return row === undefined ? null : rows.toDelivery(row);
  }

  async listAttempts(deliveryId: string, page: Page): Promise<PageOf<Attempt>> {
    const before = page.cursor === null ? null : decodeStringCursor(page.cursor);
    const found = this.all<rows.AttemptRow>(
      'SELECT * FROM attempts WHERE delivery_id = ? AND (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?',
      [deliveryId, before, before, page.limit + 1],
    );
    return pageFrom(found, page.limit, rows.toAttempt, (row) => row.id);
  }

  async nextDueAt(): Promise<number | null> {
    return (
      this.get<{ at: number | null }>("SELECT min(next_attempt_at) AS at FROM deliveries INDEXED BY deliveries_due WHERE status = 'pending'")?.at ??
      null
    );
  }

  async queueStats(now: number): Promise<QueueStats> {
    // Each count walks a partial index of pending or leased rows (deliveries_due,
    // deliveries_leased): the cost grows with the backlog, never with the history kept.
    const row = this.get<{ due: number; scheduled: number; oldest: number | null; sending: number }>(
      `SELECT
         (SELECT count(*) FROM deliveries WHERE status = 'pending' AND next_attempt_at <= ?) AS due,
         (SELECT count(*) FROM deliveries WHERE status = 'pending' AND next_attempt_at > ?) AS scheduled,
         (SELECT min(next_attempt_at) FROM deliveries WHERE status = 'pending') AS oldest,
         (SELECT count(*) FROM deliveries WHERE status = 'sending') AS sending`,
      [now, now],
    )!;
    return { due: row.due, scheduled: row.scheduled, sending: row.sending, oldestDueAt: row.oldest !== null && row.oldest <= now ? row.oldest : null };
  }

  // Operations.

  async createOperation(operation: Operation): Promise<void> {
    this.db.transaction(() => {
      if (operation.accountId !== null) this.ensureAccountRow(operation.accountId, operation.requestedAt);
      this.run(
        `INSERT INTO operations (protocol, type, account_id, subject, callback_url, request_data, result_data, status, late,
           requested_at, expires_at, timed_out_at, completed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
      );
    })();
  }

  async getOperation(protocol: string): Promise<Operation | null> {
    const row = this.get<rows.OperationRow>('SELECT * FROM operations WHERE protocol = ?', [protocol]);
    return row === undefined ? null : rows.toOperation(row);
  }

  async listOperations(filter: OperationFilter, page: Page): Promise<PageOf<Operation>> {
    const before = page.cursor === null ? null : decodeNumberCursor(page.cursor);
    const found = this.all<rows.OperationRow>(
      `SELECT * FROM operations
       WHERE (? IS NULL OR seq < ?) AND (? IS NULL OR status = ?) AND (? IS NULL OR type = ?) AND (? IS NULL OR account_id = ?)
       ORDER BY seq DESC LIMIT ?`,
      [before, before, ...twice(filter.status), ...twice(filter.type), ...twice(filter.accountId), page.limit + 1],
    );
    return pageFrom(found, page.limit, rows.toOperation, (row) => row.seq);
  }

  async dueOperations(now: number, limit: number): Promise<Operation[]> {
    return this.all<rows.OperationRow>(
      "SELECT * FROM operations WHERE status = 'pending' AND expires_at <= ? ORDER BY expires_at LIMIT ?",
      [now, limit],
    ).map(rows.toOperation);
  }

  async markOperationsTimedOut(protocols: string[], now: number): Promise<Operation[]> {
    if (protocols.length === 0) return [];
    return this.all<rows.OperationRow>(
      `UPDATE operations SET status = 'timed_out', timed_out_at = ?
       WHERE protocol IN (SELECT value FROM json_each(?)) AND status = 'pending'
       RETURNING *`,
      [now, JSON.stringify(protocols)],
    ).map(rows.toOperation);
  }

  async operationsAwaitingNotice(recordedBefore: number, limit: number): Promise<Operation[]> {
    return this.all<rows.OperationRow>(
      `SELECT * FROM operations
       WHERE ((timed_out_at IS NOT NULL AND timeout_notified = 0 AND timed_out_at <= ?)
           OR (completed_at IS NOT NULL AND outcome_notified = 0 AND completed_at <= ?))
       ORDER BY seq LIMIT ?`,
      [recordedBefore, recordedBefore, limit],
    ).map(rows.toOperation);
  }

  async markOperationNotified(protocol: string, notice: 'timeout' | 'outcome'): Promise<void> {
    this.run(
      notice === 'timeout'
        ? 'UPDATE operations SET timeout_notified = 1 WHERE protocol = ?'
        : 'UPDATE operations SET outcome_notified = 1 WHERE protocol = ?',
      [protocol],
    );
  }

  async completeOperation(
    protocol: string,
    status: 'succeeded' | 'failed',
    resultData: string | null,
    now: number,
  ): Promise<Operation | null> {
    // SET expressions see the row as it was: `late` is whether it had timed out before this outcome.
    const row = this.get<rows.OperationRow>(
      `UPDATE operations SET late = CASE WHEN status = 'timed_out' THEN 1 ELSE 0 END, status = ?, result_data = ?, completed_at = ?
       WHERE protocol = ? AND completed_at IS NULL
       RETURNING *`,
      [status, resultData, now, protocol],
    );
    return row === undefined ? null : rows.toOperation(row);
  }
  // Rate limits and retention.

  async reserveRateSlot(endpointId: string, now: number, intervalMs: number): Promise<number> {
    const row = this.get<{ start: number }>(
      `UPDATE endpoints SET rate_next_at = max(coalesce(rate_next_at, 0), ?) + ? WHERE id = ?
       RETURNING rate_next_at - ? AS start`,
      [now, intervalMs, endpointId, intervalMs],
    );
    return row?.start ?? now;
  }

  async purgeBefore(cutoff: number, batchSize: number): Promise<PurgeCounts> {
    return this.db.transaction(() => {
      // Events are kept while any of their deliveries still has attempts to make.
      const events = this.all<{ id: string }>(
        `SELECT id FROM events WHERE created_at < ? AND NOT EXISTS (
           SELECT 1 FROM deliveries WHERE deliveries.event_id = events.id AND deliveries.status IN ('pending', 'sending')
         ) ORDER BY created_at LIMIT ?`,
        [cutoff, batchSize],
      ).map((row) => row.id);
      const ids = JSON.stringify(events);
      const attempts = this.run(
        `DELETE FROM attempts WHERE delivery_id IN (
           SELECT id FROM deliveries WHERE event_id IN (SELECT value FROM json_each(?)))`,
        [ids],
      ).changes;
      const deliveries = this.run('DELETE FROM deliveries WHERE event_id IN (SELECT value FROM json_each(?))', [ids]).changes;
      const deletedEvents = this.run('DELETE FROM events WHERE id IN (SELECT value FROM json_each(?))', [ids]).changes;
      const operations = this.run(
        `DELETE FROM operations WHERE seq IN (
           SELECT seq FROM operations WHERE requested_at < ? AND status <> 'pending' ORDER BY requested_at LIMIT ?)`,
        [cutoff, batchSize],
      ).changes;
      const keys = this.run(
        'DELETE FROM api_keys WHERE id IN (SELECT id FROM api_keys WHERE expires_at < ? ORDER BY expires_at LIMIT ?)',
        [cutoff, batchSize],
      ).changes;
      return { events: deletedEvents, deliveries, attempts, operations, keys };
    })();
  }


}

/** Thrown inside a transaction to undo it while still returning what was found. */
class RollBack extends Error {
  constructor(readonly outcomes: IngestOutcome[]) {
    super('rolled back');
  }
}

/** Optional filters are written `(? IS NULL OR column = ?)`: each value is bound twice. */
function twice(value: string | number | undefined): [string | number | null, string | number | null] {
  const bound = value ?? null;
  return [bound, bound];
}
