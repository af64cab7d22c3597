import type { Endpoint, EndpointStatsWindow } from '@hookd/sdk/client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { destinationLabel, destinationText } from '../components/BrokerTarget.js';
import { AttemptsChart, LatencyChart } from '../components/Charts.js';
import { DeliveryTable } from '../components/DeliveryTable.js';
import { Badge, Button, Card, ConfirmButton, Details, Empty, ErrorBanner, KeyValueTable, Loading, Notice, PageHeader, Pre } from '../components/ui.js';
import { EndpointEditor } from '../editor/EndpointEditor.js';
import { formatDuration, formatTime, percent, plural } from '../format.js';
import { pollInterval } from '../live.js';
import { deliveryQueries, endpointQueries, invalidateDeliveries } from '../queries.js';
import { Link, useNavigate, useSearch } from '../router.js';
import { useScope } from '../scope.js';
import { PublicKeysPanel, RecoverPanel, SecretPanel, TestPanel } from './EndpointActions.js';
import { EndpointStatus, eventTypesText } from './Endpoints.js';

// One endpoint: its health over the last day, a test send, its signing secret and public keys,
// recovery after an outage (those in EndpointActions.tsx), its configuration and latest deliveries.

function retryText(retry: Endpoint['retry']): string {
  if (!retry.enabled) return 'one attempt, no retries';
  const tail = retry.dropOn4xx ? '; a 4xx is final' : '';
  if (retry.schedule === 'fixed') return `every ${retry.intervalSeconds ?? 300} s, ${retry.maxAttempts ?? 16} attempts in all${tail}`;
  if (retry.schedule === 'custom') return `after ${(retry.delaysSeconds ?? []).map((d) => `${d} s`).join(', ')}${tail}`;
  return `exponential, 8 attempts over about 27.6 h${tail}`;
}

const SIGNING_TEXT: Record<Endpoint['signing'], string> = {
  hmac: 'HMAC-SHA256 (v1)',
  ed25519: 'ed25519 (v1a)',
  both: 'HMAC-SHA256 (v1) and ed25519 (v1a)',
};

/** The auth as shown: its kind and who it names, never its secret (the API does not return it). */
function authText(auth: Endpoint['auth']): string {
  if (auth === null) return 'none';
  switch (auth.type) {
    case 'basic':
      return `HTTP Basic as ${auth.username}`;
    case 'bearer':
      return 'bearer token';
    case 'oauth2':
      return `OAuth 2.0 client ${auth.clientId} at ${auth.tokenUrl}`;
    case 'mtls':
      return 'client certificate (mTLS)';
  }
}

