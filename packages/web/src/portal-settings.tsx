import { createContext, useContext, type ReactNode } from 'react';

// The operator's portal configuration (HOOKD_PORTAL_NAME, _LOGO_URL, _ACCENT, _EVENT_TYPES), served
// by hookd at /portal/settings.json: the portal shows the provider's brand, never hookd's, and
// lists only the catalog types the provider chose to show customers.

export interface PortalSettings {
  name: string;
  logoUrl: string | null;
  accent: string | null;
  /** Names and patterns (`invoice.*`, `*`) of the catalog types customers see. */
  eventTypes: string[];
}

export const DEFAULT_PORTAL_SETTINGS: PortalSettings = { name: 'Webhooks', logoUrl: null, accent: null, eventTypes: ['*'] };

/** The settings, or the defaults when they cannot be had (the portal still works, unbranded). */
export async function loadPortalSettings(): Promise<PortalSettings> {
  try {
    const response = await fetch('/portal/settings.json', { headers: { accept: 'application/json' } });
    if (!response.ok) return DEFAULT_PORTAL_SETTINGS;
    return { ...DEFAULT_PORTAL_SETTINGS, ...((await response.json()) as Partial<PortalSettings>) };
  } catch {
    return DEFAULT_PORTAL_SETTINGS;
  }
}

const PortalSettingsContext = createContext<PortalSettings | null>(null);

export function PortalSettingsProvider({ settings, children }: { settings: PortalSettings | null; children: ReactNode }) {
  return <PortalSettingsContext.Provider value={settings}>{children}</PortalSettingsContext.Provider>;
}

/** The portal's settings; null in the admin dashboard, which shows everything. */
export function usePortalSettings(): PortalSettings | null {
  return useContext(PortalSettingsContext);
}
