import type { EventType, EventTypeParameter } from '@hookd/sdk/client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Filters } from '../components/Filters.js';
import { PagedResults } from '../components/PagedResults.js';
import { Badge, Button, Card, ConfirmButton, Details, ErrorBanner, Loading, PageHeader, Pre, rowOpener } from '../components/ui.js';
import { formatTime, prettyJson } from '../format.js';
import { usePagedList } from '../paged-list.js';
import { visibleToCustomers } from '../catalog.js';
import { usePortalSettings } from '../portal-settings.js';
import { eventTypeQueries } from '../queries.js';
import { Link, useNavigate, useSearch } from '../router.js';
import { useScope } from '../scope.js';
import { EventTypeForm } from './EventTypeForm.js';

// The event catalog: what a provider sends, with each type's schema, examples and the payload
// fields templates may use. Admins write it; everyone (the portal included) reads it.

export function CatalogPage() {
  const { hookd, admin } = useScope();
  const [search] = useSearch();
  const navigate = useNavigate();
  const portal = usePortalSettings();
  const all = usePagedList(eventTypeQueries.list(hookd, { limit: 100, category: search.category, includeArchived: admin && search.archived === 'true' ? true : undefined }));
  // The portal lists only the types the operator shows customers (never hookd's own by default).
  const list = portal === null || all.items === null ? all : { ...all, items: all.items.filter((type) => visibleToCustomers(portal.eventTypes, type.name)) };
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
  const { hookd, admin } = useScope();
  const queryClient = useQueryClient();
  const portal = usePortalSettings();
  const type = useQuery({ ...eventTypeQueries.detail(hookd, name), enabled: portal === null || visibleToCustomers(portal.eventTypes, name) });
  const [editing, setEditing] = useState(false);
  const changed = () => queryClient.invalidateQueries({ queryKey: ['event-types'] });
  const archive = useMutation({ mutationFn: () => hookd.eventTypes.archive(name), onSuccess: changed });
  const restore = useMutation({
    mutationFn: (current: EventType) =>
      hookd.eventTypes.update(name, { description: current.description, category: current.category, schema: current.schema, examples: current.examples, parameters: current.parameters, archived: false }),
    onSuccess: changed,
  });
  if (portal !== null && !visibleToCustomers(portal.eventTypes, name)) return <ErrorBanner error={new Error(`there is no event type ${name}`)} title="This event type could not be loaded" />;
  if (type.error) return <ErrorBanner error={type.error} title="This event type could not be loaded" />;
  if (type.data === undefined) return <Loading />;
  const t = type.data;
  const editable = admin && !t.builtIn;
  if (editing) {
    return (
      <>
        <PageHeader title={<>Edit <span className="mono">{t.name}</span></>} />
        <EventTypeForm
          existing={t}
          onSaved={() => setEditing(false)}
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
                <Button busy={restore.isPending} onClick={() => restore.mutate(t)}>
                  Restore
                </Button>
              ) : (
                <ConfirmButton
                  label="Archive"
                  confirm="Archive it? New events of this type will be refused."
                  busy={archive.isPending}
                  onConfirm={() => archive.mutate()}
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
