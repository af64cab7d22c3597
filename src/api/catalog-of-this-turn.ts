import type { EventType } from '../domain/types.js';
import type { Store } from '../store/store.js';
import { MemoOfThisTurn } from './memo-of-this-turn.js';

// Ingest checks every event against the catalog (strict types, payload schemas). Reading the
// catalog once per event would be a query per event on PostgreSQL.

/**
 * Catalog lookups shared by the requests handled in one turn of the event loop: concurrent posts
 * of the same type read the catalog once. Forgotten at the end of the turn, so a change to the
 * catalog is seen by every later request, exactly as without it.
 */
export class CatalogOfThisTurn {
  private readonly ofTurn: MemoOfThisTurn<EventType | null>;

  constructor(store: Pick<Store, 'getEventType'>) {
    this.ofTurn = new MemoOfThisTurn((name) => store.getEventType(name));
  }

  /**
   * A lookup for the events of one batch: each type is read once for the whole batch, which its
   * events' sequential checks would otherwise spread over several turns (a query per event on
   * PostgreSQL, whose answers arrive in later turns).
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
    return this.ofTurn.get(name);
  }
}
