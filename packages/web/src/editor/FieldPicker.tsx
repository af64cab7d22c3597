import type { BodyFormat, EventTypeParameter } from '@hookd/sdk/client';

// KOMPaaS's "available parameters": the payload fields of the chosen event type, one click to use.
// In a json body a click adds the field to the body; otherwise it inserts a {{placeholder}} at the
// cursor of the last focused template (text body, header or query value, user parameter).

const CONTEXT: EventTypeParameter[] = [
  { path: 'event.id', type: 'string', description: 'the event id' },
  { path: 'event.type', type: 'string', description: 'the event type' },
  { path: 'event.occurredAt', type: 'string', description: 'when it happened (ISO)' },
  { path: 'event.accountId', type: 'string', description: 'the account' },
  { path: 'event.correlationId', type: 'string', description: 'the correlation id' },
  { path: 'endpoint.id', type: 'string', description: 'this endpoint' },
  { path: 'endpoint.title', type: 'string', description: 'its title' },
];

export function FieldPicker({
  eventType,
  parameters,
  bodyFormat,
  onInsert,
  onAddField,
  message,
}: {
  eventType: string | null;
  parameters: EventTypeParameter[];
  bodyFormat: BodyFormat;
  onInsert: (path: string) => void;
  onAddField: (path: string) => void;
  message: string | null;
}) {
  const json = bodyFormat === 'json';
  return (
    <section className="field-picker" aria-labelledby="field-picker-title">
      <h3 id="field-picker-title">
        Available parameters{eventType !== null && <span className="muted"> of <span className="mono">{eventType}</span></span>}
      </h3>
      <p className="hint">
        {json
          ? 'Click a parameter to add it to the JSON body; {{ }} inserts it as a placeholder at the cursor of the last template you edited.'
          : 'Click a parameter to insert it at the cursor of the last template you edited: the text body, a header, a query parameter.'}
      </p>
      {eventType === null ? (
        <p className="muted">Choose event types to see their parameters.</p>
      ) : parameters.length === 0 ? (
        <p className="muted">
          <span className="mono">{eventType}</span> lists no parameters.
        </p>
      ) : (
        <ul className="param-list" aria-label={`Parameters of ${eventType}`}>
          {parameters.map((parameter) => (
            <li key={parameter.path}>
              <button
                type="button"
                className="param"
                data-param={parameter.path}
                onClick={() => (json ? onAddField(parameter.path) : onInsert(`data.${parameter.path}`))}
                title={json ? `Add ${parameter.path} to the JSON body` : `Insert {{data.${parameter.path}}}`}
              >
                <span className="mono">{parameter.path}</span>
                <span className="param-type">{parameter.type}</span>
                {parameter.description && <span className="param-desc">{parameter.description}</span>}
              </button>
              {json && (
                <button type="button" className="param-insert" aria-label={`Insert {{data.${parameter.path}}} at the cursor`} onClick={() => onInsert(`data.${parameter.path}`)}>
                  {'{{ }}'}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <details className="context-params">
        <summary>Event and endpoint fields</summary>
        <ul className="param-list">
          {CONTEXT.map((parameter) => (
            <li key={parameter.path}>
              <button type="button" className="param" data-param={parameter.path} onClick={() => onInsert(parameter.path)} title={`Insert {{${parameter.path}}}`}>
                <span className="mono">{parameter.path}</span>
                <span className="param-desc">{parameter.description}</span>
              </button>
            </li>
          ))}
        </ul>
      </details>
      {message && (
        <p className="hint picker-message" role="status">
          {message}
        </p>
      )}
    </section>
  );
}
