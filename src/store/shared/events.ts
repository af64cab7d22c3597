import type { EventType, HookEvent } from '../../domain/types.js';
import { decodeNumberCursor, decodeStringCursor, pageFrom } from '../cursor.js';
import { twice, type SqlDb } from '../dialect.js';
import { compared, whereOf } from '../list-filters.js';
import * as rows from '../rows.js';
import type { EventFilter, EventStore, EventTypeFilter, Page, PageOf } from '../store.js';

// The catalog of event types and the stored events, the same on both dialects. Events are written
// with their deliveries by the queue (QueueStore.ingestEvents); refreshing built-in types is one
// transaction, which each adapter runs its own way.

export const UPSERT_BUILT_IN_EVENT_TYPE = `INSERT INTO event_types
    (name, description, category, schema, examples, parameters, archived, built_in, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (name) DO UPDATE SET description = excluded.description, category = excluded.category,
    schema = excluded.schema, examples = excluded.examples, parameters = excluded.parameters,
    archived = 0, built_in = 1`;

/** Named: the worker loads the events of every claim with it. Columns listed, not `*` (see postgres/queue.ts). */
const EVENTS_BY_ID = 'hookd_events_by_id';

export function sharedEvents(db: SqlDb): Omit<EventStore, 'upsertBuiltInEventTypes'> {
  const getEventType = async (name: string): Promise<EventType | null> => {
    const row = await db.one<rows.EventTypeRow>('SELECT * FROM event_types WHERE name = ?', [name]);
    return row === undefined ? null : rows.toEventType(row);
  };
  const eventsById = {
    name: EVENTS_BY_ID,
    text: `SELECT seq, id, type, account_id, payload, correlation_id, callback_url, occurred_at, created_at
      FROM events WHERE ${db.inList('id')}`,
  };
  return {
    async createEventType(eventType) {
      const row = await db.one<rows.EventTypeRow>(
        `INSERT INTO event_types (name, description, category, schema, examples, parameters, archived, built_in, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING RETURNING *`,
        rows.eventTypeParams(eventType),
      );
      return row === undefined ? null : rows.toEventType(row);
    },
    getEventType,
    async listEventTypes(filter: EventTypeFilter, page: Page): Promise<PageOf<EventType>> {
      const after = page.cursor === null ? null : decodeStringCursor(page.cursor);
      const found = await db.all<rows.EventTypeRow>(
        `SELECT * FROM event_types
         WHERE (CAST(? AS TEXT) IS NULL OR name > ?) AND (CAST(? AS TEXT) IS NULL OR category = ?) AND (? = 1 OR archived = 0)
         ORDER BY name LIMIT ?`,
        [...twice(after), ...twice(filter.category), filter.includeArchived ? 1 : 0, page.limit + 1],
      );
      return pageFrom(found, page.limit, rows.toEventType, (row) => row.name);
    },
    async replaceEventType(eventType) {
      const row = await db.one<rows.EventTypeRow>(
        `UPDATE event_types SET description = ?, category = ?, schema = ?, examples = ?, parameters = ?, archived = ?, updated_at = ?
         WHERE name = ? AND built_in = 0 RETURNING *`,
        [...rows.eventTypeContent(eventType), eventType.updatedAt, eventType.name],
      );
      return row === undefined ? null : rows.toEventType(row);
    },

    async getEvent(id) {
      const row = await db.one<rows.EventRow>('SELECT * FROM events WHERE id = ?', [id]);
      return row === undefined ? null : rows.toEvent(row);
    },
    async getEvents(ids) {
      if (ids.length === 0) return [];
      return (await db.all<rows.EventRow>(eventsById, [db.list(ids)])).map(rows.toEvent);
    },
    async listEvents(filter: EventFilter, page: Page): Promise<PageOf<HookEvent>> {
      const before = page.cursor === null ? null : decodeNumberCursor(page.cursor);
      // Only the filters given (list-filters.ts): a type or an account is then found through
      // events_type or events_account, in seq order, instead of along every event.
      const where = whereOf([
        compared('seq', '<', before),
        compared('type', '=', filter.type),
        compared('account_id', '=', filter.accountId),
        compared('correlation_id', '=', filter.correlationId),
        compared('created_at', '>=', filter.since),
        compared('created_at', '<', filter.until),
      ]);
      const found = await db.all<rows.EventRow>(`SELECT * FROM events ${where.sql} ORDER BY seq DESC LIMIT ?`, [
        ...where.params,
        page.limit + 1,
      ]);
      return pageFrom(found, page.limit, rows.toEvent, (row) => row.seq);
    },
  };
}
