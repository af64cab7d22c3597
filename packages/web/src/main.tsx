import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { portalThemeSearch, takePortalTokenFromFragment, type Area } from './session.js';
import { parseTheme, textColourOn } from './theme.js';
import './styles.css';

// One app, two areas: the admin dashboard at `/` and the customer portal at `/portal`.

const path = window.location.pathname;
const area: Area = path === '/portal' || path.startsWith('/portal/') ? 'portal' : 'dashboard';
if (area === 'portal') takePortalTokenFromFragment();

const theme = parseTheme(area === 'portal' ? portalThemeSearch() : window.location.search);
const root = document.documentElement;
root.dataset.area = area;
if (theme.mode !== null) root.dataset.theme = theme.mode;
if (theme.accent !== null) {
  root.style.setProperty('--accent', theme.accent);
  root.style.setProperty('--accent-text', textColourOn(theme.accent));
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App area={area} />
  </StrictMode>,
);
