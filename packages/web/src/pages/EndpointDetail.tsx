import type { Attempt, Delivery, Endpoint, EndpointSecret, EndpointStats, EndpointStatsWindow, EndpointTestResult, Page, RecoverResult, RotatedSecret } from '@hookd/sdk/client';
import { useState } from 'react';
import { loadCatalog, typesHeardBy } from '../catalog.js';
import { AttemptsChart, LatencyChart } from '../components/Charts.js';
import { DeliveryTable } from '../components/DeliveryTable.js';
import {
  Badge,
  Button,
  Card,
  ConfirmButton,
  CopyButton,
  Details,
  Empty,
  ErrorBanner,
  KeyValueTable,
  Loading,
  Notice,
  PageHeader,
  Pre,
  StatusBadge,
} from '../components/ui.js';
import { EndpointEditor } from '../editor/EndpointEditor.js';
import { formatDuration, fromLocalInput, percent, prettyBody, toLocalInput } from '../format.js';
import { useAction, useLoad } from '../hooks.js';
import { Link, useNavigate, useSearch } from '../router.js';
import { useScope } from '../scope.js';
import { EndpointStatus, eventTypesText } from './Endpoints.js';

// One endpoint: its health over the last day, a test send, its signing secret, recovery after an
// outage, its configuration and latest deliveries.

function retryText(retry: Endpoint['retry']): string {
  if (!retry.enabled) return 'one attempt, no retries';
  const tail = retry.dropOn4xx ? '; a 4xx is final' : '';
  if (retry.schedule === 'fixed') return `every ${retry.intervalSeconds ?? 300} s, ${retry.maxAttempts ?? 16} attempts in all${tail}`;
  if (retry.schedule === 'custom') return `after ${(retry.delaysSeconds ?? []).map((d) => `${d} s`).join(', ')}${tail}`;
  return `exponential, 8 attempts over about 27.6 h${tail}`;
}

function StatTiles({ label, window }: { label: string; window: EndpointStatsWindow }) {
  return (
    <div className="stat-group" aria-label={label}>
      <h3>{label}</h3>
      <div className="stats">
        <div className="stat">
          <span className="stat-value">{window.attempts.total}</span>
          <span className="stat-label">attempts</span>
        </div>
        <div className="stat">
          <span className="stat-value">{percent(window.attempts.succeeded, window.attempts.total)}</span>
          <span className="stat-label">succeeded</span>
        </div>
        <div className="stat">
          <span className="stat-value">{formatDuration(window.latencyMs.p50)}</span>
          <span className="stat-label">p50</span>
        </div>
        <div className="stat">
          <span className="stat-value">{formatDuration(window.latencyMs.p99)}</span>
          <span className="stat-label">p99</span>
        </div>
      </div>
    </div>
  );
}

export function AttemptOutcome({ attempt }: { attempt: Attempt }) {
  const ok = attempt.statusCode !== null && attempt.statusCode >= 200 && attempt.statusCode < 300;
  return (
    <span className="outcome">
      <Badge tone={ok ? 'success' : 'danger'}>{attempt.statusCode !== null ? `HTTP ${attempt.statusCode}` : (attempt.error ?? 'failed')}</Badge>{' '}
      <span className="muted">in {formatDuration(attempt.durationMs)}</span>
      {attempt.error && attempt.statusCode !== null && <span className="muted"> ({attempt.error})</span>}
    </span>
  );
}

