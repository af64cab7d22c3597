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

/**
 * Whether the portal shows customers a catalog type, by the operator's patterns. The same rule as
 * an endpoint's subscription (src/domain/subscriptions.ts): `*` is every type except hookd's own
 * `hookd.*`, which are shown only when named or matched by a `hookd.` pattern.
 */
export function visibleToCustomers(patterns: readonly string[], name: string): boolean {
  const internal = name.startsWith('hookd.');
  return patterns.some((pattern) => {
    if (pattern === '*') return !internal;
    if (pattern.endsWith('.*')) return name.startsWith(pattern.slice(0, -1));
    return pattern === name;
  });
}
