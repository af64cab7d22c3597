import { lockForTransaction, PARTITION_LOCK, tryLockForTransaction, type PgQueries, type PostgresDb } from './connection.js';
import { daysToPrepare, partitionsEndingBy, type PartitionBound } from './partition-days.js';

// The day partitions of attempts (migrations/postgres/0009_attempt_partitions.sql): created ahead
// of the days they hold, dropped whole once the day is past retention. Several nodes run this at
// once: an advisory lock makes one of them do it.

/**
 * Creating or dropping a partition takes an exclusive lock on `attempts`, queued behind any running
 * read of it, and every insert queues behind that. Waiting at most this long keeps the worker's
 * writes flowing; the sweep tries again next round (partitions are made days ahead).
 */
const LOCK_TIMEOUT = "SET LOCAL lock_timeout = '3s'";

const PARTITIONS = `SELECT c.oid::regclass::text AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
  WHERE i.inhparent = 'attempts'::regclass`;

/** Creates the partitions of today and `daysAhead` days after `now` that are missing; returns how many it made. */
export async function prepareAttemptPartitions(db: PostgresDb, now: number, daysAhead: number): Promise<number> {
  return db.transaction(async (tx) => {
    await lockForTransaction(tx, PARTITION_LOCK);
    await tx.run(LOCK_TIMEOUT);
    let created = 0;
    for (const day of daysToPrepare(now, daysAhead)) {
      const made = await tx.one<{ made: boolean }>('SELECT hookd_create_attempts_partition(?) AS made', [day]);
      if (made?.made === true) created++;
    }
    return created;
  });
}

/**
 * Drops the partitions that hold only attempts older than `cutoff`, and deletes the default
 * partition's rows older than it (normally none). Returns how many attempts went. Another node
 * doing it already: this one skips the round.
 */
export async function dropAttemptsBefore(db: PostgresDb, cutoff: number): Promise<number> {
  return db.transaction(async (tx) => {
    if (!(await tryLockForTransaction(tx, PARTITION_LOCK))) return 0;
    await tx.run(LOCK_TIMEOUT);
    let dropped = 0;
    for (const name of partitionsEndingBy(await tx.all<PartitionBound>(PARTITIONS), cutoff)) dropped += await dropPartition(tx, name);
    return dropped + (await tx.run('DELETE FROM attempts_default WHERE started_at < ?', [cutoff]));
  });
}

/** `name` is regclass text from the catalogue, quoted by PostgreSQL: safe in the statement. */
async function dropPartition(tx: PgQueries, name: string): Promise<number> {
  // Counted for the retention log line: one sequential read of a table about to go, no dead rows.
  const rows = (await tx.one<{ n: number }>(`SELECT count(*) AS n FROM ${name}`))?.n ?? 0;
  await tx.run(`DROP TABLE ${name}`);
  return rows;
}
