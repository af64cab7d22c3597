import { useEffect, type ReactNode } from 'react';
import { Empty, PageHeader } from './components/ui.js';
import { Link, matchPath, navigate } from './router.js';

// Which page a path shows. Patterns are relative to the area (the portal's base is /portal).

export type Route = [pattern: string, render: (params: Record<string, string>) => ReactNode];

export function renderRoute(routes: Route[], path: string): ReactNode {
  for (const [pattern, render] of routes) {
    const params = matchPath(pattern, path);
    if (params !== null) return render(params);
  }
  return <NotFound />;
}

export function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function NotFound() {
  return (
    <>
      <PageHeader title="Page not found" />
      <Empty>
        <p>There is no page here.</p>
        <Link to="/endpoints">Go to the endpoints</Link>
      </Empty>
    </>
  );
}

/** Scrolls to the top and moves focus to the page on navigation, as a full page load would. */
export function useFocusOnNavigate(path: string): void {
  useEffect(() => {
    window.scrollTo(0, 0);
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [path]);
}
