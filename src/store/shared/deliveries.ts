import type { Attempt, Delivery, DeliveryStatus } from '../../domain/types.js';
import { decodeStringCursor, pageFrom } from '../cursor.js';
import { twice, type SqlDb } from '../dialect.js';
import { compared, whereOf, type Condition } from '../list-filters.js';
import * as rows from '../rows.js';
import type { DeliveryFilter, DeliveryStore, Page, PageOf } from '../store.js';

// Deliveries as the API shows them and what a user does to them by hand, the same on both
// dialects. Whoever makes one due again wakes the workers through the queue (DeliveryQueue.announceDue).

/** How long before its delivery was made an attempt's recorded start may be (another node's clock). */
const ATTEMPTS_BEFORE_DELIVERY_MS = 86_400_000;

/**
 * The list's status filter. `pending` and `sending` are written as each dialect stores them (a
 * leased row is `pending` with a lease on PostgreSQL); a final status also repeats the predicate
 * of the partial index deliveries_finished, word for word: SQLite uses a partial index only when
 * the query's WHERE contains its terms (it does not reason that `status = 'failed'` is not
 * pending), and PostgreSQL plans the same either way.
 */
function statusFilter(db: SqlDb, status: DeliveryStatus | undefined): Condition | null {
  if (status === undefined) return null;
  if (status === 'pending') return { sql: db.queued, params: [] };
  if (status === 'sending') return { sql: db.leased, params: [] };
  return { sql: `status = ? AND ${FINISHED}`, params: [status] };
}

/** The predicate of the partial index deliveries_finished (migrations: postgres 0006, sqlite 0021). */
const FINISHED = "status NOT IN ('pending', 'sending')";

/** Every delivery statement but cancel, which unlinks a FIFO chain in each dialect's transaction (fifo-chains.ts). */
export function sharedDeliveries(db: SqlDb): Omit<DeliveryStore, 'cancelDelivery'> {
  return {
    async getDelivery(id) {
      const row = await db.one<rows.DeliveryRow>('SELECT * FROM deliveries WHERE id = ?', [id]);
      return row === undefined ? null : rows.toDelivery(row);
    },
    async listDeliveries(filter: DeliveryFilter, page: Page): Promise<PageOf<Delivery>> {
      const before = page.cursor === null ? null : decodeStringCursor(page.cursor);
      // Only the filters given (list-filters.ts): each finds its rows through its own index
      // (deliveries_event, deliveries_endpoint, deliveries_correlation, deliveries_account,
      // deliveries_finished).
      const where = whereOf([
        compared('id', '<', before),
        compared('endpoint_id', '=', filter.endpointId),
        compared('event_id', '=', filter.eventId),
        statusFilter(db, filter.status),
        compared('correlation_id', '=', filter.correlationId),
        compared('account_id', '=', filter.accountId),
      ]);
      const found = await db.all<rows.DeliveryRow>(`SELECT * FROM deliveries ${where.sql} ORDER BY id DESC LIMIT ?`, [
        ...where.params,
        page.limit + 1,
      ]);
      return pageFrom(found, page.limit, rows.toDelivery, (row) => row.id);
    },
    async retryDelivery(id, now) {
      const row = await db.one<rows.DeliveryRow>(
        // A waiting delivery of a FIFO chain keeps its turn; a finished one is sent again outside
        // its chain (fifo_key cleared): its successors may have been sent already.
        `UPDATE deliveries SET
           single_attempt = CASE WHEN status = 'pending' THEN single_attempt ELSE 1 END,
           fifo_key = CASE WHEN status = 'pending' THEN fifo_key ELSE NULL END,
           status = 'pending', next_attempt_at = ?, completed_at = NULL
         WHERE id = ? AND NOT (${db.leased}) AND blocked_by IS NULL
         RETURNING *`,
        [now, id],
      );
      return row === undefined ? null : rows.toDelivery(row);
    },
    async listAttempts(deliveryId: string, page: Page): Promise<PageOf<Attempt>> {
      const before = page.cursor === null ? null : decodeStringCursor(page.cursor);
      // PostgreSQL keeps attempts in one partition per day: a lower bound on started_at, bound as a
      // value, lets it plan and read only the days since the delivery was made instead of every day
      // kept. A day of margin covers the clocks of the node that made it and the nodes that sent it.
      const delivery = await db.one<{ created_at: number; event_id: string }>('SELECT created_at, event_id FROM deliveries WHERE id = ?', [
        deliveryId,
      ]);
      const since = (delivery?.created_at ?? Number.MAX_SAFE_INTEGER) - ATTEMPTS_BEFORE_DELIVERY_MS;
      const found = await db.all<rows.AttemptRow>(
        'SELECT * FROM attempts WHERE delivery_id = ? AND started_at >= ? AND (CAST(? AS TEXT) IS NULL OR id < ?) ORDER BY id DESC LIMIT ?',
        [deliveryId, since, ...twice(before), page.limit + 1],
      );
      // Bodies that were the event itself are rebuilt from it (one read for the page: one delivery, one event).
      const event =
        delivery !== undefined && found.some((row) => row.request_body_source !== null)
          ? ((await db.one<{ type: string; occurred_at: number; payload: string }>('SELECT type, occurred_at, payload FROM events WHERE id = ?', [
              delivery.event_id,
            ])) ?? null)
          : null;
      const source = event === null ? null : { type: event.type, occurredAt: event.occurred_at, payload: event.payload };
      return pageFrom(found, page.limit, (row) => rows.toAttempt(row, source), (row) => row.id);
    },
    requeueFailedDeliveries(endpointId, since, now) {
      return db.run(
        // Sent again outside their FIFO chains, as a manual retry of a finished delivery is.
        `UPDATE deliveries SET status = 'pending', next_attempt_at = ?, completed_at = NULL, single_attempt = 1, fifo_key = NULL
         WHERE endpoint_id = ? AND status = 'failed' AND created_at >= ?`,
        [now, endpointId, since],
      );
    },
  };
}
