import * as rows from '../rows.js';
import { sharedEvents, UPSERT_BUILT_IN_EVENT_TYPE } from '../shared/events.js';
import type { EventStore } from '../store.js';
import type { PostgresDb } from './connection.js';

export function postgresEvents(db: PostgresDb): EventStore {
  return {
    ...sharedEvents(db),
    async upsertBuiltInEventTypes(eventTypes) {
      await db.transaction(async (tx) => {
        for (const eventType of eventTypes) await tx.run(UPSERT_BUILT_IN_EVENT_TYPE, rows.eventTypeParams(eventType));
      });
    },
  };
}
