import type { ApiKey, CreatedKey, CreateKeyInput, KeyKind } from '@hookd/sdk/client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { fieldProblems } from '../client.js';
import { PagedResults } from '../components/PagedResults.js';
import { Badge, Button, Card, ConfirmButton, CopyButton, ErrorBanner, Field, PageHeader, Time } from '../components/ui.js';
import { fromLocalInput } from '../format.js';
import { usePagedList } from '../paged-list.js';
import { keyQueries } from '../queries.js';
import { useScope } from '../scope.js';

// API keys: publisher keys for the product that posts events, account keys for a customer's own
// scripts (the portal's magic links are short-lived account keys too), admin keys for operators.
// A new key is shown once; hookd keeps only its hash. Revoking takes effect on the next request.

const KINDS: Array<{ value: KeyKind; label: string; hint: string }> = [
  { value: 'publisher', label: 'Publisher', hint: 'posts events, nothing else: for your product' },
  { value: 'account', label: 'Account', hint: "one customer's endpoints and deliveries: for their scripts" },
  { value: 'admin', label: 'Admin', hint: 'everything: for operators and this dashboard' },
];

function CreatedKeyNotice({ created, onClose }: { created: CreatedKey; onClose: () => void }) {
  return (
    <div className="banner banner-success" role="status" data-testid="created-key">
      <p>
        <strong>Key created.</strong> Copy it now: it is shown this once, and hookd keeps only a hash of it.
      </p>
      <div className="secret">
        <code className="mono break" data-testid="created-key-value">
          {created.key}
        </code>
        <CopyButton text={created.key} />
        <Button kind="ghost" onClick={onClose}>
          Done
        </Button>
      </div>
    </div>
  );
}

function CreateKey() {
  const { hookd } = useScope();
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<KeyKind>('publisher');
  const [accountId, setAccountId] = useState('');
  const [name, setName] = useState('');
  const [expires, setExpires] = useState('');
  const create = useMutation({
    mutationFn: (input: CreateKeyInput) => hookd.keys.create(input),
    onSuccess: () => {
      setName('');
      setAccountId('');
      setExpires('');
      return queryClient.invalidateQueries({ queryKey: ['keys'] });
    },
  });
  const problems = Object.fromEntries(fieldProblems(create.error).map((p) => [p.field, p.message]));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({
      kind,
      accountId: kind === 'account' ? accountId.trim() : null,
      name: name.trim() === '' ? null : name.trim(),
      expiresAt: fromLocalInput(expires),
    });
  };
  return (
    <Card title="Create a key">
      {create.data !== undefined && <CreatedKeyNotice created={create.data} onClose={() => create.reset()} />}
      <form className="inline-form" onSubmit={submit} aria-label="Create a key">
        <Field label="Kind" hint={KINDS.find((k) => k.value === kind)?.hint}>
          {(id, described) => (
            <select id={id} aria-describedby={described} value={kind} onChange={(e) => setKind(e.target.value as KeyKind)}>
              {KINDS.map((k) => (
                <option key={k.value} value={k.value}>
                  {k.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        {kind === 'account' && (
          <Field label="Account id" error={problems['/accountId'] ?? null}>
            {(id, described) => <input id={id} aria-describedby={described} className="mono" required value={accountId} onChange={(e) => setAccountId(e.target.value)} placeholder="acme" />}
          </Field>
        )}
        <Field label="Name" error={problems['/name'] ?? null}>
          {(id) => <input id={id} value={name} onChange={(e) => setName(e.target.value)} placeholder="billing service" />}
        </Field>
        <Field label="Expires" hint="Empty: never." error={problems['/expiresAt'] ?? null}>
          {(id, described) => <input id={id} aria-describedby={described} type="datetime-local" value={expires} onChange={(e) => setExpires(e.target.value)} />}
        </Field>
        <Button kind="primary" type="submit" busy={create.isPending} disabled={kind === 'account' && accountId.trim() === ''}>
          Create key
        </Button>
      </form>
      <ErrorBanner error={create.error} title="No key created" />
    </Card>
  );
}

function KeyRow({ apiKey }: { apiKey: ApiKey }) {
  const { hookd, me } = useScope();
  const queryClient = useQueryClient();
  const revoke = useMutation({ mutationFn: () => hookd.keys.revoke(apiKey.id), onSuccess: () => queryClient.invalidateQueries({ queryKey: ['keys'] }) });
  const own = apiKey.id === me.keyId;
  return (
    <tr data-key={apiKey.id}>
      <td>
        <span className="row-title">{apiKey.name ?? <span className="muted">unnamed</span>}</span>
        <div className="mono muted small">{apiKey.id}</div>
      </td>
      <td>
        <Badge tone={apiKey.kind === 'admin' ? 'warning' : 'neutral'}>{apiKey.kind}</Badge>
      </td>
      <td className="mono small">{apiKey.accountId ?? <span className="muted">—</span>}</td>
      <td className="nowrap">
        <Time iso={apiKey.createdAt} />
      </td>
      <td className="nowrap">
        <Time iso={apiKey.lastUsedAt} />
      </td>
      <td className="nowrap">{apiKey.expiresAt === null ? <span className="muted">never</span> : <Time iso={apiKey.expiresAt} />}</td>
      <td className="actions">
        {own ? (
          <span className="muted small">this session</span>
        ) : (
          <ConfirmButton label="Revoke" confirm={`Revoke ${apiKey.name ?? apiKey.id}? Requests with it are refused at once.`} busy={revoke.isPending} onConfirm={() => revoke.mutate()} />
        )}
        <ErrorBanner error={revoke.error} title="Not revoked" />
      </td>
    </tr>
  );
}

export function KeysPage() {
  const { hookd } = useScope();
  const list = usePagedList(keyQueries.list(hookd, { limit: 100 }));
  return (
    <>
      <PageHeader title="API keys" subtitle="Who may call hookd, and as what. Portal links are short-lived account keys and are listed here until they expire." />
      <CreateKey />
      <PagedResults list={list} failure="Keys could not be loaded" empty="No stored keys (the key in HOOKD_ADMIN_KEY is not listed).">
        {(items) => (
          <div className="table-wrap">
            <table className="table" data-testid="keys-table">
              <thead>
                <tr>
                  <th scope="col">Key</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Account</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Expires</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((apiKey) => (
                  <KeyRow key={apiKey.id} apiKey={apiKey} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </PagedResults>
    </>
  );
}
