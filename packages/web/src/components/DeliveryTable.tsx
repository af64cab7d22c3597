import type { Delivery } from '@hookd/sdk/client';
import { isBrokerUrl } from './BrokerTarget.js';
import { Link, useNavigate } from '../router.js';
import { DeliveryEndpoint } from './EndpointName.js';
import { rowOpener, StatusBadge, Time } from './ui.js';

// Deliveries as a table, wherever they are listed: the deliveries page, an endpoint, an event.

export function lastResult(delivery: Pick<Delivery, 'lastStatusCode' | 'lastError' | 'url'>): string {
  // A broker's acknowledgement is recorded as 202: said as what it is.
  if (delivery.lastStatusCode === 202 && isBrokerUrl(delivery.url)) return 'acknowledged';
  if (delivery.lastStatusCode !== null) return `HTTP ${delivery.lastStatusCode}${delivery.lastError ? ` (${delivery.lastError})` : ''}`;
  return delivery.lastError ?? '—';
}

export function DeliveryTable({ deliveries, showEndpoint = true, testId }: { deliveries: Delivery[]; showEndpoint?: boolean; testId?: string }) {
  const navigate = useNavigate();
  return (
    <div className="table-wrap">
      <table className="table clickable" data-testid={testId}>
        <thead>
          <tr>
            <th scope="col">Delivery</th>
            <th scope="col">Event type</th>
            {showEndpoint && <th scope="col">Endpoint</th>}
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Last result</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((delivery) => (
            <tr key={delivery.id} onClick={rowOpener(() => navigate(`/deliveries/${delivery.id}`))}>
              <td>
                <Link to={`/deliveries/${delivery.id}`} className="mono">
                  {delivery.id}
                </Link>
              </td>
              <td className="mono small">{delivery.eventType}</td>
              {showEndpoint && (
                <td className="small">
                  <DeliveryEndpoint endpointId={delivery.endpointId} url={delivery.url} />
                </td>
              )}
              <td>
                <StatusBadge status={delivery.status} />
                {delivery.status === 'pending' && delivery.blockedBy !== null && (
                  <span className="small" title={`Waits for ${delivery.blockedBy}, the delivery before it in its ordering key`}>
                    {' '}
                    waiting
                  </span>
                )}
              </td>
              <td className="num">{delivery.attempts}</td>
              <td className="small">{lastResult(delivery)}</td>
              <td className="nowrap">
                <Time iso={delivery.createdAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
