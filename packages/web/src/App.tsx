import type { KeyIdentity } from '@hookd/sdk/client';
import { QueryClientProvider } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { createClient, errorMessage, whoIs } from './client.js';
import { Loading } from './components/ui.js';
import { DashboardApp } from './DashboardApp.js';
import { PortalApp } from './PortalApp.js';
import { kindProblem, SignIn } from './pages/SignIn.js';
import { createQueryClient } from './query-client.js';
import { BaseProvider } from './router.js';
import { ScopeProvider, type Scope } from './scope.js';
import { forgetKey, keepKey, readKey, type Area } from './session.js';

// Signed in or not: the key of this tab is checked once, then every page gets the SDK client
// through the scope and reads through one query cache. A key the API refuses later (expired portal
// session, revoked key) signs out.

export function App({ area }: { area: Area }) {
  const [key, setKey] = useState<string | null>(() => readKey(area));
  const [me, setMe] = useState<KeyIdentity | null>(null);
  const [reason, setReason] = useState<string | null>(null);

  const signOut = useCallback(
    (why: string | null) => {
      forgetKey(area);
      setKey(null);
      setMe(null);
      setReason(why);
    },
    [area],
  );

  useEffect(() => {
    if (key === null || me !== null) return;
    whoIs(key).then(
      (found) => {
        const problem = kindProblem(area, found);
        if (problem === null) setMe(found);
        else signOut(problem);
      },
      (error: unknown) => signOut(area === 'portal' ? `This portal session has ended: ${errorMessage(error)}. Ask for a new link.` : errorMessage(error)),
    );
  }, [key, me, area, signOut]);

  const session = useMemo(
    () =>
      key === null
        ? null
        : {
            hookd: createClient(key),
            queryClient: createQueryClient((message) => signOut(area === 'portal' ? `This portal session has ended (${message}). Ask for a new link.` : `Signed out: ${message}`)),
          },
    [key, area, signOut],
  );
  // Nothing loaded with one key outlives it.
  useEffect(() => () => session?.queryClient.clear(), [session]);

  if (key === null || session === null) {
    return (
      <SignIn
        area={area}
        reason={reason}
        onSignedIn={(newKey, found) => {
          keepKey(area, newKey);
          setReason(null);
          setMe(found);
          setKey(newKey);
        }}
      />
    );
  }
  if (me === null) return <Centered><Loading what="Signing in" /></Centered>;

  const scope: Scope = { hookd: session.hookd, me, admin: me.kind === 'admin', signOut: () => signOut(area === 'portal' ? 'You signed out.' : null) };
  return (
    <QueryClientProvider client={session.queryClient}>
      <ScopeProvider scope={scope}>
        <BaseProvider base={area === 'portal' ? '/portal' : ''}>{area === 'portal' ? <PortalApp /> : <DashboardApp />}</BaseProvider>
      </ScopeProvider>
    </QueryClientProvider>
  );
}

function Centered({ children }: { children: ReactNode }) {
  return <main className="centered">{children}</main>;
}
