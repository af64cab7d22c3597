import type { PreviewInput } from '@hookd/sdk/client';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useEffectEvent } from 'react';
import { errorMessage } from '../client.js';
import { BrokerTarget } from '../components/BrokerTarget.js';
import { KeyValueTable, Loading } from '../components/ui.js';
import { useDebounced } from '../debounce.js';
import { useScope } from '../scope.js';
import type { Problem } from './form-model.js';
import { problemsFromError } from './url-refusal.js';

// The exact request hookd would send for the definition being edited, from
// POST /v1/endpoints/preview, refreshed shortly after every change. A newer definition cancels the
// request for the older one; going back to a definition already previewed answers from the cache.

const DEBOUNCE_MS = 300;

export function PreviewPanel({
  definition,
  problems,
  eventType,
  eventTypes,
  onEventType,
  payloadText,
  onPayloadText,
  onServerProblems,
}: {
  definition: Record<string, unknown>;
  problems: Problem[];
  eventType: string | null;
  eventTypes: string[];
  onEventType: (type: string) => void;
  payloadText: string;
  onPayloadText: (text: string) => void;
  /** The preview validates like a save: its complaints are shown at the fields. */
  onServerProblems: (problems: Problem[]) => void;
}) {
  const { hookd, admin } = useScope();
  let payload: unknown;
  let payloadError: string | null = null;
  if (payloadText.trim() !== '') {
    try {
      payload = JSON.parse(payloadText);
    } catch (error) {
      payloadError = 'The payload is not valid JSON: ' + (error as Error).message;
    }
  }
  const url = typeof definition.url === 'string' ? definition.url : '';
  const ready = problems.length === 0 && payloadError === null && url !== '';
  const request = ready ? JSON.stringify({ endpoint: definition, eventType: eventType ?? undefined, payload }) : null;
  const settled = useDebounced(request, DEBOUNCE_MS);
  const preview = useQuery({
    queryKey: ['preview', settled],
    queryFn: ({ signal }) => hookd.endpoints.preview(JSON.parse(settled!) as PreviewInput, { signal }),
    enabled: settled !== null,
    placeholderData: keepPreviousData,
    retry: false,
    // A preview is not about state on the server that changes: no need to ask again on focus.
    staleTime: Infinity,
  });
  const state = { preview: preview.data ?? null, error: preview.isPlaceholderData ? null : preview.error, loading: preview.isFetching };

  // Reported when an answer settles, not whenever the parent hands a new callback.
  const reportServerProblems = useEffectEvent((error: unknown) => onServerProblems(problemsFromError(error, { admin, prefix: '/endpoint' })));
  useEffect(() => {
    if (settled === null || preview.isFetching) return;
    reportServerProblems(preview.error);
  }, [settled, preview.error, preview.isFetching]);

  const stale = request !== settled || state.loading;
  return (
    <section className="preview" aria-labelledby="preview-title">
      <div className="preview-head">
        <h3 id="preview-title">Live preview</h3>
        {stale && ready && <span className="muted small">updating…</span>}
      </div>
      <div className="preview-controls">
        <label>
          <span>Event type</span>
          <select value={eventType ?? ''} onChange={(event) => onEventType(event.target.value)} disabled={eventTypes.length === 0}>
            {eventTypes.length === 0 && <option value="">{admin ? 'hookd.ping' : 'test ping'}</option>}
            {eventTypes.map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </select>
        </label>
        <label className="grow">
          <span>Payload (JSON; empty: the type's first example)</span>
          <textarea className="mono" rows={3} value={payloadText} onChange={(event) => onPayloadText(event.target.value)} spellCheck={false} />
        </label>
      </div>
      <div aria-live="polite" data-testid="preview">
        {!ready ? (
          <p className="muted">{url === '' ? 'Enter a URL to see the request.' : payloadError ?? 'Fix the highlighted fields to see the request.'}</p>
        ) : state.error !== null && !stale ? (
          <p className="field-error">{errorMessage(state.error)}</p>
        ) : state.preview === null ? (
          <Loading what="Building the request" />
        ) : (
          <div className={stale ? 'preview-body stale' : 'preview-body'}>
            <p className="request-line mono" data-testid="preview-request-line">
              <strong>{state.preview.method}</strong> <span className="break">{state.preview.url}</span>
            </p>
            {state.preview.destination !== undefined && (
              <BrokerTarget parts={{ type: state.preview.destination.type, exchange: state.preview.destination.exchange ?? null, target: state.preview.destination.target }} />
            )}
            <h4>Headers</h4>
            <KeyValueTable values={state.preview.headers} />
            <h4>Body</h4>
            {state.preview.body === null ? <p className="muted">No body ({state.preview.method}).</p> : <pre className="pre" data-testid="preview-body">{state.preview.body}</pre>}
          </div>
        )}
      </div>
    </section>
  );
}
