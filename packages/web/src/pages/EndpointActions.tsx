import type { Endpoint, EndpointSecret, EndpointTestResult, RecoverResult, RotatedSecret, TestEndpointInput } from '@hookd/sdk/client';
import { useState } from 'react';
import { loadCatalog, typesHeardBy } from '../catalog.js';
import { AttemptOutcome } from '../components/AttemptOutcome.js';
import { Button, Card, ConfirmButton, CopyButton, ErrorBanner, Notice, Pre, StatusBadge } from '../components/ui.js';
import { fromLocalInput, prettyBody, toLocalInput } from '../format.js';
import { useAction, useLoad } from '../hooks.js';
import { Link } from '../router.js';
import { useScope } from '../scope.js';

// What an operator or a customer does with an endpoint besides configuring it: send a test, reveal
// or rotate its signing secret, recover the deliveries that failed during an outage.

export function TestPanel({ endpoint, onSent }: { endpoint: Endpoint; onSent: () => void }) {
  const { api } = useScope();
  const catalog = useLoad(() => loadCatalog(api), [api]);
  const types = typesHeardBy(endpoint.eventTypes, catalog.data ?? []);
  const [type, setType] = useState('');
  const [payload, setPayload] = useState('');
  const [payloadError, setPayloadError] = useState<string | null>(null);
  // The type chosen, else the first the endpoint hears; without one the server picks (hookd.ping at worst).
  const eventType = type || types[0];
  const test = useAction((body: TestEndpointInput) => api.post<EndpointTestResult>(`/v1/endpoints/${endpoint.id}/test`, body));
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
    if ((await test.run(body)) !== null) onSent();
  };
  return (
    <Card title="Send a test event">
      <p className="muted">One real delivery, now, without retries. Without a payload the type's first example is sent.</p>
      <div className="grid-2">
        <label className="field">
          <span className="label">Event type</span>
          <select value={eventType ?? ''} onChange={(e) => setType(e.target.value)}>
            {types.length === 0 && <option value="">hookd.ping</option>}
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
        <Button kind="primary" onClick={() => void send()} busy={test.busy}>
          Send test
        </Button>
      </div>
      <ErrorBanner error={test.error} title="The test could not be sent" />
      <div aria-live="polite">
        {test.result !== null && (
          <div className="test-result" data-testid="test-result">
            <p>
              <StatusBadge status={test.result.delivery.status} /> <AttemptOutcome attempt={test.result.attempt} />{' '}
              <Link to={`/deliveries/${test.result.delivery.id}`}>View delivery</Link>
            </p>
            {test.result.attempt.responseBody && (
              <>
                <h4>Response</h4>
                <Pre label="Response body">{prettyBody(test.result.attempt.responseBody)}</Pre>
              </>
            )}
          </div>
        )}
      </div>
    </Card>
  );
}

export function SecretPanel({ endpoint }: { endpoint: Endpoint }) {
  const { api } = useScope();
  const [grace, setGrace] = useState('86400');
  const reveal = useAction(() => api.get<EndpointSecret>(`/v1/endpoints/${endpoint.id}/secret`));
  const rotate = useAction(() => api.post<RotatedSecret>(`/v1/endpoints/${endpoint.id}/secret/rotate`, { graceSeconds: Number(grace) || 0 }));
  const shown = rotate.result ?? reveal.result;
  return (
    <Card title="Signing secret">
      <p className="muted">Receivers verify the webhook-signature header with it (Standard Webhooks).</p>
      {shown ? (
        <div className="secret">
          <code className="mono break" data-testid="secret">
            {shown.secret}
          </code>
          <CopyButton text={shown.secret} />
          <Button kind="ghost" onClick={() => (rotate.result ? rotate.reset() : reveal.reset())}>
            Hide
          </Button>
          {shown.previousSecretExpiresAt && <p className="hint">The previous secret still signs until {new Date(shown.previousSecretExpiresAt).toLocaleString()}.</p>}
        </div>
      ) : (
        <Button onClick={() => void reveal.run()} busy={reveal.busy}>
          Reveal secret
        </Button>
      )}
      <div className="rotate">
        <label className="field inline">
          <span className="label">Old secret keeps signing for (seconds)</span>
          <input inputMode="numeric" value={grace} onChange={(e) => setGrace(e.target.value)} />
        </label>
        <ConfirmButton label="Rotate secret" confirm="Make a new secret?" kind="primary" onConfirm={() => void rotate.run()} busy={rotate.busy} />
      </div>
      <ErrorBanner error={reveal.error ?? rotate.error} />
    </Card>
  );
}

export function RecoverPanel({ endpoint }: { endpoint: Endpoint }) {
  const { api } = useScope();
  const [since, setSince] = useState(() => toLocalInput(new Date(Date.now() - 86_400_000).toISOString()));
  const recover = useAction(() => api.post<RecoverResult>(`/v1/endpoints/${endpoint.id}/recover`, { since: fromLocalInput(since) }));
  return (
    <Card title="Recover failed deliveries">
      <p className="muted">After an outage: every failed delivery since then gets one new attempt.</p>
      <div className="rotate">
        <label className="field inline">
          <span className="label">Failed since</span>
          <input type="datetime-local" value={since} onChange={(e) => setSince(e.target.value)} />
        </label>
        <Button onClick={() => void recover.run()} busy={recover.busy} disabled={fromLocalInput(since) === null}>
          Recover
        </Button>
      </div>
      {recover.result && (
        <Notice tone="success">
          {recover.result.requeued === 0 ? 'No failed deliveries since then.' : `${recover.result.requeued} failed deliveries queued for a new attempt.`}
        </Notice>
      )}
      <ErrorBanner error={recover.error} />
    </Card>
  );
}
