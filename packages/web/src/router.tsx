import { createContext, useContext, useEffect, useState, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from 'react';

// A small history router: paths are real URLs (the server answers every page path with the app),
// links are plain <a href> that open in a new tab as usual, and filters live in the query string
// so a list can be bookmarked and the back button works.

const CHANGE = 'hookd:navigate';

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(CHANGE));
}

/** The current path and query; re-renders on navigation. */
export function useLocation(): { path: string; search: string } {
  const read = () => ({ path: window.location.pathname, search: window.location.search });
  const [location, setLocation] = useState(read);
  useEffect(() => {
    const update = () =>
      setLocation((current) => {
        const next = read();
        return next.path === current.path && next.search === current.search ? current : next;
      });
    window.addEventListener('popstate', update);
    window.addEventListener(CHANGE, update);
    // Children's effects run before this one: a redirect made by a child may already have happened.
    update();
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(CHANGE, update);
    };
  }, []);
  return location;
}

/** `/endpoints/:id` against `/endpoints/ep_1` → `{id: 'ep_1'}`; null when it does not match. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/').filter(Boolean);
  const got = path.split('/').filter(Boolean);
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const segment = want[i]!;
    if (segment.startsWith(':')) params[segment.slice(1)] = decodeURIComponent(got[i]!);
    else if (segment !== got[i]) return null;
  }
  return params;
}

/** The dashboard lives at `/`, the portal at `/portal`: pages link relative to their area. */
const BaseContext = createContext('');

export function BaseProvider({ base, children }: { base: string; children: ReactNode }) {
  return <BaseContext.Provider value={base}>{children}</BaseContext.Provider>;
}

export function useBase(): string {
  return useContext(BaseContext);
}

/** Navigates within the current area. */
export function useNavigate(): (to: string, options?: { replace?: boolean }) => void {
  const base = useBase();
  return (to, options) => navigate(base + to, options);
}

export function Link({ to, children, ...rest }: { to: string; children: ReactNode } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const base = useBase();
  const href = base + to;
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    rest.onClick?.(event);
    // Let the browser handle new-tab clicks and the like.
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return (
    <a {...rest} href={href} onClick={onClick}>
      {children}
    </a>
  );
}

/** The query string as a record, and a setter that replaces it (filters). */
export function useSearch(): [Record<string, string>, (next: Record<string, string>) => void] {
  const { path, search } = useLocation();
  const values = Object.fromEntries(new URLSearchParams(search));
  const set = (next: Record<string, string>) => {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(next)) if (value !== '') params.set(name, value);
    const text = params.toString();
    navigate(path + (text === '' ? '' : '?' + text), { replace: true });
  };
  return [values, set];
}
