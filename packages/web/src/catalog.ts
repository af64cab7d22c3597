import type { EventType, Page } from '@hookd/sdk/client';
import type { Api } from './api.js';

/** The whole catalog (up to a thousand types), for pickers. */
export async function loadCatalog(api: Api, options: { includeArchived?: boolean } = {}): Promise<EventType[]> {
  const types: EventType[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<EventType> = await api.get('/v1/event-types', { limit: 250, cursor, includeArchived: options.includeArchived || undefined });
    types.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor !== null && types.length < 1000);
  return types;
}

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
