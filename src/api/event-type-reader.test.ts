import { setImmediate as nextTick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { EventType } from '../domain/types.js';
import { EventTypeReader } from './event-type-reader.js';

// The catalog reader is given a store whose lookups answer in a later tick, as PostgreSQL does.

function catalogReader() {
  const reads: string[] = [];
  const store = {
    async getEventType(name: string): Promise<EventType | null> {
      reads.push(name);
      await nextTick();
      return null;
    },
  };
  return { catalog: new EventTypeReader(store), reads };
}

describe('EventTypeReader', () => {
  it('reads each type once for the requests of one tick, and again in a later tick', async () => {
    const { catalog, reads } = catalogReader();
    await Promise.all([catalog.get('a'), catalog.get('a'), catalog.get('b')]);
    expect(reads).toEqual(['a', 'b']);
    await nextTick();
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
