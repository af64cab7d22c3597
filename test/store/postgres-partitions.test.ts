import { afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createLogger } from '../../src/log.js';
import { ATTEMPT_PARTITION_DAYS_AHEAD, RetentionSweep } from '../../src/maintenance/retention.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { createTestSchema, migrateThrough } from '../support/postgres.js';

// Attempts on PostgreSQL live in one partition per UTC day (migrations/postgres/0009): these tests
// read the catalogue (pg_inherits, pg_class) and the rows themselves on the machine's real server.

const DAY = 86_400_000;
const NOW = Date.now();
const TODAY = NOW - (NOW % DAY);

/** `attempts_YYYYMMDD`, the name hookd gives the partition of the day of `at`. */
function partitionOf(at: number): string {
  return `attempts_${new Date(at).toISOString().slice(0, 10).replaceAll('-', '')}`;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function schema(): Promise<{ url: string; sql: pg.Client }> {
  const { url, drop } = await createTestSchema();
  const sql = new pg.Client({ connectionString: url });
  await sql.connect();
  cleanups.push(drop, () => sql.end());
  return { url, sql };
}

async function store(url: string): Promise<PostgresStore> {
  const opened = new PostgresStore(url, { maxConnections: 2 });
  cleanups.push(() => opened.close());
  await opened.migrate();
  return opened;
}

async function insertAttempt(sql: pg.Client, id: string, startedAt: number, deliveryId = 'dlv_1'): Promise<void> {
  await sql.query(
    `INSERT INTO attempts (id, delivery_id, endpoint_id, started_at, duration_ms, status_code, request_headers, response_headers)
     VALUES ($1, $2, 'ep_1', $3, 12, 200, '{}', '{}')`,
    [id, deliveryId, startedAt],
  );
}

async function partitions(sql: pg.Client): Promise<string[]> {
  const result = await sql.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'attempts'::regclass ORDER BY c.relname`,
  );
  return result.rows.map((row) => row.name);
}

/** Each attempt id with the partition that holds it. */
async function attemptsWhere(sql: pg.Client): Promise<Record<string, string>> {
  const result = await sql.query<{ id: string; partition: string }>('SELECT id, tableoid::regclass::text AS partition FROM attempts ORDER BY id');
  return Object.fromEntries(result.rows.map((row) => [row.id, row.partition]));
}

describe('attempt partitions on PostgreSQL', () => {
  it('are made by the migration for every day that has attempts, today and a week ahead, with the rows moved across', async () => {
    const { url, sql } = await schema();
    // The schema of the version before 0009, applied as the migration runner does, with attempts in it.
    await migrateThrough(sql, 8);
    await insertAttempt(sql, 'att_a_40_days_ago', NOW - 40 * DAY);
    await insertAttempt(sql, 'att_b_yesterday', NOW - DAY);
    await insertAttempt(sql, 'att_c_today', NOW);
    await sql.query("UPDATE attempts SET request_method = 'POST', request_url = 'https://example.com/hook', response_body = 'ok'");
    await sql.query(
      `INSERT INTO deliveries (id, event_id, event_type, url, status, attempts, created_at, completed_at)
       VALUES ('dlv_1', 'evt_1', 'call.started', 'https://example.com/hook', 'succeeded', 3, $1, $2)`,
      [NOW - 40 * DAY, NOW],
    );

    const upgraded = await store(url);

    const days = Array.from({ length: ATTEMPT_PARTITION_DAYS_AHEAD + 1 }, (_, ahead) => partitionOf(TODAY + ahead * DAY));
    expect(await partitions(sql)).toEqual(
      [partitionOf(NOW - 40 * DAY), partitionOf(NOW - DAY), ...days, 'attempts_default'].sort(),
    );
    expect(await attemptsWhere(sql)).toEqual({
      att_a_40_days_ago: partitionOf(NOW - 40 * DAY),
      att_b_yesterday: partitionOf(NOW - DAY),
      att_c_today: partitionOf(NOW),
    });
    expect((await sql.query("SELECT to_regclass('attempts_unpartitioned') AS old")).rows[0].old).toBeNull();
    // The key includes the partition key, as PostgreSQL requires of a partitioned table.
    const key = await sql.query("SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'attempts'::regclass AND contype = 'p'");
    expect(key.rows[0].def).toBe('PRIMARY KEY (id, started_at)');
    // Everything the rows held is read back through the store, newest first.
    const listed = await upgraded.listAttempts('dlv_1', { limit: 10, cursor: null });
    expect(listed.items.map((attempt) => attempt.id)).toEqual(['att_c_today', 'att_b_yesterday', 'att_a_40_days_ago']);
    expect(listed.items[0]).toMatchObject({ startedAt: NOW, durationMs: 12, statusCode: 200, requestMethod: 'POST', responseBody: 'ok' });
  });

  it('are dropped by retention once their whole day is past the window, and nothing current is touched', async () => {
    const { url, sql } = await schema();
    const hookd = await store(url);
    for (const old of [NOW - 45 * DAY, NOW - 31 * DAY, NOW - 29 * DAY]) await hookd.prepareAttemptPartitions(old, 0);
    await insertAttempt(sql, 'att_45_days_ago', NOW - 45 * DAY);
    await insertAttempt(sql, 'att_31_days_ago', NOW - 31 * DAY);
    await insertAttempt(sql, 'att_29_days_ago', NOW - 29 * DAY);
    await insertAttempt(sql, 'att_today', NOW);
    // Two strays in the default partition (days that had none): one past the window, one far ahead.
    await insertAttempt(sql, 'att_stray_old', Date.UTC(2001, 0, 1));
    await insertAttempt(sql, 'att_stray_ahead', TODAY + 400 * DAY);
    const before = await partitions(sql);
    expect(before).toContain(partitionOf(NOW - 45 * DAY));

    const retention = new RetentionSweep(hookd, { now: () => NOW }, createLogger('silent'), 30);
    const purged = await retention.runOnce();

    expect(purged.attempts).toBe(3);
    const after = await partitions(sql);
    expect(after).not.toContain(partitionOf(NOW - 45 * DAY));
    expect(after).not.toContain(partitionOf(NOW - 31 * DAY));
    // Only those two went: every other partition is still there.
    expect(after).toEqual(before.filter((name) => name !== partitionOf(NOW - 45 * DAY) && name !== partitionOf(NOW - 31 * DAY)));
    expect(after).toContain('attempts_default');
    expect(await attemptsWhere(sql)).toEqual({
      att_29_days_ago: partitionOf(NOW - 29 * DAY),
      att_stray_ahead: 'attempts_default',
      att_today: partitionOf(NOW),
    });
    expect(await retention.runOnce()).toMatchObject({ attempts: 0 });
  });

  it('are made ahead by the sweep, moving the rows a day left in the default partition', async () => {
    const { url, sql } = await schema();
    const hookd = await store(url);
    const later = TODAY + 20 * DAY;
    await insertAttempt(sql, 'att_early', later + 5);
    await insertAttempt(sql, 'att_later_that_day', later + DAY - 1);
    await insertAttempt(sql, 'att_next_day', later + DAY);
    expect(await attemptsWhere(sql)).toEqual({ att_early: 'attempts_default', att_later_that_day: 'attempts_default', att_next_day: 'attempts_default' });

    expect(await hookd.prepareAttemptPartitions(later, 0)).toBe(1);
    expect(await hookd.prepareAttemptPartitions(later, 0)).toBe(0);

    expect(await attemptsWhere(sql)).toEqual({ att_early: partitionOf(later), att_later_that_day: partitionOf(later), att_next_day: 'attempts_default' });
    // The moved-in partition is indexed like the others.
    const indexes = await sql.query<{ def: string }>('SELECT indexdef AS def FROM pg_indexes WHERE tablename = $1 ORDER BY indexname', [partitionOf(later)]);
    expect(indexes.rows.map((row) => row.def.replace(/^.* USING /, ''))).toEqual(
      expect.arrayContaining(['btree (delivery_id, id)', 'btree (id, started_at)']),
    );
  });
});
