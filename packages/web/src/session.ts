// Where the signed-in key lives: sessionStorage, so it is gone when the tab closes and never
// shared with other tabs or kept on disk the way localStorage would be.

const DASHBOARD_KEY = 'hookd.dashboard.key';
const PORTAL_KEY = 'hookd.portal.token';
const PORTAL_THEME = 'hookd.portal.theme';

export type Area = 'dashboard' | 'portal';

function storageName(area: Area): string {
  return area === 'portal' ? PORTAL_KEY : DASHBOARD_KEY;
}

function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    // Storage can be blocked (some embedded contexts): the key then lives in memory only.
    return null;
  }
}

const memory = new Map<string, string>();

export function readKey(area: Area): string | null {
  return storage()?.getItem(storageName(area)) ?? memory.get(storageName(area)) ?? null;
}

export function keepKey(area: Area, key: string): void {
  memory.set(storageName(area), key);
  storage()?.setItem(storageName(area), key);
}

export function forgetKey(area: Area): void {
  memory.delete(storageName(area));
  storage()?.removeItem(storageName(area));
}

/**
 * A portal link carries its token in the fragment (`/portal#token=…`), which browsers never send
 * to a server. Take it, keep it for this tab, and take it out of the address bar so it is not
 * bookmarked, copied or left in the history.
 */
export function takePortalTokenFromFragment(): void {
  const hash = window.location.hash;
  if (!hash.startsWith('#')) return;
  const token = new URLSearchParams(hash.slice(1)).get('token');
  if (token === null || token === '') return;
  keepKey('portal', token);
  window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
}

/** The theme query string of the portal, kept so client-side navigation does not lose it. */
export function portalThemeSearch(): string {
  const search = window.location.search;
  if (/[?&](accent|theme)=/.test(search)) {
    storage()?.setItem(PORTAL_THEME, search);
    return search;
  }
  return storage()?.getItem(PORTAL_THEME) ?? '';
}
