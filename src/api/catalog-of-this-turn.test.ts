import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { EventType } from '../domain/types.js';
import { CatalogOfThisTurn } from './catalog-of-this-turn.js';

// The catalog reader is given a store whose lookups answer in a later turn, as PostgreSQL does.

function catalogReader() {
  const reads: string[] = [];
  const store = {
    async getEventType(name: string): Promise<EventType | null> {
      reads.push(name);
      await nextTurn();
      return null;
    },
  };
  return { catalog: new CatalogOfThisTurn(store), reads };
}

describe('CatalogOfThisTurn', () => {
  it('reads each type once for the requests of one turn, and again in a later turn', async () => {
    const { catalog, reads } = catalogReader();
    await Promise.all([catalog.get('a'), catalog.get('a'), catalog.get('b')]);
    expect(reads).toEqual(['a', 'b']);
    await nextTurn();
    await catalog.get('a');
    expect(reads).toEqual(['a', 'b', 'a']);
  });

  it('reads each type once for a whole batch checked one event after the other', async () => {
    const { catalog, reads } = catalogReader();
    const eventTypeOf = catalog.forBatch();
    for (const type of ['a', 'a', 'b', 'a', 'b']) await eventTypeOf(type);
    expect(reads).toEqual(['a', 'b']);
  });
});
