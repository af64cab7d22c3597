import type { Attempt, Delivery, DeliveryStatus, Page } from '@hookd/sdk/client';
import { useEffect, useState } from 'react';
import { AttemptOutcome } from '../components/AttemptOutcome.js';
import { DeliveryTable, lastResult } from '../components/DeliveryTable.js';
import { Filters } from '../components/Filters.js';
import { PagedResults } from '../components/PagedResults.js';
import { Button, Card, ConfirmButton, Details, Empty, ErrorBanner, KeyValueTable, Loading, Notice, PageHeader, Pre, StatusBadge, Time } from '../components/ui.js';
import { formatTime, prettyBody } from '../format.js';
import { useAction, useLoad, usePaged } from '../hooks.js';
import { Link, useSearch } from '../router.js';
import { useScope } from '../scope.js';

// What happened to each event at each endpoint: every attempt's request and response, and the
// levers — retry now, cancel what is still pending.

const DELIVERY_STATUSES: DeliveryStatus[] = ['pending', 'sending', 'succeeded', 'failed', 'dropped', 'canceled'];

export function DeliveriesPage() {
  const { api } = useScope();
  const [search] = useSearch();
  const list = usePaged(
    (cursor) =>
      api.get<Page<Delivery>>('/v1/deliveries', {
        limit: 50,
        cursor,
        endpointId: search.endpointId,
        eventId: search.eventId,
        status: search.status,
        correlationId: search.correlationId,
      }),
    [api, search.endpointId, search.eventId, search.status, search.correlationId],
  );
  return (
    <>
      <PageHeader title="Deliveries" subtitle="One event for one endpoint, with every attempt." actions={<Button onClick={list.reload}>Refresh</Button>} />
      <Filters
        specs={[
          { name: 'endpointId', label: 'Endpoint id', placeholder: 'ep_…' },
          { name: 'eventId', label: 'Event id', placeholder: 'evt_…' },
          { name: 'status', label: 'Status', kind: 'select', options: DELIVERY_STATUSES.map((status) => ({ value: status, label: status })) },
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
  return (
    <details className="attempt" open={open}>
      <summary>
        <span className="attempt-number">Attempt {number}</span> <AttemptOutcome attempt={attempt} /> <span className="muted">· {formatTime(attempt.startedAt)}</span>
      </summary>
      <div className="attempt-body">
        <div>
          <h4>Request headers</h4>
          <KeyValueTable values={attempt.requestHeaders} />
        </div>
        <div>
          <h4>Response headers</h4>
          <KeyValueTable values={attempt.responseHeaders} empty={attempt.error ? `No response: ${attempt.error}` : 'None'} />
          <h4>Response body</h4>
          {attempt.responseBody ? <Pre label="Response body">{prettyBody(attempt.responseBody)}</Pre> : <p className="muted">Empty</p>}
        </div>
      </div>
    </details>
  );
}

export function DeliveryPage({ id }: { id: string }) {
  const { api } = useScope();
  const path = `/v1/deliveries/${encodeURIComponent(id)}`;
  const delivery = useLoad(() => api.get<Delivery>(path), [api, path]);
  const attempts = useLoad(() => api.get<Page<Attempt>>(`${path}/attempts`, { limit: 250 }), [api, path]);
  const retry = useAction(() => api.post<Delivery>(`${path}/retry`));
  const cancel = useAction(() => api.del(path));
  // After a retry, follow the delivery until its new attempt is recorded.
  const [following, setFollowing] = useState(false);
  useEffect(() => {
    if (!following) return;
    const startedWith = attempts.data?.data.length ?? 0;
    let rounds = 0;
    const timer = setInterval(async () => {
      rounds += 1;
      const [current, list] = await Promise.all([api.get<Delivery>(path), api.get<Page<Attempt>>(`${path}/attempts`, { limit: 250 })]).catch(() => [null, null] as const);
      if (current !== null && list !== null && ((list.data.length > startedWith && current.status !== 'sending') || rounds >= 40)) {
        delivery.set(current);
        attempts.set(list);
        setFollowing(false);
      }
    }, 500);
    return () => clearInterval(timer);
  }, [following]);

  if (delivery.error) return <ErrorBanner error={delivery.error} title="This delivery could not be loaded" />;
  if (delivery.data === null) return <Loading />;
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
            <StatusBadge status={d.status} /> <span className="mono">{d.eventType}</span> to <span className="mono break">{d.url}</span>
          </>
        }
        actions={
          <>
            <Button
              kind="primary"
              busy={retry.busy || following}
              disabled={d.status === 'sending'}
              onClick={async () => {
                const updated = await retry.run();
                if (updated) {
                  delivery.set(updated);
                  setFollowing(true);
                }
              }}
            >
              {following ? 'Retrying…' : 'Retry now'}
            </Button>
            {d.status === 'pending' && (
              <ConfirmButton
                label="Cancel delivery"
                confirm="Cancel this delivery?"
                busy={cancel.busy}
                onConfirm={async () => {
                  if ((await cancel.run()) !== null) delivery.reload();
                }}
              />
            )}
          </>
        }
      />
      <ErrorBanner error={retry.error ?? cancel.error} />
      {following && <Notice>A new attempt is on its way…</Notice>}
      <Card title="Summary">
        <Details
          items={[
            ['Event', <Link to={`/events/${d.eventId}`} className="mono">{d.eventId}</Link>],
            ['Endpoint', d.endpointId === null ? <span className="muted">the event's callbackUrl</span> : <Link to={`/endpoints/${d.endpointId}`} className="mono">{d.endpointId}</Link>],
            ['Attempts', String(d.attempts)],
            ['Last result', lastResult(d)],
            ['Next attempt', d.nextAttemptAt ? <Time iso={d.nextAttemptAt} /> : '—'],
            ['Created', formatTime(d.createdAt)],
            ['Completed', formatTime(d.completedAt)],
            ['Correlation id', d.correlationId ? <span className="mono">{d.correlationId}</span> : '—'],
          ]}
        />
      </Card>
      <Card title={`Attempts (${list.length})`}>
        <ErrorBanner error={attempts.error} />
        {attempts.data === null ? (
          <Loading />
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
