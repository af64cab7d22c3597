import type { Endpoint } from '@hookd/sdk/client';
import { EndpointLabel } from '../components/EndpointName.js';
import { Filters } from '../components/Filters.js';
import { PagedResults } from '../components/PagedResults.js';
import { destinationLabel } from '../components/BrokerTarget.js';
import { Badge, PageHeader, rowOpener, Time } from '../components/ui.js';
import { usePagedList } from '../paged-list.js';
import { endpointQueries } from '../queries.js';
import { Link, useNavigate, useSearch } from '../router.js';
import { useScope } from '../scope.js';

// The list of endpoints: an admin's across every account (and provider-level ones), a portal
// user's of their own account only (the API confines account keys; see src/api/scope.ts).

export function EndpointStatus({ endpoint }: { endpoint: Endpoint }) {
  if (endpoint.active) return <Badge tone="success">active</Badge>;
  return (
    <Badge tone={endpoint.disabledReason?.startsWith('auto') ? 'danger' : 'neutral'} title={endpoint.disabledReason ?? undefined}>
      {endpoint.disabledReason?.startsWith('auto') ? 'auto-disabled' : 'disabled'}
    </Badge>
  );
}

export function eventTypesText(types: string[]): string {
  if (types.length === 0 || types.includes('*')) return 'all events';
  return types.length <= 3 ? types.join(', ') : `${types.slice(0, 3).join(', ')} +${types.length - 3}`;
}

export function EndpointsPage() {
  const { hookd, admin } = useScope();
  const [search] = useSearch();
  const navigate = useNavigate();
  const list = usePagedList(
    endpointQueries.list(hookd, {
      limit: 50,
      accountId: admin ? search.accountId : undefined,
      eventType: search.eventType,
      active: search.active === undefined || search.active === '' ? undefined : search.active === 'true',
    }),
  );
  return (
    <>
      <PageHeader
        title="Endpoints"
        subtitle={admin ? 'Where events are delivered: each account\'s endpoints and your provider-level ones.' : 'Where your events are delivered.'}
        actions={
          <Link to="/endpoints/new" className="btn btn-primary">
            New endpoint
          </Link>
        }
      />
      <Filters
        specs={[
          ...(admin ? [{ name: 'accountId', label: 'Account', placeholder: 'acme' }] : []),
          { name: 'eventType', label: 'Event type', placeholder: 'invoice.paid' },
          {
            name: 'active',
            label: 'Status',
            kind: 'select' as const,
            options: [
              { value: 'true', label: 'Active' },
              { value: 'false', label: 'Disabled' },
            ],
          },
        ]}
      />
      <PagedResults
        list={list}
        failure="Endpoints could not be loaded"
        empty={
          <>
            <p>No endpoints yet.</p>
            <Link to="/endpoints/new" className="btn btn-primary">
              Add an endpoint
            </Link>
          </>
        }
      >
        {(items) => (
          <div className="table-wrap">
            <table className="table clickable" data-testid="endpoints-table">
              <thead>
                <tr>
                  <th scope="col">Endpoint</th>
                  {admin && <th scope="col">Account</th>}
                  <th scope="col">Events</th>
                  <th scope="col">Sends</th>
                  <th scope="col">Status</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {items.map((endpoint) => (
                  <tr key={endpoint.id} onClick={rowOpener(() => navigate(`/endpoints/${endpoint.id}`))}>
                    <td>
                      <EndpointLabel endpoint={endpoint} />
                    </td>
                    {admin && <td>{endpoint.accountId === null ? <Badge tone="accent">provider-level</Badge> : <span className="mono">{endpoint.accountId}</span>}</td>}
                    <td className="small">{eventTypesText(endpoint.eventTypes)}</td>
                    <td>
                      <Badge tone="neutral">{destinationLabel(endpoint)}</Badge>
                    </td>
                    <td>
                      <EndpointStatus endpoint={endpoint} />
                    </td>
                    <td className="nowrap">
                      <Time iso={endpoint.createdAt} />
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
