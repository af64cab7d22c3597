import type { ReactNode } from 'react';
import type { PortalSettings } from '../portal-settings.js';
import { Link, useBase, useLocation } from '../router.js';
import { useScope } from '../scope.js';
import { Button } from './ui.js';

// The frame around every page: the dashboard's sidebar, the portal's slim header.

export interface NavItem {
  /** The section's path, relative to the area: it and every path below it count as this item. */
  to: string;
  label: string;
}

/** The area's sections, the one holding the current page marked as such. */
function NavList({ items }: { items: NavItem[] }) {
  const base = useBase();
  const { path } = useLocation();
  return (
    <ul>
      {items.map((item) => {
        const current = path === base + item.to || path.startsWith(base + item.to + '/');
        return (
          <li key={item.to}>
            <Link to={item.to} aria-current={current ? 'page' : undefined} className={current ? 'active' : undefined}>
              {item.label}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}

export function DashboardShell({ items, children }: { items: NavItem[]; children: ReactNode }) {
  const { signOut } = useScope();
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <nav className="sidebar" aria-label="Main">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            h
          </span>{' '}
          hookd
        </div>
        <NavList items={items} />
        <div className="sidebar-foot">
          <a href="/docs" target="_blank" rel="noreferrer">
            API reference
          </a>
          <Button kind="ghost" onClick={signOut}>
            Sign out
          </Button>
        </div>
      </nav>
      <main id="main" className="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

export function PortalShell({ items, title, children }: { items: NavItem[]; title: ReactNode; children: ReactNode }) {
  const { signOut } = useScope();
  return (
    <div className="portal">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="portal-header">
        <div className="portal-title">{title}</div>
        <nav aria-label="Portal">
          <NavList items={items} />
        </nav>
        <Button kind="ghost" onClick={signOut}>
          Sign out
        </Button>
      </header>
      <main id="main" className="main portal-main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

/** The operator's name and logo: the portal never says "hookd" to customers. */
export function PortalBrand({ settings }: { settings: PortalSettings }) {
  return (
    <span className="portal-brand" data-testid="portal-brand">
      {settings.logoUrl !== null && <img src={settings.logoUrl} alt="" className="portal-logo" />}
      <strong>{settings.name}</strong>
    </span>
  );
}