function StatTiles({ label, window }: { label: string; window: EndpointStatsWindow }) {
  return (
    <div className="stat-group" aria-label={label}>
      <h3>{label}</h3>
      <div className="stats">
        <div className="stat">
          <span className="stat-value">{window.attempts.total}</span>
          <span className="stat-label">{plural(window.attempts.total, 'attempt').replace(/^\d+ /, '')}</span>
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

export function EndpointPage({ id }: { id: string }) {
  const { hookd, admin } = useScope();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [search] = useSearch();
  const endpoint = useQuery(endpointQueries.detail(hookd, id));
  // Deliveries still moving (a test, a recovery, a retry) are followed, and the health with them.
  const deliveries = useQuery({ ...deliveryQueries.latest(hookd, { endpointId: id, limit: 10 }), refetchInterval: (query) => pollInterval(query.state.data?.data ?? []) });
  const stats = useQuery(endpointQueries.stats(hookd, id));
  const refetchStats = stats.refetch;
  // Query results keep their identity while their content is unchanged (structural sharing): a new
  // list means a delivery moved, and with it the health. The first list is not a change.
  const seenDeliveries = useRef(deliveries.data);
  useEffect(() => {
    if (seenDeliveries.current !== undefined && deliveries.data !== seenDeliveries.current) void refetchStats();
    seenDeliveries.current = deliveries.data;
  }, [deliveries.data, refetchStats]);
  const toggle = useMutation({
    mutationFn: (active: boolean) => hookd.endpoints.update(id, { active }),
    onSuccess: (updated) => {
      queryClient.setQueryData(endpointQueries.detail(hookd, id).queryKey, updated);
      return queryClient.invalidateQueries({ queryKey: ['endpoints', 'list'] });
    },
  });
  const resume = useMutation({
    mutationFn: () => hookd.endpoints.resume(id),
    onSuccess: (updated) => {
      queryClient.setQueryData(endpointQueries.detail(hookd, id).queryKey, updated);
      return invalidateDeliveries(queryClient);
    },
  });
  const remove = useMutation({
    mutationFn: () => hookd.endpoints.delete(id),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: endpointQueries.detail(hookd, id).queryKey });
      void queryClient.invalidateQueries({ queryKey: ['endpoints', 'list'] });
      navigate('/endpoints');
    },
  });

  if (endpoint.error) return <ErrorBanner error={endpoint.error} title="This endpoint could not be loaded" />;
  if (endpoint.data === undefined) return <Loading />;
  const ep = endpoint.data;
  const broker = (ep.destination?.type ?? 'http') !== 'http';
  const refresh = () => {
    void stats.refetch();
    void deliveries.refetch();
  };

  return (
    <>
      <PageHeader
        title={ep.title || 'Endpoint'}
        subtitle={
          <>
            <span className="mono break">{ep.url}</span> <EndpointStatus endpoint={ep} /> <Badge tone="neutral">{destinationLabel(ep)}</Badge>{' '}
            {admin && (ep.accountId === null ? <Badge tone="accent">provider-level</Badge> : <Badge tone="neutral">account {ep.accountId}</Badge>)}
          </>
        }
        actions={
          <>
            <Link to={`/endpoints/${ep.id}/edit`} className="btn btn-primary">
              Edit
            </Link>
            <Button busy={toggle.isPending} onClick={() => toggle.mutate(!ep.active)}>
              {ep.active ? 'Disable' : 'Enable'}
            </Button>
            <ConfirmButton
              label="Delete"
              confirm="Delete this endpoint and cancel its pending deliveries?"
              busy={remove.isPending}
              onConfirm={() => remove.mutate()}
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
      {ep.state.mode === 'paused' && (
        <div className="banner banner-warning" role="status" data-testid="endpoint-paused">
          Paused until {formatTime(ep.state.until)}: {ep.state.reason}. Its deliveries wait and keep their attempts.{' '}
          <Button busy={resume.isPending} onClick={() => resume.mutate()}>
            Resume now
          </Button>
        </div>
      )}
      {ep.state.mode === 'throttled' && (
        <div className="banner banner-warning" role="status" data-testid="endpoint-throttled">
          Throttled to {ep.state.concurrency} {ep.state.concurrency === 1 ? 'delivery' : 'deliveries'} at a time: {ep.state.reason}. Each run of
          successes gives one more back, up to the configured maximum.
        </div>
      )}
      <ErrorBanner error={toggle.error ?? resume.error ?? remove.error} />

      <Card title="Health" actions={<Button kind="ghost" onClick={refresh}>Refresh</Button>}>
        {stats.error ? (
          <ErrorBanner error={stats.error} />
        ) : stats.data === undefined ? (
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
        <TestPanel endpoint={ep} />
        <div className="stack">
          <SecretPanel endpoint={ep} />
          {ep.signing !== 'hmac' && <PublicKeysPanel endpoint={ep} />}
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
        {deliveries.data === undefined ? deliveries.isPending && <Loading /> : deliveries.data.data.length === 0 ? <Empty>No deliveries yet.</Empty> : <DeliveryTable deliveries={deliveries.data.data} showEndpoint={false} testId="endpoint-deliveries" />}
      </Card>

      <Card title="Configuration">
        <Details
          items={[
            ['Id', <span className="mono">{ep.id}</span>],
            ['Destination', destinationText(ep.destination)],
            ['Events', eventTypesText(ep.eventTypes)],
            ['Filter', ep.filter ? <span className="mono">{`${ep.filter.path} in ${JSON.stringify(ep.filter.in)}`}</span> : 'none'],
            ['Body', ep.body.format + (ep.body.format === 'json' && ep.body.fields?.length ? `: ${ep.body.fields.join(', ')}` : '')],
            ['Retries', retryText(ep.retry)],
            ['Timeout', formatDuration(ep.timeoutMs)],
            ['Rate limit', ep.rateLimitPerSecond === null ? 'none' : `${ep.rateLimitPerSecond} per second`],
            ['Signing', SIGNING_TEXT[ep.signing]],
            // A broker's credentials are its URL's: receiver authentication means nothing there.
            ['Authentication', broker ? 'the broker URL\'s credentials' : authText(ep.auth)],
            ['Description', ep.description || <span className="muted">—</span>],
          ]}
        />
        <div className="grid-2">
          <div>
            <h3>Headers</h3>
            <KeyValueTable values={ep.headers} />
          </div>
          {!broker && (
            <div>
              <h3>Query parameters</h3>
              <KeyValueTable values={ep.queryParams} />
            </div>
          )}
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
  const { hookd } = useScope();
  const navigate = useNavigate();
  // Loaded once for the form: a refetch in the background must not reset what is being typed.
  const endpoint = useQuery({ ...endpointQueries.detail(hookd, id), refetchOnWindowFocus: false });
  if (endpoint.error) return <ErrorBanner error={endpoint.error} title="This endpoint could not be loaded" />;
  if (endpoint.data === undefined) return <Loading />;
  return (
    <>
      <PageHeader title={`Edit ${endpoint.data.title || 'endpoint'}`} subtitle={<span className="mono break">{endpoint.data.url}</span>} />
      <EndpointEditor endpoint={endpoint.data} onSaved={() => navigate(`/endpoints/${id}?saved=1`)} onCancel={() => navigate(`/endpoints/${id}`)} />
    </>
  );
}
