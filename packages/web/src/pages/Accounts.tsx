import type { Account, PortalSession } from '@hookd/sdk/client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { PagedResults } from '../components/PagedResults.js';
import { Badge, Button, Card, CopyButton, ErrorBanner, Field, PageHeader, Time } from '../components/ui.js';
import { formatTime } from '../format.js';
import { usePagedList } from '../paged-list.js';
import { accountQueries } from '../queries.js';
import { Link } from '../router.js';
import { useScope } from '../scope.js';

// The provider's customers: switch each one's webhooks on and off, and open their self-service
// portal through a short-lived magic link.

function PortalLink({ session, onClose }: { session: PortalSession; onClose: () => void }) {
  // Without HOOKD_PUBLIC_URL the API answers a relative link: the page's own origin completes it.
  const url = new URL(session.url, window.location.href).href;
  return (
    <div className="portal-link" role="status" data-testid="portal-link">
      <p>
        Portal link, valid until <strong>{formatTime(session.expiresAt)}</strong>. Anyone holding it acts for this account until then (revoke key{' '}
        <span className="mono">{session.keyId}</span> on the <Link to="/keys">API keys</Link> page to end it early).
      </p>
      <div className="secret">
        <input className="mono" readOnly value={url} aria-label="Portal link" onFocus={(e) => e.currentTarget.select()} />
        <CopyButton text={url} label="Copy link" />
        <a className="btn btn-primary" href={url} target="_blank" rel="noopener noreferrer">
          Open portal
        </a>
        <Button kind="ghost" onClick={onClose}>
          Close
        </Button>
      </div>
    </div>
  );
}

/** The secret this account's callbackUrl deliveries are signed with: the account verifies them with it. */
function CallbackSecret({ secret, onClose }: { secret: string; onClose: () => void }) {
  return (
    <div className="portal-link" role="status" data-testid="callback-secret">
      <p>Deliveries to the callbackUrl of this account's events are signed with this secret (Standard Webhooks); hand it to the account to verify them.</p>
      <div className="secret">
        <code className="mono break">{secret}</code>
        <CopyButton text={secret} />
        <Button kind="ghost" onClick={onClose}>
          Hide
        </Button>
      </div>
    </div>
  );
}

function AccountRow({ account }: { account: Account }) {
  const { hookd } = useScope();
  const queryClient = useQueryClient();
  const [session, setSession] = useState<PortalSession | null>(null);
  const toggle = useMutation({
    mutationFn: () => hookd.accounts.update(account.id, { enabled: !account.enabled }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['accounts'] }),
  });
  const portal = useMutation({ mutationFn: () => hookd.accounts.createPortalSession(account.id, { ttlSeconds: 3600 }), onSuccess: setSession });
  // Fetched on demand and never cached, like endpoint secrets: the result lives only in this row.
  const callbackSecret = useMutation({ mutationFn: () => hookd.accounts.callbackSecret(account.id) });
  return (
    <>
      <tr data-account={account.id}>
        <td className="mono">{account.id}</td>
        <td>{account.name ?? <span className="muted">—</span>}</td>
        <td>
          <label className="switch">
            <input
              type="checkbox"
              role="switch"
              checked={account.enabled}
              aria-label={`Webhooks for ${account.id}`}
              disabled={toggle.isPending}
              onChange={() => toggle.mutate()}
            />
            <span>{account.enabled ? <Badge tone="success">enabled</Badge> : <Badge tone="neutral">disabled</Badge>}</span>
          </label>
        </td>
        <td className="nowrap">
          <Time iso={account.createdAt} />
        </td>
        <td className="actions">
          <Link to={`/endpoints?accountId=${encodeURIComponent(account.id)}`} className="btn btn-ghost">
            Endpoints
          </Link>
          <Button busy={portal.isPending} onClick={() => portal.mutate()}>
            Open portal
          </Button>
          <Button kind="ghost" busy={callbackSecret.isPending} onClick={() => callbackSecret.mutate()}>
            Callback secret
          </Button>
        </td>
      </tr>
      {(session || callbackSecret.data || toggle.error || portal.error || callbackSecret.error) && (
        <tr className="row-detail">
          <td colSpan={5}>
            <ErrorBanner error={toggle.error ?? portal.error ?? callbackSecret.error} />
            {session && <PortalLink session={session} onClose={() => setSession(null)} />}
            {callbackSecret.data && <CallbackSecret secret={callbackSecret.data.secret} onClose={() => callbackSecret.reset()} />}
          </td>
        </tr>
      )}
    </>
  );
}

function AddAccount() {
  const { hookd } = useScope();
  const queryClient = useQueryClient();
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const add = useMutation({
    mutationFn: () => hookd.accounts.update(id.trim(), { name: name.trim() === '' ? null : name.trim() }),
    onSuccess: () => {
      setId('');
      setName('');
      return queryClient.invalidateQueries({ queryKey: ['accounts'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate();
  };
  return (
    <Card title="Add or rename an account">
      <p className="hint">Accounts also appear by themselves the first time an event or endpoint names them. The id is the one your own system uses for this customer.</p>
      <form className="inline-form" onSubmit={submit}>
        <Field label="Account id">
          {(fieldId, described) => <input id={fieldId} aria-describedby={described} className="mono" required value={id} onChange={(e) => setId(e.target.value)} placeholder="acme" />}
        </Field>
        <Field label="Name">{(fieldId) => <input id={fieldId} value={name} onChange={(e) => setName(e.target.value)} placeholder="Acme Inc." />}</Field>
        <Button kind="primary" type="submit" busy={add.isPending} disabled={id.trim() === ''}>
          Save account
        </Button>
      </form>
      <ErrorBanner error={add.error} title="Not saved" />
    </Card>
  );
}

export function AccountsPage() {
  const { hookd } = useScope();
  const list = usePagedList(accountQueries.list(hookd, { limit: 100 }));
  return (
    <>
      <PageHeader title="Accounts" subtitle="Your customers. Each one's webhooks can be switched off, and each has a self-service portal." />
      <PagedResults list={list} failure="Accounts could not be loaded" empty="No accounts yet: they appear the first time an accountId is used.">
        {(items) => (
          <div className="table-wrap">
            <table className="table" data-testid="accounts-table">
              <thead>
                <tr>
                  <th scope="col">Account</th>
                  <th scope="col">Name</th>
                  <th scope="col">Webhooks</th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((account) => (
                  <AccountRow key={account.id} account={account} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </PagedResults>
      <AddAccount />
    </>
  );
}
