import * as rows from '../rows.js';
import { sharedEvents, UPSERT_BUILT_IN_EVENT_TYPE } from '../shared/events.js';
import type { EventStore } from '../store.js';
import type { SqliteDb } from './connection.js';

export function sqliteEvents(db: SqliteDb): EventStore {
  return {
    ...sharedEvents(db),
    async upsertBuiltInEventTypes(eventTypes) {
      db.transaction(() => {
        for (const eventType of eventTypes) db.runNow(UPSERT_BUILT_IN_EVENT_TYPE, rows.eventTypeParams(eventType));
      });
    },
  };
}
