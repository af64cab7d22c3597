import type { Attempt, DeliveryStatus } from '@hookd/sdk/client';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { AttemptOutcome } from '../components/AttemptOutcome.js';
import { attemptTarget, BrokerTarget } from '../components/BrokerTarget.js';
import { DeliveryTable, lastResult } from '../components/DeliveryTable.js';
import { DeliveryEndpoint, endpointLabel } from '../components/EndpointName.js';
import { Filters } from '../components/Filters.js';
import { PagedResults } from '../components/PagedResults.js';
import { Button, Card, ConfirmButton, Details, Empty, ErrorBanner, KeyValueTable, Loading, Notice, PageHeader, Pre, StatusBadge, Time } from '../components/ui.js';
import { formatTime, prettyBody } from '../format.js';
import { pollInterval } from '../live.js';
import { usePagedList } from '../paged-list.js';
import { deliveryQueries, endpointQueries, invalidateDeliveries } from '../queries.js';
import { Link, useSearch } from '../router.js';
import { useScope } from '../scope.js';

// What happened to each event at each endpoint: every attempt's request and response, and the
// levers — retry now, cancel what is still pending. Pages follow deliveries that are still moving
// (polling while one is pending or sending) and stop once they have settled.

/** hookd keeps the first 4 KiB of each request body (src/domain/redaction.ts). */
const REQUEST_BODY_SHOWN_CHARS = 4096;

const DELIVERY_STATUSES: DeliveryStatus[] = ['pending', 'sending', 'succeeded', 'failed', 'dropped', 'canceled', 'aborted'];

export function DeliveriesPage() {
  const { hookd } = useScope();
  const [search] = useSearch();
  const status = DELIVERY_STATUSES.find((s) => s === search.status);
  const options = deliveryQueries.list(hookd, {
    limit: 50,
    endpointId: search.endpointId,
    eventId: search.eventId,
    status,
    correlationId: search.correlationId,
  });
  const list = usePagedList({ ...options, refetchInterval: (query) => pollInterval(query.state.data?.pages.flatMap((page) => page.data) ?? []) });
  // Endpoints are chosen by title and URL (an untitled one by its URL and id), not by typing an id.
  const endpoints = useQuery(endpointQueries.choices(hookd));
  const endpointChoices = (endpoints.data ?? []).map((endpoint) => ({
    value: endpoint.id,
    label: endpoint.title.trim() === '' ? `${endpoint.url} (${endpoint.id})` : `${endpointLabel(endpoint)} — ${endpoint.url}`,
  }));
  if (search.endpointId && !endpointChoices.some((choice) => choice.value === search.endpointId)) endpointChoices.push({ value: search.endpointId, label: search.endpointId });
  return (
    <>
      <PageHeader title="Deliveries" subtitle="One event for one endpoint, with every attempt." actions={<Button onClick={list.refresh}>Refresh</Button>} />
      <Filters
        specs={[
          { name: 'endpointId', label: 'Endpoint', kind: 'select', options: endpointChoices },
          { name: 'eventId', label: 'Event id', placeholder: 'evt_…' },
          { name: 'status', label: 'Status', kind: 'select', options: DELIVERY_STATUSES.map((s) => ({ value: s, label: s })) },
          { name: 'correlationId', label: 'Correlation id' },
        ]}
      />
      <PagedResults list={list} failure="Deliveries could not be loaded" empty="No deliveries match.">
        {(items) => <DeliveryTable deliveries={items} testId="deliveries-table" />}
      </PagedResults>
    </>
  );
}

function AttemptCard({ attempt, number, open }: { attempt: Attempt; number: number; open: boolean }) {
  // A broker attempt: its message, where it was published, and the broker's answer or error.
  const target = attemptTarget(attempt.requestUrl);
  return (
    <details className="attempt" open={open}>
      <summary>
        <span className="attempt-number">Attempt {number}</span> <AttemptOutcome attempt={attempt} /> <span className="muted">· {formatTime(attempt.startedAt)}</span>
      </summary>
      <div className="attempt-body">
        <div data-testid="attempt-request">
          <h4>{target === null ? 'Request' : 'Message'}</h4>
          {attempt.requestMethod !== null && attempt.requestUrl !== null ? (
            <p className="request-line mono">
              <strong>{attempt.requestMethod}</strong> <span className="break">{attempt.requestUrl}</span>
            </p>
          ) : (
            <p className="muted">Recorded before hookd kept the request line and body.</p>
          )}
          {target !== null && <BrokerTarget parts={target} />}
          <h4>{target === null ? 'Request headers' : 'Message headers'}</h4>
          <KeyValueTable values={attempt.requestHeaders} />
          <h4>{target === null ? 'Request body' : 'Message body'}</h4>
          {attempt.requestBody ? (
            <>
              <Pre label="Request body">{prettyBody(attempt.requestBody)}</Pre>
              {attempt.requestBody.length >= REQUEST_BODY_SHOWN_CHARS && <p className="hint">The first 4 KiB of the body.</p>}
            </>
          ) : (
            <p className="muted">{attempt.requestMethod === 'GET' ? 'None (GET)' : 'Empty'}</p>
          )}
        </div>
        <div>
          {target === null ? (
            <>
              <h4>Response headers</h4>
              <KeyValueTable values={attempt.responseHeaders} empty={attempt.error ? `No response: ${attempt.error}` : 'None'} />
              <h4>Response body</h4>
            </>
          ) : (
            <h4>{attempt.error ? `The broker's error (${attempt.error})` : "The broker's answer"}</h4>
          )}
          {attempt.responseBody ? <Pre label="Response body">{prettyBody(attempt.responseBody)}</Pre> : <p className="muted">Empty</p>}
        </div>
      </div>
    </details>
  );
}

