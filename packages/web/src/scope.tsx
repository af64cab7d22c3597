import type { Hookd, KeyIdentity } from '@hookd/sdk/client';
import { createContext, useContext, type ReactNode } from 'react';

// Who is signed in, and so what the pages show: an admin sees everything; an account key (the
// portal) sees its own account's endpoints, deliveries and the catalog, and no account controls.

export interface Scope {
  /** The SDK client, with this tab's key. Pages read through TanStack Query (queries.ts). */
  hookd: Hookd;
  me: KeyIdentity;
  admin: boolean;
  signOut: () => void;
}

const ScopeContext = createContext<Scope | null>(null);

export function ScopeProvider({ scope, children }: { scope: Scope; children: ReactNode }) {
  return <ScopeContext.Provider value={scope}>{children}</ScopeContext.Provider>;
}

export function useScope(): Scope {
  const scope = useContext(ScopeContext);
  if (scope === null) throw new Error('useScope outside a signed-in area');
  return scope;
}
