import type { EventType } from '@hookd/sdk/client';
import { useQuery } from '@tanstack/react-query';
import { visibleToCustomers } from './catalog.js';
import { usePortalSettings } from './portal-settings.js';
import { eventTypeQueries } from './queries.js';
import { useScope } from './scope.js';

/** The catalog for pickers: all of it in the dashboard, the types customers may see in the portal. */
export function useCatalog(): { types: EventType[]; loaded: boolean } {
  const { hookd } = useScope();
  const portal = usePortalSettings();
  const catalog = useQuery(eventTypeQueries.all(hookd));
  const types = catalog.data ?? [];
  return { types: portal === null ? types : types.filter((type) => visibleToCustomers(portal.eventTypes, type.name)), loaded: catalog.data !== undefined };
}
