import type { EventType } from '../domain/types.js';
import type { Store } from '../store/store.js';
import { coalescePerTick } from './coalesce-per-tick.js';

// Ingest checks every event against the catalog (strict types, payload schemas). Reading the
// catalog once per event would be a query per event on PostgreSQL.

/**
 * Reads event types for ingest. Lookups are shared by the requests handled in one tick of the
 * event loop: concurrent posts of the same type read the catalog once. Forgotten at the end of the
 * tick, so a change to the catalog is seen by every later request, exactly as without it.
 */
export class EventTypeReader {
  private readonly perTick: (name: string) => Promise<EventType | null>;

  constructor(store: Pick<Store, 'getEventType'>) {
    this.perTick = coalescePerTick((name) => store.getEventType(name));
  }

  /**
   * A lookup for the events of one batch: each type is read once for the whole batch, which its
   * events' sequential checks would otherwise spread over several ticks (a query per event on
   * PostgreSQL, whose answers arrive in later ticks).
   */
  forBatch(): (name: string) => Promise<EventType | null> {
    const ofBatch = new Map<string, Promise<EventType | null>>();
    return (name) => {
      let entry = ofBatch.get(name);
      if (entry === undefined) {
        entry = this.get(name);
        ofBatch.set(name, entry);
      }
      return entry;
    };
  }

  get(name: string): Promise<EventType | null> {
    return this.perTick(name);
  }
}
