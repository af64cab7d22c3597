import { HookdError, type Endpoint } from '@hookd/sdk/client';
import { useQuery } from '@tanstack/react-query';
import { endpointQueries } from '../queries.js';
import { Link } from '../router.js';
import { useScope } from '../scope.js';

// An endpoint is known by its title; its URL is the second line, and an untitled endpoint shows its
// id there, so two endpoints with the same URL never look alike.

export function endpointLabel(endpoint: Pick<Endpoint, 'title' | 'url'>): string {
  return endpoint.title.trim() !== '' ? endpoint.title : endpoint.url;
}

export function EndpointLabel({ endpoint, link = true }: { endpoint: Pick<Endpoint, 'id' | 'title' | 'url'>; link?: boolean }) {
  const titled = endpoint.title.trim() !== '';
  return (
    <span className="endpoint-name">
      {link ? (
        <Link to={`/endpoints/${endpoint.id}`} className="row-title">
          {endpointLabel(endpoint)}
        </Link>
      ) : (
        <span className="row-title">{endpointLabel(endpoint)}</span>
      )}
      <span className="mono muted small break endpoint-second-line">{titled ? endpoint.url : endpoint.id}</span>
    </span>
  );
}

/**
 * The endpoint a delivery went to, by title. Every row naming the same endpoint shares one cached
 * request; a deleted endpoint (404) falls back to the URL the delivery recorded.
 */
export function DeliveryEndpoint({ endpointId, url }: { endpointId: string | null; url: string }) {
  const { hookd } = useScope();
  const endpoint = useQuery({ ...endpointQueries.detail(hookd, endpointId ?? ''), enabled: endpointId !== null, staleTime: 60_000 });
  if (endpointId === null) {
    return (
      <span className="endpoint-name">
        <span className="muted">callback</span>
        <span className="mono muted small break endpoint-second-line">{url}</span>
      </span>
    );
  }
  if (endpoint.data !== undefined) return <EndpointLabel endpoint={endpoint.data} />;
  return (
    <span className="endpoint-name">
      <Link to={`/endpoints/${endpointId}`} className="mono break">
        {url}
      </Link>
      {endpoint.error instanceof HookdError && endpoint.error.status === 404 && <span className="muted small endpoint-second-line">endpoint deleted</span>}
    </span>
  );
}
