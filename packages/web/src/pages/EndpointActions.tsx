import type { Endpoint, TestEndpointInput } from '@hookd/sdk/client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { typesHeardBy } from '../catalog.js';
import { AttemptOutcome } from '../components/AttemptOutcome.js';
import { Button, Card, ConfirmButton, CopyButton, ErrorBanner, Loading, Notice, Pre, StatusBadge } from '../components/ui.js';
import { fromLocalInput, plural, prettyBody, toLocalInput } from '../format.js';
import { endpointQueries, invalidateDeliveries } from '../queries.js';
import { Link } from '../router.js';
import { useScope } from '../scope.js';
import { useCatalog } from '../use-catalog.js';

// What an operator or a customer does with an endpoint besides configuring it: send a test, reveal
// or rotate its signing secret, see its ed25519 public keys, recover the deliveries that failed
// during an outage.

export function TestPanel({ endpoint }: { endpoint: Endpoint }) {
  const { hookd, admin } = useScope();
  const queryClient = useQueryClient();
  const catalog = useCatalog();
  const types = typesHeardBy(endpoint.eventTypes, catalog.types);
  const [type, setType] = useState('');
  const [payload, setPayload] = useState('');
  const [payloadError, setPayloadError] = useState<string | null>(null);
  // The type chosen, else the first the endpoint hears; without one the server picks (hookd.ping at worst).
  const eventType = type || types[0];
  const test = useMutation({ mutationFn: (body: TestEndpointInput) => hookd.endpoints.test(endpoint.id, body), onSuccess: () => invalidateDeliveries(queryClient) });
  const send = async () => {
    const body: TestEndpointInput = {};
    if (eventType !== undefined) body.eventType = eventType;
    if (payload.trim() !== '') {
      try {
        body.payload = JSON.parse(payload);
      } catch (error) {
        setPayloadError('not valid JSON: ' + (error as Error).message);
        return;
      }
    }
    setPayloadError(null);
    test.mutate(body);
  };
  return (
    <Card title="Send a test event">
      <p className="muted">One real delivery, now, without retries. Without a payload the type's first example is sent.</p>
      <div className="grid-2">
        <label className="field">
          <span className="label">Event type</span>
          <select value={eventType ?? ''} onChange={(e) => setType(e.target.value)}>
            {types.length === 0 && <option value="">{admin ? 'hookd.ping' : 'test ping'}</option>}
            {types.map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
        </label>
        <label className={`field span-2 ${payloadError ? 'field-invalid' : ''}`}>
          <span className="label">Payload (JSON, optional)</span>
          <textarea className="mono" rows={3} value={payload} onChange={(e) => setPayload(e.target.value)} spellCheck={false} />
          {payloadError && <span className="field-error">Payload: {payloadError}</span>}
        </label>
      </div>
      <div className="form-actions">
        <Button kind="primary" onClick={() => void send()} busy={test.isPending}>
          Send test
        </Button>
      </div>
      <ErrorBanner error={test.error} title="The test could not be sent" />
      <div aria-live="polite">
        {test.data !== undefined && (
          <div className="test-result" data-testid="test-result">
            <p>
              <StatusBadge status={test.data.delivery.status} /> <AttemptOutcome attempt={test.data.attempt} />{' '}
              <Link to={`/deliveries/${test.data.delivery.id}`}>View delivery</Link>
            </p>
            {test.data.attempt.responseBody && (
              <>
                <h4>Response</h4>
                <Pre label="Response body">{prettyBody(test.data.attempt.responseBody)}</Pre>
              </>
            )}
          </div>
        )}
      </div>
    </Card>
  );
}

export function SecretPanel({ endpoint }: { endpoint: Endpoint }) {
  const { hookd } = useScope();
  const queryClient = useQueryClient();
  const [grace, setGrace] = useState('86400');
  // Secrets are fetched on demand and never cached: a mutation's result lives only in this panel.
  const reveal = useMutation({ mutationFn: () => hookd.endpoints.getSecret(endpoint.id) });
  const rotate = useMutation({
    mutationFn: () => hookd.endpoints.rotateSecret(endpoint.id, { graceSeconds: Number(grace) || 0 }),
    // A rotation replaces the ed25519 key pair too: the published keys change.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: endpointQueries.publicKeys(hookd, endpoint.id).queryKey }),
  });
  const shown = rotate.data ?? reveal.data;
  return (
    <Card title="Signing secret">
      <p className="muted">Receivers verify the webhook-signature header with it (Standard Webhooks).</p>
      {shown ? (
        <div className="secret">
          <code className="mono break" data-testid="secret">
            {shown.secret}
          </code>
          <CopyButton text={shown.secret} />
          <Button kind="ghost" onClick={() => (rotate.data ? rotate.reset() : reveal.reset())}>
            Hide
          </Button>
          {shown.previousSecretExpiresAt && <p className="hint">The previous secret still signs until {new Date(shown.previousSecretExpiresAt).toLocaleString()}.</p>}
        </div>
      ) : (
        <Button onClick={() => reveal.mutate()} busy={reveal.isPending}>
          Reveal secret
        </Button>
      )}
      <div className="rotate">
        <label className="field inline">
          <span className="label">Old secret keeps signing for (seconds)</span>
          <input inputMode="numeric" value={grace} onChange={(e) => setGrace(e.target.value)} />
        </label>
        <ConfirmButton label="Rotate secret" confirm={endpoint.signing === 'hmac' ? 'Make a new secret?' : 'Make a new secret and ed25519 key pair?'} kind="primary" onConfirm={() => rotate.mutate()} busy={rotate.isPending} />
      </div>
      <ErrorBanner error={reveal.error ?? rotate.error} />
    </Card>
  );
}

/** The ed25519 public keys receivers verify `v1a` signatures with: not secret, so always shown. */
export function PublicKeysPanel({ endpoint }: { endpoint: Endpoint }) {
  const { hookd } = useScope();
  const keys = useQuery(endpointQueries.publicKeys(hookd, endpoint.id));
  const address = `${hookd.url}/v1/public-keys/${endpoint.id}`;
  return (
    <Card title="Public keys (ed25519)">
      <p className="muted">
        Receivers verify the <code>v1a</code> signatures with a public key; they may fetch the list without an API key from{' '}
        <code className="mono break">{address}</code> <CopyButton text={address} label="Copy address" />
      </p>
      <ErrorBanner error={keys.error} />
      {keys.data === undefined ? (
        keys.isPending && <Loading />
      ) : (
        <ul className="public-keys" data-testid="public-keys">
          {keys.data.keys.map((key) => (
            <li key={key.publicKey}>
              <code className="mono break">{key.publicKey}</code> <CopyButton text={key.publicKey} />
              <p className="hint">
                Since {new Date(key.since).toLocaleString()}
                {key.until !== null && `; signs until ${new Date(key.until).toLocaleString()} (replaced by a rotation)`}
              </p>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

export function RecoverPanel({ endpoint }: { endpoint: Endpoint }) {
  const { hookd } = useScope();
  const queryClient = useQueryClient();
  const [since, setSince] = useState(() => toLocalInput(new Date(Date.now() - 86_400_000).toISOString()));
  // The requeued deliveries are pending again: invalidating shows them so, and the pages follow them.
  const recover = useMutation({
    mutationFn: (from: string) => hookd.endpoints.recover(endpoint.id, { since: from }),
    onSuccess: () => invalidateDeliveries(queryClient),
  });
  return (
    <Card title="Recover failed deliveries">
      <p className="muted">After an outage: every failed delivery since then gets one new attempt.</p>
      <div className="rotate">
        <label className="field inline">
          <span className="label">Failed since</span>
          <input type="datetime-local" value={since} onChange={(e) => setSince(e.target.value)} />
        </label>
        <Button
          onClick={() => {
            const from = fromLocalInput(since);
            if (from !== null) recover.mutate(from);
          }}
          busy={recover.isPending}
          disabled={fromLocalInput(since) === null}
        >
          Recover
        </Button>
      </div>
      {recover.data && (
        <Notice tone="success">
          {recover.data.requeued === 0 ? 'No failed deliveries since then.' : `${plural(recover.data.requeued, 'failed delivery', 'failed deliveries')} queued for a new attempt.`}
        </Notice>
      )}
      <ErrorBanner error={recover.error} />
    </Card>
  );
}