function TestPanel({ endpoint, onSent }: { endpoint: Endpoint; onSent: () => void }) {
  const { api } = useScope();
  const catalog = useLoad(() => loadCatalog(api), [api]);
  const types = typesHeardBy(endpoint.eventTypes, catalog.data ?? []);
  const [type, setType] = useState('');
  const [payload, setPayload] = useState('');
  const [payloadError, setPayloadError] = useState<string | null>(null);
  const test = useAction(async () => {
    const body: Record<string, unknown> = {};
    if ((type || types[0]) !== undefined) body.eventType = type || types[0];
    if (payload.trim() !== '') body.payload = JSON.parse(payload);
    return api.post<EndpointTestResult>(`/v1/endpoints/${endpoint.id}/test`, body);
  });
  const send = async () => {
    if (payload.trim() !== '') {
      try {
        JSON.parse(payload);
      } catch (error) {
        setPayloadError('not valid JSON: ' + (error as Error).message);
        return;
      }
    }
    setPayloadError(null);
    if ((await test.run()) !== null) onSent();
  };
  return (
    <Card title="Send a test event">
      <p className="muted">One real delivery, now, without retries. Without a payload the type's first example is sent.</p>
      <div className="grid-2">
        <label className="field">
          <span className="label">Event type</span>
          <select value={type || types[0] || ''} onChange={(e) => setType(e.target.value)}>
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

function SecretPanel({ endpoint }: { endpoint: Endpoint }) {
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

function RecoverPanel({ endpoint }: { endpoint: Endpoint }) {
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

export function EndpointPage({ id }: { id: string }) {
  const { api, admin } = useScope();
  const navigate = useNavigate();
  const [search] = useSearch();
  const path = `/v1/endpoints/${encodeURIComponent(id)}`;
  const endpoint = useLoad(() => api.get<Endpoint>(path), [api, path]);
  const stats = useLoad(() => api.get<EndpointStats>(`${path}/stats`), [api, path]);
  const deliveries = useLoad(() => api.get<Page<Delivery>>('/v1/deliveries', { endpointId: id, limit: 10 }), [api, id]);
  const toggle = useAction((active: boolean) => api.patch<Endpoint>(path, { active }));
  const remove = useAction(() => api.del(path));

  if (endpoint.error) return <ErrorBanner error={endpoint.error} title="This endpoint could not be loaded" />;
  if (endpoint.data === null) return <Loading />;
  const ep = endpoint.data;
  const refresh = () => {
    stats.reload();
    deliveries.reload();
  };

  return (
    <>
      <PageHeader
        title={ep.title || 'Endpoint'}
        subtitle={
          <>
            <span className="mono break">{ep.url}</span> <EndpointStatus endpoint={ep} /> <Badge tone="neutral">{ep.method}</Badge>{' '}
            {admin && (ep.accountId === null ? <Badge tone="accent">provider-level</Badge> : <Badge tone="neutral">account {ep.accountId}</Badge>)}
          </>
        }
        actions={
          <>
            <Link to={`/endpoints/${ep.id}/edit`} className="btn btn-primary">
              Edit
            </Link>
            <Button
              busy={toggle.busy}
              onClick={async () => {
                const updated = await toggle.run(!ep.active);
                if (updated) endpoint.set(updated);
              }}
            >
              {ep.active ? 'Disable' : 'Enable'}
            </Button>
            <ConfirmButton
              label="Delete"
              confirm="Delete this endpoint and cancel its pending deliveries?"
              busy={remove.busy}
              onConfirm={async () => {
                if ((await remove.run()) !== null) navigate('/endpoints');
              }}
            />
          </>
        }
      />
      {search.created && <Notice tone="success">Endpoint created. Reveal its signing secret below when you set up the receiver.</Notice>}
      {search.saved && <Notice tone="success">Changes saved.</Notice>}
      {!ep.active && ep.disabledReason && (
        <div className="banner banner-warning" role="status">
          Disabled: {ep.disabledReason}. Enable it to resume deliveries; then recover what failed meanwhile.
        </div>
      )}
      <ErrorBanner error={toggle.error ?? remove.error} />

      <Card title="Health" actions={<Button kind="ghost" onClick={refresh}>Refresh</Button>}>
        {stats.error ? (
          <ErrorBanner error={stats.error} />
        ) : stats.data === null ? (
          <Loading />
        ) : (
          <>
            <div className="stat-row">
              <StatTiles label="Last hour" window={stats.data.lastHour} />
              <StatTiles label="Last 24 hours" window={stats.data.lastDay} />
            </div>
            <div className="charts">
              <AttemptsChart series={stats.data.series} />
              <LatencyChart series={stats.data.series} />
            </div>
          </>
        )}
      </Card>

      <div className="grid-2 cards">
        <TestPanel endpoint={ep} onSent={refresh} />
        <div className="stack">
          <SecretPanel endpoint={ep} />
          <RecoverPanel endpoint={ep} />
        </div>
      </div>

      <Card
        title="Recent deliveries"
        actions={
          <Link to={`/deliveries?endpointId=${ep.id}`} className="btn btn-ghost">
            All deliveries
          </Link>
        }
      >
        <ErrorBanner error={deliveries.error} />
        {deliveries.data === null ? <Loading /> : deliveries.data.data.length === 0 ? <Empty>No deliveries yet.</Empty> : <DeliveryTable deliveries={deliveries.data.data} showEndpoint={false} testId="endpoint-deliveries" />}
      </Card>

      <Card title="Configuration">
        <Details
          items={[
            ['Id', <span className="mono">{ep.id}</span>],
            ['Events', eventTypesText(ep.eventTypes)],
            ['Filter', ep.filter ? <span className="mono">{`${ep.filter.path} in ${JSON.stringify(ep.filter.in)}`}</span> : 'none'],
            ['Body', ep.body.format + (ep.body.format === 'json' && ep.body.fields?.length ? `: ${ep.body.fields.join(', ')}` : '')],
            ['Retries', retryText(ep.retry)],
            ['Timeout', formatDuration(ep.timeoutMs)],
            ['Rate limit', ep.rateLimitPerSecond === null ? 'none' : `${ep.rateLimitPerSecond} per second`],
            ['Description', ep.description || <span className="muted">—</span>],
          ]}
        />
        <div className="grid-2">
          <div>
            <h3>Headers</h3>
            <KeyValueTable values={ep.headers} />
          </div>
          <div>
            <h3>Query parameters</h3>
            <KeyValueTable values={ep.queryParams} />
          </div>
        </div>
        {ep.body.format === 'text' && (
          <>
            <h3>Template</h3>
            <Pre>{ep.body.template ?? ''}</Pre>
          </>
        )}
      </Card>
    </>
  );
}

export function EndpointNewPage() {
  const navigate = useNavigate();
  return (
    <>
      <PageHeader title="New endpoint" subtitle="Where to send which events, and exactly how. The preview shows the request as it will be sent." />
      <EndpointEditor endpoint={null} onSaved={(endpoint) => navigate(`/endpoints/${endpoint.id}?created=1`)} onCancel={() => navigate('/endpoints')} />
    </>
  );
}

export function EndpointEditPage({ id }: { id: string }) {
  const { api } = useScope();
  const navigate = useNavigate();
  const endpoint = useLoad(() => api.get<Endpoint>(`/v1/endpoints/${encodeURIComponent(id)}`), [api, id]);
  if (endpoint.error) return <ErrorBanner error={endpoint.error} title="This endpoint could not be loaded" />;
  if (endpoint.data === null) return <Loading />;
  return (
    <>
      <PageHeader title={`Edit ${endpoint.data.title || 'endpoint'}`} subtitle={<span className="mono break">{endpoint.data.url}</span>} />
      <EndpointEditor endpoint={endpoint.data} onSaved={() => navigate(`/endpoints/${id}?saved=1`)} onCancel={() => navigate(`/endpoints/${id}`)} />
    </>
  );
}
