import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { loadPortalSettings, PortalSettingsProvider, type PortalSettings } from './portal-settings.js';
import { portalThemeSearch, takePortalTokenFromFragment, type Area } from './session.js';
import { parseTheme, textColourOn } from './theme.js';
import './styles.css';

// One app, two areas: the admin dashboard at `/` and the customer portal at `/portal`. The portal
// wears the operator's brand (HOOKD_PORTAL_*), loaded before anything is shown.

const path = window.location.pathname;
const area: Area = path === '/portal' || path.startsWith('/portal/') ? 'portal' : 'dashboard';
if (area === 'portal') takePortalTokenFromFragment();

function applyBranding(settings: PortalSettings | null): void {
  const theme = parseTheme(area === 'portal' ? portalThemeSearch() : window.location.search);
  const root = document.documentElement;
  root.dataset.area = area;
  if (theme.mode !== null) root.dataset.theme = theme.mode;
  // A portal link's ?accent= (the embedding page's colour) wins over the operator's default.
  const accent = theme.accent ?? settings?.accent ?? null;
  if (accent !== null) {
    root.style.setProperty('--accent', accent);
    root.style.setProperty('--accent-text', textColourOn(accent));
  }
  if (settings !== null) {
    document.title = settings.name;
    const icon = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
    if (icon !== null && settings.logoUrl !== null) {
      icon.href = settings.logoUrl;
      icon.removeAttribute('type');
    }
  }
}

async function start(): Promise<void> {
  const settings = area === 'portal' ? await loadPortalSettings() : null;
  applyBranding(settings);
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <PortalSettingsProvider settings={settings}>
        <App area={area} />
      </PortalSettingsProvider>
    </StrictMode>,
  );
}

void start();