export function DeliveryPage({ id }: { id: string }) {
  const { hookd } = useScope();
  const queryClient = useQueryClient();
  const delivery = useQuery({ ...deliveryQueries.detail(hookd, id), refetchInterval: (query) => pollInterval(query.state.data ? [query.state.data] : []) });
  // The attempts follow the delivery: when its count of attempts changes, the list loads again.
  const moving = delivery.data !== undefined && pollInterval([delivery.data]) !== false;
  const attempts = useQuery({ ...deliveryQueries.attempts(hookd, id, delivery.data?.attempts ?? 0), enabled: delivery.data !== undefined, placeholderData: keepPreviousData });
  const retry = useMutation({
    mutationFn: () => hookd.deliveries.retry(id),
    onSuccess: (updated) => {
      queryClient.setQueryData(deliveryQueries.detail(hookd, id).queryKey, updated);
      return invalidateDeliveries(queryClient);
    },
  });
  const cancel = useMutation({ mutationFn: () => hookd.deliveries.cancel(id), onSuccess: () => invalidateDeliveries(queryClient) });

  if (delivery.error) return <ErrorBanner error={delivery.error} title="This delivery could not be loaded" />;
  if (delivery.data === undefined) return <Loading />;
  const d = delivery.data;
  // Attempts come newest first; numbered in the order they were made.
  const list = attempts.data?.data ?? [];
  return (
    <>
      <PageHeader
        title={
          <>
            Delivery <span className="mono">{d.id}</span>
          </>
        }
        subtitle={
          <>
            <StatusBadge status={d.status} /> <span className="mono">{d.eventType}</span>
          </>
        }
        actions={
          <>
            {/* A delivery waiting in its ordering key cannot be sent ahead of the one before it (the API answers 409). */}
            <Button kind="primary" busy={retry.isPending} disabled={d.status === 'sending' || (d.status === 'pending' && d.blockedBy !== null)} onClick={() => retry.mutate()}>
              {retry.isPending ? 'Retrying…' : 'Retry now'}
            </Button>
            {d.status === 'pending' && <ConfirmButton label="Cancel delivery" confirm="Cancel this delivery?" busy={cancel.isPending} onConfirm={() => cancel.mutate()} />}
          </>
        }
      />
      <ErrorBanner error={retry.error ?? cancel.error} />
      {moving && <Notice>{d.status === 'sending' ? 'An attempt is in flight…' : 'Waiting for the next attempt…'} This page follows it.</Notice>}
      <Card title="Summary">
        <Details
          items={[
            ['Event', <Link to={`/events/${d.eventId}`} className="mono">{d.eventId}</Link>],
            ['Endpoint', <DeliveryEndpoint endpointId={d.endpointId} url={d.url} />],
            ['URL', <span className="mono break">{d.url}</span>],
            ['Attempts', <span data-testid="delivery-attempts">{d.attempts}</span>],
            ['Last result', lastResult(d)],
            ['Next attempt', d.nextAttemptAt ? <Time iso={d.nextAttemptAt} /> : '—'],
            [
              'Waiting for',
              d.status === 'pending' && d.blockedBy !== null ? (
                <span data-testid="delivery-blocked-by">
                  <Link to={`/deliveries/${d.blockedBy}`} className="mono">
                    {d.blockedBy}
                  </Link>{' '}
                  <span className="small">(the delivery before it in its ordering key)</span>
                </span>
              ) : (
                '—'
              ),
            ],
            ['Created', formatTime(d.createdAt)],
            ['Completed', formatTime(d.completedAt)],
            ['Correlation id', d.correlationId ? <span className="mono">{d.correlationId}</span> : '—'],
          ]}
        />
      </Card>
      <Card title={`Attempts (${list.length})`}>
        <ErrorBanner error={attempts.error} />
        {attempts.data === undefined ? (
          attempts.isPending && <Loading />
        ) : list.length === 0 ? (
          <Empty>No attempt yet.</Empty>
        ) : (
          <div className="attempts" data-testid="attempts">
            {list.map((attempt, index) => (
              <AttemptCard key={attempt.id} attempt={attempt} number={list.length - index} open={index === 0} />
            ))}
          </div>
        )}
      </Card>
    </>
  );
}
