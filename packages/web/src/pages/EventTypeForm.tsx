import type { CreateEventTypeInput, EventType, EventTypeParameter, UpdateEventTypeInput } from '@hookd/sdk/client';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { fieldProblems } from '../client.js';
import { Button, Card, ErrorBanner, Field } from '../components/ui.js';
import { prettyJson } from '../format.js';
import { useScope } from '../scope.js';

// Creating or editing a catalog type: its description, schema, examples and parameters (given, or
// derived by the server from the schema or the first example).

function parseJsonField(text: string, field: string, problems: Record<string, string>): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    problems[field] = 'is not valid JSON: ' + (error as Error).message;
    return undefined;
  }
}

export function EventTypeForm({ existing, onSaved, onCancel }: { existing: EventType | null; onSaved: (saved: EventType) => void; onCancel: () => void }) {
  const { hookd } = useScope();
  const queryClient = useQueryClient();
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
      const saved =
        existing === null
          ? await hookd.eventTypes.create(body as CreateEventTypeInput)
          : await hookd.eventTypes.update(existing.name, { ...body, archived: existing.archived } as UpdateEventTypeInput);
      queryClient.setQueryData(['event-types', 'detail', saved.name], saved);
      await queryClient.invalidateQueries({ queryKey: ['event-types'] });
      onSaved(saved);
    } catch (failure) {
      setError(failure);
      setProblems(Object.fromEntries(fieldProblems(failure).map((d) => [d.field.replace(/^(\/examples)\/\d+.*/, '$1').replace(/^(\/parameters)\/.*/, '$1'), d.message])));
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
