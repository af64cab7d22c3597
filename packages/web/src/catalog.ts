import type { EventType } from '@hookd/sdk/client';

/** The live catalog types an endpoint subscribed to these names and patterns hears. */
export function typesHeardBy(eventTypes: string[], catalog: EventType[]): string[] {
  const live = catalog.filter((type) => !type.archived);
  if (eventTypes.length === 0 || eventTypes.includes('*')) return live.filter((type) => !type.name.startsWith('hookd.')).map((type) => type.name);
  const names = new Set<string>();
  for (const chosen of eventTypes) {
    if (chosen.endsWith('*')) {
      const prefix = chosen.slice(0, -1);
      for (const type of live) if (type.name.startsWith(prefix)) names.add(type.name);
    } else {
      names.add(chosen);
    }
  }
  return [...names];
}
