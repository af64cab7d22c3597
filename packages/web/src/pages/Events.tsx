import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { DeliveryTable } from '../components/DeliveryTable.js';
import { Filters } from '../components/Filters.js';
import { PagedResults } from '../components/PagedResults.js';
import { Button, Card, ConfirmButton, Details, Empty, ErrorBanner, Loading, Notice, PageHeader, Pre, rowOpener, Time } from '../components/ui.js';
import { formatTime, plural, prettyJson } from '../format.js';
import { pollInterval } from '../live.js';
import { usePagedList } from '../paged-list.js';
import { eventQueries, invalidateDeliveries } from '../queries.js';
import { Link, useNavigate, useSearch } from '../router.js';
import { useScope } from '../scope.js';

// Events as posted, searchable by type, account, correlation id and time; each with the
// deliveries it made, and a replay to the endpoints subscribed now.

export function EventsPage() {
  const { hookd, admin } = useScope();
  const [search] = useSearch();
  const navigate = useNavigate();
  const list = usePagedList(
    eventQueries.list(hookd, {
      limit: 50,
      type: search.type,
      accountId: admin ? search.accountId : undefined,
      correlationId: search.correlationId,
      since: search.since,
      until: search.until,
    }),
  );
  return (
    <>
      <PageHeader title="Events" subtitle="Everything posted to hookd, newest first." actions={<Button onClick={list.refresh}>Refresh</Button>} />
      <Filters
        specs={[
          { name: 'type', label: 'Type', placeholder: 'invoice.paid' },
          ...(admin ? [{ name: 'accountId', label: 'Account', placeholder: 'acme' }] : []),
          { name: 'correlationId', label: 'Correlation id' },
          { name: 'since', label: 'Since', kind: 'time' as const },
          { name: 'until', label: 'Until', kind: 'time' as const },
        ]}
      />
      <PagedResults list={list} failure="Events could not be loaded" empty="No events match.">
        {(items) => (
          <div className="table-wrap">
            <table className="table clickable" data-testid="events-table">
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">Type</th>
                  {admin && <th scope="col">Account</th>}
                  <th scope="col">Correlation id</th>
                  <th scope="col">Occurred</th>
                </tr>
              </thead>
              <tbody>
                {items.map((event) => (
                  <tr key={event.id} onClick={rowOpener(() => navigate(`/events/${encodeURIComponent(event.id)}`))}>
                    <td>
                      <Link to={`/events/${encodeURIComponent(event.id)}`} className="mono">
                        {event.id}
                      </Link>
                    </td>
                    <td className="mono small">{event.type}</td>
                    {admin && <td className="mono small">{event.accountId ?? <span className="muted">—</span>}</td>}
                    <td className="mono small">{event.correlationId ?? <span className="muted">—</span>}</td>
                    <td className="nowrap">
                      <Time iso={event.occurredAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </PagedResults>
    </>
  );
}

export function EventPage({ id }: { id: string }) {
  const { hookd, admin } = useScope();
  const queryClient = useQueryClient();
  // Followed while its deliveries are on their way: a replay's new ones go from pending to done here.
  const event = useQuery({ ...eventQueries.detail(hookd, id), refetchInterval: (query) => pollInterval(query.state.data?.deliveries ?? []) });
  const replay = useMutation({ mutationFn: () => hookd.events.replay(id, {}), onSuccess: () => invalidateDeliveries(queryClient) });
  if (event.error) return <ErrorBanner error={event.error} title="This event could not be loaded" />;
  if (event.data === undefined) return <Loading />;
  const e = event.data;
  return (
    <>
      <PageHeader
        title={
          <>
            Event <span className="mono">{e.id}</span>
          </>
        }
        subtitle={<span className="mono">{e.type}</span>}
        actions={
          <ConfirmButton
            label="Replay"
            kind="primary"
            confirm="Send this event again to the endpoints subscribed now?"
            busy={replay.isPending}
            onConfirm={() => replay.mutate()}
          />
        }
      />
      {replay.data && <Notice tone="success">Replayed as {plural(replay.data.deliveries.length, 'new delivery', 'new deliveries')}.</Notice>}
      <ErrorBanner error={replay.error} title="Not replayed" />
      <Card title="Event">
        <Details
          items={[
            ...(admin ? [['Account', e.accountId ?? '—'] as [string, string]] : []),
            ['Occurred', formatTime(e.occurredAt)],
            ['Received', formatTime(e.createdAt)],
            ['Correlation id', e.correlationId ?? '—'],
            ['Callback URL', e.callbackUrl ? <span className="mono break">{e.callbackUrl}</span> : '—'],
          ]}
        />
        <h3>Payload</h3>
        <Pre label="Payload">{prettyJson(e.payload)}</Pre>
      </Card>
      <Card title={`Deliveries (${e.deliveries.length})`}>
        {e.deliveries.length === 0 ? <Empty>No endpoint was subscribed to this event.</Empty> : <DeliveryTable deliveries={e.deliveries} testId="event-deliveries" />}
      </Card>
    </>
  );
}
