import type { EventType, EventTypeParameter, Page } from '@hookd/sdk/client';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api.js';
import { Filters } from '../components/Filters.js';
import { PagedResults } from '../components/PagedResults.js';
import { Badge, Button, Card, ConfirmButton, Details, ErrorBanner, Field, Loading, PageHeader, Pre, rowOpener } from '../components/ui.js';
import { formatTime, prettyJson } from '../format.js';
import { useAction, useLoad, usePaged } from '../hooks.js';
import { Link, useNavigate, useSearch } from '../router.js';
import { useScope } from '../scope.js';

// The event catalog: what a provider sends, with each type's schema, examples and the payload
// fields templates may use. Admins write it; everyone (the portal included) reads it.

export function CatalogPage() {
  const { api, admin } = useScope();
  const [search] = useSearch();
  const navigate = useNavigate();
  const list = usePaged(
    (cursor) => api.get<Page<EventType>>('/v1/event-types', { limit: 100, cursor, category: search.category, includeArchived: admin && search.archived === 'true' ? true : undefined }),
    [api, admin, search.category, search.archived],
  );
  return (
    <>
      <PageHeader
        title="Event catalog"
        subtitle={admin ? 'The events you send. Endpoints subscribe to them; templates use their parameters.' : 'The events you can subscribe your endpoints to.'}
        actions={
          admin && (
            <Link to="/catalog/new" className="btn btn-primary">
              New event type
            </Link>
          )
        }
      />
      <Filters
        specs={[
          { name: 'category', label: 'Category' },
          ...(admin
            ? [
                {
                  name: 'archived',
                  label: 'Archived',
                  kind: 'select' as const,
                  options: [{ value: 'true', label: 'Include archived' }],
                },
              ]
            : []),
        ]}
      />
      <PagedResults list={list} failure="The catalog could not be loaded" empty="The catalog is empty.">
        {(items) => (
          <div className="table-wrap">
            <table className="table clickable" data-testid="catalog-table">
              <thead>
                <tr>
                  <th scope="col">Event type</th>
                  <th scope="col">Description</th>
                  <th scope="col">Category</th>
                  <th scope="col">Parameters</th>
                </tr>
              </thead>
              <tbody>
                {items.map((type) => (
                  <tr key={type.name} onClick={rowOpener(() => navigate(`/catalog/${encodeURIComponent(type.name)}`))}>
                    <td>
                      <Link to={`/catalog/${encodeURIComponent(type.name)}`} className="mono">
                        {type.name}
                      </Link>{' '}
                      {type.archived && <Badge tone="neutral">archived</Badge>} {type.builtIn && <Badge tone="accent">built in</Badge>}
                    </td>
                    <td className="small">{type.description || <span className="muted">—</span>}</td>
                    <td className="small">{type.category ?? <span className="muted">—</span>}</td>
                    <td className="num">{type.parameters.length}</td>
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

function ParameterTable({ parameters }: { parameters: EventTypeParameter[] }) {
  if (parameters.length === 0) return <p className="muted">None listed.</p>;
  return (
    <table className="table table-compact" data-testid="parameters">
      <thead>
        <tr>
          <th scope="col">Path</th>
          <th scope="col">Type</th>
          <th scope="col">Description</th>
        </tr>
      </thead>
      <tbody>
        {parameters.map((parameter) => (
          <tr key={parameter.path}>
            <td className="mono">{parameter.path}</td>
            <td className="small">{parameter.type}</td>
            <td className="small">{parameter.description}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function EventTypePage({ name }: { name: string }) {
  const { api, admin } = useScope();
  const path = `/v1/event-types/${encodeURIComponent(name)}`;
  const type = useLoad(() => api.get<EventType>(path), [api, path]);
  const [editing, setEditing] = useState(false);
  const archive = useAction(() => api.del(path));
  const restore = useAction((current: EventType) =>
    api.put<EventType>(path, { description: current.description, category: current.category, schema: current.schema, examples: current.examples, parameters: current.parameters, archived: false }),
  );
  if (type.error) return <ErrorBanner error={type.error} title="This event type could not be loaded" />;
  if (type.data === null) return <Loading />;
  const t = type.data;
  const editable = admin && !t.builtIn;
  if (editing) {
    return (
      <>
        <PageHeader title={<>Edit <span className="mono">{t.name}</span></>} />
        <EventTypeForm
          existing={t}
          onSaved={(saved) => {
            type.set(saved);
            setEditing(false);
          }}
          onCancel={() => setEditing(false)}
        />
      </>
    );
  }
  return (
    <>
      <PageHeader
        title={<span className="mono">{t.name}</span>}
        subtitle={
          <>
            {t.description || 'No description.'} {t.archived && <Badge tone="neutral">archived</Badge>} {t.builtIn && <Badge tone="accent">built in</Badge>}
          </>
        }
        actions={
          editable && (
            <>
              <Button kind="primary" onClick={() => setEditing(true)}>
                Edit
              </Button>
              {t.archived ? (
                <Button
                  busy={restore.busy}
                  onClick={async () => {
                    const restored = await restore.run(t);
                    if (restored) type.set(restored);
                  }}
                >
                  Restore
                </Button>
              ) : (
                <ConfirmButton
                  label="Archive"
                  confirm="Archive it? New events of this type will be refused."
                  busy={archive.busy}
                  onConfirm={async () => {
                    if ((await archive.run()) !== null) type.reload();
                  }}
                />
              )}
            </>
          )
        }
      />
      <ErrorBanner error={archive.error ?? restore.error} />
      <Card title="Overview">
        <Details
          items={[
            ['Category', t.category ?? '—'],
            ['Updated', formatTime(t.updatedAt)],
          ]}
        />
        <h3>Parameters</h3>
        <p className="hint">The payload fields templates may use, as {'{{data.path}}'}.</p>
        <ParameterTable parameters={t.parameters} />
      </Card>
      <div className="grid-2 cards">
        <Card title="Examples">{t.examples.length === 0 ? <p className="muted">None.</p> : t.examples.map((example, i) => <Pre key={i} label={`Example ${i + 1}`}>{prettyJson(example)}</Pre>)}</Card>
        <Card title="Schema">{t.schema === null ? <p className="muted">No schema: any payload is accepted.</p> : <Pre label="JSON Schema">{prettyJson(t.schema)}</Pre>}</Card>
      </div>
    </>
  );
}

export function EventTypeNewPage() {
  const navigate = useNavigate();
  return (
    <>
      <PageHeader title="New event type" />
      <EventTypeForm existing={null} onSaved={(saved) => navigate(`/catalog/${encodeURIComponent(saved.name)}`)} onCancel={() => navigate('/catalog')} />
    </>
  );
}

function parseJsonField(text: string, field: string, problems: Record<string, string>): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    problems[field] = 'is not valid JSON: ' + (error as Error).message;
    return undefined;
  }
}

function EventTypeForm({ existing, onSaved, onCancel }: { existing: EventType | null; onSaved: (saved: EventType) => void; onCancel: () => void }) {
  const { api } = useScope();
  const [name, setName] = useState(existing?.name ?? '');
  const [description, setDescription] = useState(existing?.description ?? '');
  const [category, setCategory] = useState(existing?.category ?? '');
  const [schema, setSchema] = useState(existing?.schema ? prettyJson(existing.schema) : '');
  const [examples, setExamples] = useState(existing && existing.examples.length > 0 ? prettyJson(existing.examples) : '');
  const [derive, setDerive] = useState(existing === null);
  const [parameters, setParameters] = useState<EventTypeParameter[]>(existing?.parameters ?? []);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    const body: Record<string, unknown> = { description, category: category.trim() === '' ? null : category.trim() };
    const parsedSchema = parseJsonField(schema, '/schema', found);
    body.schema = parsedSchema ?? null;
    const parsedExamples = parseJsonField(examples, '/examples', found);
    if (parsedExamples !== undefined && !Array.isArray(parsedExamples)) found['/examples'] = 'must be a JSON array of example payloads';
    body.examples = Array.isArray(parsedExamples) ? parsedExamples : [];
    if (!derive) body.parameters = parameters.filter((p) => p.path.trim() !== '');
    if (existing === null) body.name = name.trim();
    setProblems(found);
    setError(null);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      onSaved(existing === null ? await api.post<EventType>('/v1/event-types', body) : await api.put<EventType>(`/v1/event-types/${encodeURIComponent(existing.name)}`, { ...body, archived: existing.archived }));
    } catch (failure) {
      setError(failure);
      if (failure instanceof ApiError) setProblems(Object.fromEntries(failure.details.map((d) => [d.field.replace(/^(\/examples)\/\d+.*/, '$1').replace(/^(\/parameters)\/.*/, '$1'), d.message])));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="stack narrow" onSubmit={submit} noValidate>
      <ErrorBanner error={error} title="Not saved" />
      <Card>
        <div className="grid-2">
          {existing === null && (
            <Field label="Name" error={problems['/name']} hint="Letters, digits, _ . - — e.g. invoice.paid">
              {(id, described) => <input id={id} aria-describedby={described} className="mono" required value={name} onChange={(e) => setName(e.target.value)} />}
            </Field>
          )}
          <Field label="Category" error={problems['/category']}>
            {(id) => <input id={id} value={category} onChange={(e) => setCategory(e.target.value)} placeholder="billing" />}
          </Field>
          <Field label="Description" error={problems['/description']} className="span-2">
            {(id) => <input id={id} value={description} onChange={(e) => setDescription(e.target.value)} />}
          </Field>
          <Field label="JSON Schema of the payload (optional)" error={problems['/schema']} hint="When set, events of this type are validated on ingest." className="span-2">
            {(id, described) => <textarea id={id} aria-describedby={described} className="mono" rows={8} spellCheck={false} value={schema} onChange={(e) => setSchema(e.target.value)} placeholder='{"type": "object", "properties": {"invoiceId": {"type": "string"}}}' />}
          </Field>
          <Field label="Examples (a JSON array of payloads)" error={problems['/examples']} hint="The first one is sent by endpoint tests and used by previews." className="span-2">
            {(id, described) => <textarea id={id} aria-describedby={described} className="mono" rows={6} spellCheck={false} value={examples} onChange={(e) => setExamples(e.target.value)} placeholder='[{"invoiceId": "inv_42", "amount": 1999}]' />}
          </Field>
        </div>
      </Card>
      <Card title="Parameters">
        <label className="checkbox-item">
          <input type="checkbox" checked={derive} onChange={(e) => setDerive(e.target.checked)} /> Derive them from the schema, or else the first example
        </label>
        {!derive && (
          <fieldset className={`kv-editor ${problems['/parameters'] ? 'field-invalid' : ''}`}>
            <legend>Parameters</legend>
            {parameters.map((parameter, index) => (
              <div className="kv-row kv-row-3" key={index}>
                <input aria-label={`Parameter ${index + 1} path`} className="mono" placeholder="call.from" value={parameter.path} onChange={(e) => setParameters(parameters.map((p, i) => (i === index ? { ...p, path: e.target.value } : p)))} />
                <input aria-label={`Parameter ${index + 1} type`} placeholder="string" value={parameter.type} onChange={(e) => setParameters(parameters.map((p, i) => (i === index ? { ...p, type: e.target.value } : p)))} />
                <input aria-label={`Parameter ${index + 1} description`} placeholder="who called" value={parameter.description} onChange={(e) => setParameters(parameters.map((p, i) => (i === index ? { ...p, description: e.target.value } : p)))} />
                <Button kind="ghost" aria-label={`Remove parameter ${index + 1}`} onClick={() => setParameters(parameters.filter((_, i) => i !== index))}>
                  ✕
                </Button>
              </div>
            ))}
            <Button kind="ghost" className="add-row" onClick={() => setParameters([...parameters, { path: '', type: 'string', description: '' }])}>
              + Add parameter
            </Button>
            {problems['/parameters'] && <p className="field-error">{problems['/parameters']}</p>}
          </fieldset>
        )}
      </Card>
      <div className="form-actions">
        <Button kind="primary" type="submit" busy={busy}>
          {existing === null ? 'Create event type' : 'Save changes'}
        </Button>
        <Button kind="ghost" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
