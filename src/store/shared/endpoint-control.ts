import type { SqlDb } from '../dialect.js';
import type { EndpointControlStore } from '../store.js';

// An endpoint's pause and circuit breaker, the same on both dialects: single conditional UPDATEs
// on the endpoint's row (by primary key), so that nodes seeing the same answer change it once.

/** Ends the pause and closes the breaker. */
const CLEARED = 'paused_until = NULL, pause_reason = NULL, breaker_failures = 0, breaker_cooldown_ms = 0';

export function sharedEndpointControl(db: SqlDb): EndpointControlStore {
  return {
    async pauseEndpoint(id, until, reason, now) {
      const began =
        (await db.run('UPDATE endpoints SET paused_until = ?, pause_reason = ? WHERE id = ? AND (paused_until IS NULL OR paused_until <= ?)', [
          until,
          reason,
          id,
          now,
        ])) > 0;
      // A pause in force (a probe's hold, or an earlier Retry-After) is lengthened, never shortened.
      if (!began) await db.run('UPDATE endpoints SET paused_until = ?, pause_reason = ? WHERE id = ? AND paused_until < ?', [until, reason, id, until]);
      return began;
    },
    async countEndpointFailure(id) {
      const row = await db.one<{ breaker_failures: number; breaker_cooldown_ms: number; paused_until: number | null }>(
        'UPDATE endpoints SET breaker_failures = breaker_failures + 1 WHERE id = ? RETURNING breaker_failures, breaker_cooldown_ms, paused_until',
        [id],
      );
      return row === undefined ? null : { failures: row.breaker_failures, cooldownMs: row.breaker_cooldown_ms, pausedUntil: row.paused_until };
    },
    async openBreaker(id, until, cooldownMs, seenCooldownMs, reason) {
      return (
        (await db.run(
          'UPDATE endpoints SET paused_until = ?, pause_reason = ?, breaker_cooldown_ms = ?, breaker_failures = 0 WHERE id = ? AND breaker_cooldown_ms = ?',
          [until, reason, cooldownMs, id, seenCooldownMs],
        )) > 0
      );
    },
    async takeEndpointProbe(id, now, until) {
      return (
        (await db.run('UPDATE endpoints SET paused_until = ? WHERE id = ? AND breaker_cooldown_ms > 0 AND (paused_until IS NULL OR paused_until <= ?)', [
          until,
          id,
          now,
        ])) > 0
      );
    },
    async endpointAnswered(id, now) {
      // A pause that is over (or a probe's, while the breaker is half-open) ends with the answer;
      // a Retry-After pause still running is left alone (the answer was to an earlier attempt).
      const ended =
        (await db.run(`UPDATE endpoints SET ${CLEARED} WHERE id = ? AND (breaker_cooldown_ms > 0 OR paused_until <= ?)`, [id, now])) > 0;
      if (!ended) await db.run('UPDATE endpoints SET breaker_failures = 0 WHERE id = ? AND breaker_failures > 0', [id]);
      return ended;
    },
    async restartConcurrencyRun(id) {
      const row = await db.one<{ concurrency_limit: number | null }>(
        'UPDATE endpoints SET concurrency_successes = 0 WHERE id = ? RETURNING concurrency_limit',
        [id],
      );
      return row === undefined ? null : { limit: row.concurrency_limit };
    },
    async countThrottledSuccess(id) {
      const row = await db.one<{ concurrency_limit: number; concurrency_successes: number }>(
        `UPDATE endpoints SET concurrency_successes = concurrency_successes + 1 WHERE id = ? AND concurrency_limit IS NOT NULL
         RETURNING concurrency_limit, concurrency_successes`,
        [id],
      );
      return row === undefined ? null : { limit: row.concurrency_limit, successes: row.concurrency_successes };
    },
    async setConcurrencyLimit(id, limit, seen) {
      return (
        (await db.run('UPDATE endpoints SET concurrency_limit = ?, concurrency_successes = 0 WHERE id = ? AND concurrency_limit IS NOT DISTINCT FROM ?', [
          limit,
          id,
          seen,
        ])) > 0
      );
    },
    async resumeEndpoint(id, now) {
      return (await db.run(`UPDATE endpoints SET ${CLEARED} WHERE id = ? AND paused_until > ?`, [id, now])) > 0;
    },
  };
}
