import type { KeyIdentity } from '@hookd/sdk/client';
import { useState, type FormEvent } from 'react';
import { errorMessage, whoIs } from '../client.js';
import { PortalBrand } from '../components/Shell.js';
import { Button, Field } from '../components/ui.js';
import { DEFAULT_PORTAL_SETTINGS, usePortalSettings } from '../portal-settings.js';
import type { Area } from '../session.js';

// Signing in with an API key. The key is checked against GET /v1/me before it is kept, so a
// wrong or wrong-kind key is refused here with the reason.

export function kindProblem(area: Area, me: KeyIdentity): string | null {
  if (area === 'dashboard' && me.kind !== 'admin') {
    return me.kind === 'account'
      ? 'This is an account key: it opens the customer portal at /portal, not the admin dashboard.'
      : 'Publisher keys may only post events. Sign in with an admin key.';
  }
  if (area === 'portal' && me.kind !== 'account') {
    return me.kind === 'admin' ? 'The portal is for one account. Admins use the dashboard at /.' : 'Sign in with an account key.';
  }
  return null;
}

export function SignIn({ area, reason, onSignedIn }: { area: Area; reason: string | null; onSignedIn: (key: string, me: KeyIdentity) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const me = await whoIs(key.trim());
      const problem = kindProblem(area, me);
      if (problem !== null) setError(problem);
      else onSignedIn(key.trim(), me);
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  };
  const portal = area === 'portal';
  const settings = usePortalSettings() ?? DEFAULT_PORTAL_SETTINGS;
  return (
    <main className="sign-in" id="main">
      <form className="sign-in-card" onSubmit={submit} aria-labelledby="sign-in-title">
        {portal ? (
          <div className="brand brand-large">
            <PortalBrand settings={settings} />
          </div>
        ) : (
          <div className="brand brand-large">
            <span className="brand-mark" aria-hidden="true">
              h
            </span>{' '}
            hookd
          </div>
        )}
        <h1 id="sign-in-title">{portal ? `${settings.name}: sign in` : 'Sign in to the dashboard'}</h1>
        {reason && (
          <p className="banner banner-warning" role="status">
            {reason}
          </p>
        )}
        <p className="muted">
          {portal
            ? 'Open this page from the link you were given, or sign in with your account key.'
            : 'Use an admin key (hookd printed one on its first start, or set HOOKD_ADMIN_KEY). It is kept in this tab only.'}
        </p>
        <Field label={portal ? 'Account key' : 'Admin key'} error={error}>
          {(id, described) => (
            <input
              id={id}
              aria-describedby={described}
              type="password"
              autoComplete="off"
              className="mono"
              required
              value={key}
              onChange={(event) => setKey(event.target.value)}
              placeholder={portal ? 'hk_account_…' : 'hk_admin_…'}
            />
          )}
        </Field>
        <Button kind="primary" type="submit" busy={busy} disabled={key.trim() === ''}>
          Sign in
        </Button>
      </form>
    </main>
  );
}
