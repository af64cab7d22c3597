import { DashboardShell, type NavItem } from './components/Shell.js';
import { AccountsPage } from './pages/Accounts.js';
import { CatalogPage, EventTypeNewPage, EventTypePage } from './pages/Catalog.js';
import { DeliveriesPage, DeliveryPage } from './pages/Deliveries.js';
import { EndpointEditPage, EndpointNewPage, EndpointPage } from './pages/EndpointDetail.js';
import { EndpointsPage } from './pages/Endpoints.js';
import { EventPage, EventsPage } from './pages/Events.js';
import { KeysPage } from './pages/Keys.js';
import { OperationPage, OperationsPage } from './pages/Operations.js';
import { Redirect, renderRoute, useFocusOnNavigate, type Route } from './routes.js';
import { useLocation } from './router.js';

// The admin dashboard at `/`: everything, for every account.

const NAV: NavItem[] = [
  { to: '/endpoints', label: 'Endpoints' },
  { to: '/deliveries', label: 'Deliveries' },
  { to: '/events', label: 'Events' },
  { to: '/catalog', label: 'Event catalog' },
  { to: '/accounts', label: 'Accounts' },
  { to: '/keys', label: 'API keys' },
  { to: '/operations', label: 'Operations' },
];

const ROUTES: Route[] = [
  ['/', () => <Redirect to="/endpoints" />],
  ['/endpoints', () => <EndpointsPage />],
  ['/endpoints/new', () => <EndpointNewPage />],
  ['/endpoints/:id', ({ id }) => <EndpointPage key={id} id={id!} />],
  ['/endpoints/:id/edit', ({ id }) => <EndpointEditPage key={id} id={id!} />],
  ['/deliveries', () => <DeliveriesPage />],
  ['/deliveries/:id', ({ id }) => <DeliveryPage key={id} id={id!} />],
  ['/events', () => <EventsPage />],
  ['/events/:id', ({ id }) => <EventPage key={id} id={id!} />],
  ['/catalog', () => <CatalogPage />],
  ['/catalog/new', () => <EventTypeNewPage />],
  ['/catalog/:name', ({ name }) => <EventTypePage key={name} name={name!} />],
  ['/accounts', () => <AccountsPage />],
  ['/keys', () => <KeysPage />],
  ['/operations', () => <OperationsPage />],
  ['/operations/:protocol', ({ protocol }) => <OperationPage key={protocol} protocol={protocol!} />],
];

export function DashboardApp() {
  const { path } = useLocation();
  useFocusOnNavigate(path);
  return <DashboardShell items={NAV}>{renderRoute(ROUTES, path)}</DashboardShell>;
}
