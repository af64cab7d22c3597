import { PortalBrand, PortalShell, type NavItem } from './components/Shell.js';
import { CatalogPage, EventTypePage } from './pages/Catalog.js';
import { DeliveriesPage, DeliveryPage } from './pages/Deliveries.js';
import { EndpointEditPage, EndpointNewPage, EndpointPage } from './pages/EndpointDetail.js';
import { EndpointsPage } from './pages/Endpoints.js';
import { EventPage } from './pages/Events.js';
import { Redirect, renderRoute, useFocusOnNavigate, type Route } from './routes.js';
import { useLocation } from './router.js';
import { DEFAULT_PORTAL_SETTINGS, usePortalSettings } from './portal-settings.js';
import { useScope } from './scope.js';

// The customer portal at `/portal`: one account's endpoints, deliveries and the catalog, signed in
// with that account's key (a portal session). No accounts, keys, operations or provider-level
// endpoints: the pages do not offer them and the API would refuse them anyway.

const NAV: NavItem[] = [
  { to: '/endpoints', label: 'Endpoints' },
  { to: '/deliveries', label: 'Deliveries' },
  { to: '/catalog', label: 'Event catalog' },
];

const ROUTES: Route[] = [
  ['/', () => <Redirect to="/portal/endpoints" />],
  ['/endpoints', () => <EndpointsPage />],
  ['/endpoints/new', () => <EndpointNewPage />],
  ['/endpoints/:id', ({ id }) => <EndpointPage key={id} id={id!} />],
  ['/endpoints/:id/edit', ({ id }) => <EndpointEditPage key={id} id={id!} />],
  ['/deliveries', () => <DeliveriesPage />],
  ['/deliveries/:id', ({ id }) => <DeliveryPage key={id} id={id!} />],
  ['/events/:id', ({ id }) => <EventPage key={id} id={id!} />],
  ['/catalog', () => <CatalogPage />],
  ['/catalog/:name', ({ name }) => <EventTypePage key={name} name={name!} />],
];

export function PortalApp() {
  const { me } = useScope();
  const settings = usePortalSettings() ?? DEFAULT_PORTAL_SETTINGS;
  const { path } = useLocation();
  useFocusOnNavigate(path);
  const relative = path.replace(/^\/portal/, '') || '/';
  return (
    <PortalShell
      items={NAV}
      title={
        <>
          <PortalBrand settings={settings} /> <span className="muted">· {me.accountId}</span>
          {me.expiresAt && <span className="muted small"> · session until {new Date(me.expiresAt).toLocaleTimeString()}</span>}
        </>
      }
    >
      {renderRoute(ROUTES, relative)}
    </PortalShell>
  );
}
