import type { OperationStatus } from '@hookd/sdk/client';
import { useQuery } from '@tanstack/react-query';
import { DeliveryTable } from '../components/DeliveryTable.js';
import { Filters } from '../components/Filters.js';
import { PagedResults } from '../components/PagedResults.js';
import { Badge, Button, Card, Details, Empty, ErrorBanner, Loading, PageHeader, Pre, rowOpener, StatusBadge, Time } from '../components/ui.js';
import { formatTime, prettyJson } from '../format.js';
import { pollInterval } from '../live.js';
import { usePagedList } from '../paged-list.js';
import { operationQueries } from '../queries.js';
import { Link, useNavigate, useSearch } from '../router.js';
import { useScope } from '../scope.js';

// Long-running actions with a protocol number (seed 000): their status, and the webhooks sent
// when they completed or timed out.

const OPERATION_STATUSES: OperationStatus[] = ['pending', 'succeeded', 'failed', 'timed_out'];

export function OperationsPage() {
  const { hookd } = useScope();
  const [search] = useSearch();
  const navigate = useNavigate();
  const status = OPERATION_STATUSES.find((s) => s === search.status);
  const list = usePagedList(operationQueries.list(hookd, { limit: 50, status, type: search.type, accountId: search.accountId }));
  return (
    <>
      <PageHeader title="Operations" subtitle="Actions that answer with a protocol number at once and a webhook when they end." actions={<Button onClick={list.refresh}>Refresh</Button>} />
      <Filters
        specs={[
          { name: 'status', label: 'Status', kind: 'select', options: OPERATION_STATUSES.map((status) => ({ value: status, label: status.replace('_', ' ') })) },
          { name: 'type', label: 'Type', placeholder: 'device.reboot' },
          { name: 'accountId', label: 'Account' },
        ]}
      />
      <PagedResults list={list} failure="Operations could not be loaded" empty="No operations match.">
        {(items) => (
          <div className="table-wrap">
            <table className="table clickable" data-testid="operations-table">
              <thead>
                <tr>
                  <th scope="col">Protocol</th>
                  <th scope="col">Type</th>
                  <th scope="col">Subject</th>
                  <th scope="col">Account</th>
                  <th scope="col">Status</th>
                  <th scope="col">Requested</th>
                  <th scope="col">Expires</th>
                </tr>
              </thead>
              <tbody>
                {items.map((operation) => (
                  <tr key={operation.protocol} onClick={rowOpener(() => navigate(`/operations/${operation.protocol}`))}>
                    <td>
                      <Link to={`/operations/${operation.protocol}`} className="mono">
                        {operation.protocol}
                      </Link>
                    </td>
                    <td className="mono small">{operation.type}</td>
                    <td className="small">{operation.subject ?? <span className="muted">—</span>}</td>
                    <td className="mono small">{operation.accountId ?? <span className="muted">—</span>}</td>
                    <td>
                      <StatusBadge status={operation.status} /> {operation.late && <Badge tone="warning">late</Badge>}
                    </td>
                    <td className="nowrap">
                      <Time iso={operation.requestedAt} />
                    </td>
                    <td className="nowrap">
                      <Time iso={operation.expiresAt} />
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

export function OperationPage({ protocol }: { protocol: string }) {
  const { hookd } = useScope();
  // Followed while its webhooks are on their way.
  const operation = useQuery({ ...operationQueries.detail(hookd, protocol), refetchInterval: (query) => pollInterval(query.state.data?.deliveries ?? []) });
  if (operation.error) return <ErrorBanner error={operation.error} title="This operation could not be loaded" />;
  if (operation.data === undefined) return <Loading />;
  const op = operation.data;
  return (
    <>
      <PageHeader
        title={
          <>
            Operation <span className="mono">{op.protocol}</span>
          </>
        }
        subtitle={
          <>
            <StatusBadge status={op.status} /> {op.late && <Badge tone="warning">completed late</Badge>} <span className="mono">{op.type}</span>
            {op.subject && <> · {op.subject}</>}
          </>
        }
        actions={<Button onClick={() => void operation.refetch()}>Refresh</Button>}
      />
      <Card title="Timeline">
        <Details
          items={[
            ['Account', op.accountId ?? '—'],
            ['Requested', formatTime(op.requestedAt)],
            ['Expires', formatTime(op.expiresAt)],
            ['Timed out', formatTime(op.timedOutAt)],
            ['Completed', formatTime(op.completedAt)],
            ['Callback URL', op.callbackUrl ? <span className="mono break">{op.callbackUrl}</span> : '—'],
            ['Events', <Link to={`/events?correlationId=${op.protocol}`}>events with this protocol</Link>],
          ]}
        />
        <div className="grid-2">
          <div>
            <h3>Request data</h3>
            <Pre>{prettyJson(op.data)}</Pre>
          </div>
          <div>
            <h3>Result</h3>
            <Pre>{prettyJson(op.result)}</Pre>
          </div>
        </div>
      </Card>
      <Card title={`Webhooks (${op.deliveries.length})`}>
        {op.deliveries.length === 0 ? <Empty>No webhook sent yet: one goes out when the operation completes or times out.</Empty> : <DeliveryTable deliveries={op.deliveries} />}
      </Card>
    </>
  );
}
