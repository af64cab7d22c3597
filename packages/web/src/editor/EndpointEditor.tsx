import type { CreateEndpointInput, DestinationType, Endpoint, EndpointMethod, UpdateEndpointInput } from '@hookd/sdk/client';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { typesHeardBy } from '../catalog.js';
import { KeyValueEditor } from '../components/KeyValueEditor.js';
import { Button, ErrorBanner, Field } from '../components/ui.js';
import { prettyJson } from '../format.js';
import { endpointQueries } from '../queries.js';
import { useScope } from '../scope.js';
import { useCatalog } from '../use-catalog.js';
import { BodyFields } from './BodyFields.js';
import { BrokerFields, DESTINATION_OPTIONS, URL_PLACEHOLDER } from './BrokerFields.js';
import { AuthFields } from './AuthFields.js';
import { DeliveryFields } from './DeliveryFields.js';
import { EventTypePicker } from './EventTypePicker.js';
import { FieldPicker } from './FieldPicker.js';
import { definitionFromForm, emptyForm, formFromEndpoint, isBrokerType, problemAt, sentBodyFormat, shownProblems, type EndpointForm, type Problem } from './form-model.js';
import { addField, insertAt, placeholder } from './insert.js';
import { PreviewPanel } from './PreviewPanel.js';
import { problemsFromError } from './url-refusal.js';

// Every option of an endpoint, with the field picker and the live preview beside it. Used to
// create and to edit, by admins (any account, or provider-level) and in the portal (its account).

const METHODS: EndpointMethod[] = ['POST', 'PUT', 'PATCH', 'GET'];

const BROKER_URL_HINT = 'Its password goes in the field below: the URL is shown without it. The URL guard applies to the broker\'s host.';

/** Where the field picker inserts: the input last focused, and how to change its value. */
interface TemplateTarget {
  element: HTMLInputElement | HTMLTextAreaElement;
  apply: (value: string) => void;
}

export function EndpointEditor({ endpoint, onSaved, onCancel }: { endpoint: Endpoint | null; onSaved: (endpoint: Endpoint) => void; onCancel: () => void }) {
  const { hookd, admin } = useScope();
  const queryClient = useQueryClient();
  const creating = endpoint === null;
  const [form, setForm] = useState<EndpointForm>(() => (endpoint === null ? emptyForm() : formFromEndpoint(endpoint)));
  const [saveProblems, setSaveProblems] = useState<Problem[]>([]);
  const [previewProblems, setPreviewProblems] = useState<Problem[]>([]);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  // Problems show at an input once the user changed it and moved on, and everywhere after a submit.
  const [submitted, setSubmitted] = useState(false);
  const changed = useRef(new Set<keyof EndpointForm>());
  const [touched, setTouched] = useState<ReadonlySet<keyof EndpointForm>>(new Set());
  const urlInput = useRef<HTMLInputElement | null>(null);
  const scrollToUrl = useRef(false);
  const [chosenPreviewType, setPreviewType] = useState<string | null>(null);
  const [payloadText, setPayloadText] = useState('');
  const [pickerMessage, setPickerMessage] = useState<string | null>(null);
  const target = useRef<TemplateTarget | null>(null);
  const templateRef = useRef<HTMLTextAreaElement | null>(null);
  const catalog = useCatalog();

  const update = (patch: Partial<EndpointForm>) => {
    setForm((current) => ({ ...current, ...patch }));
    for (const key of Object.keys(patch) as Array<keyof EndpointForm>) changed.current.add(key);
    setSaveProblems([]);
  };
  const markTouched = () => {
    if ([...changed.current].every((key) => touched.has(key))) return;
    setTouched(new Set([...touched, ...changed.current]));
  };

  const { definition, problems: formProblems } = useMemo(() => definitionFromForm(form, { includeAccount: admin && creating }), [form, admin, creating]);
  const heard = useMemo(() => typesHeardBy(form.subscribeAll ? ['*'] : form.eventTypes, catalog.types), [form.subscribeAll, form.eventTypes, catalog.types]);
  // The type chosen for the preview while the endpoint still hears it, else the first it hears.
  const previewType = chosenPreviewType !== null && heard.includes(chosenPreviewType) ? chosenPreviewType : (heard[0] ?? null);
  const previewed = catalog.types.find((type) => type.name === previewType);
  const parameters = previewed?.parameters ?? [];
  const problems = [...shownProblems([...formProblems, ...previewProblems], touched, submitted), ...saveProblems];
  const problem = (field: string) => problemAt(problems, field);

  const track = (element: HTMLInputElement | HTMLTextAreaElement, apply: (value: string) => void) => {
    target.current = { element, apply };
    setPickerMessage(null);
  };

  const insert = (path: string) => {
    let into = target.current;
    if ((into === null || !into.element.isConnected) && sentBodyFormat(form) === 'text' && templateRef.current !== null) {
      into = { element: templateRef.current, apply: (template) => update({ template }) };
    }
    if (into === null || !into.element.isConnected) {
      setPickerMessage(
        isBrokerType(form.destinationType)
          ? 'Click into a header value, the routing key, subject or stream, or the text template first.'
          : 'Click into a header value, a query parameter value or the text template first.',
      );
      return;
    }
    const { element, apply } = into;
    const { text, caret } = insertAt(element.value, element.selectionStart, element.selectionEnd, placeholder(path));
    apply(text);
    setPickerMessage(null);
    requestAnimationFrame(() => {
      element.focus();
      element.setSelectionRange(caret, caret);
    });
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    setSaveError(null);
    if (formProblems.length > 0) return;
    setSaving(true);
    try {
      // The form builds the definition field by field (form-model.ts); the API validates it whole.
      const saved = creating ? await hookd.endpoints.create(definition as CreateEndpointInput) : await hookd.endpoints.update(endpoint.id, definition as UpdateEndpointInput);
      const { secret: _secret, ...stored } = saved as Endpoint & { secret?: string };
      queryClient.setQueryData(endpointQueries.detail(hookd, saved.id).queryKey, stored);
      await queryClient.invalidateQueries({ queryKey: ['endpoints', 'list'] });
      onSaved(saved);
    } catch (error) {
      setSaveError(error);
      const found = problemsFromError(error, { admin });
      setSaveProblems(found);
      // The button is at the bottom of a long form: bring a refused URL into view, where its reason is.
      if (found.some((p) => p.field === '/url')) scrollToUrl.current = true;
    } finally {
      setSaving(false);
    }
  };

  useEffect(() => {
    if (!scrollToUrl.current || urlInput.current === null) return;
    scrollToUrl.current = false;
    urlInput.current.scrollIntoView({ block: 'center' });
    urlInput.current.focus({ preventScroll: true });
  }, [saveProblems]);

  const example = previewed?.examples[0];
  const broker = isBrokerType(form.destinationType);

  return (
    <form className="editor" onSubmit={save} onBlur={markTouched} noValidate aria-label={creating ? 'New endpoint' : 'Edit endpoint'}>
      <div className="editor-main">
        {submitted && formProblems.length > 0 && (
          <div className="banner banner-danger" role="alert">
            <strong>Fix these fields first:</strong>
            <ul>
              {formProblems.map((p) => (
                <li key={p.field + p.message}>
                  <span className="mono">{p.field}</span> {p.message}
                </li>
              ))}
            </ul>
          </div>
        )}
        <ErrorBanner error={saveError} title="Not saved" />

        <fieldset className="section">
          <legend>Destination</legend>
          <div className="grid-2">
            <Field label="Deliver to" error={problem('/destination/type')} className="span-2">
              {(id) => (
                <select id={id} value={form.destinationType} onChange={(e) => update({ destinationType: e.target.value as DestinationType })}>
                  {DESTINATION_OPTIONS.map((option) => (
                    <option key={option.value} value={option.value}>
                      {option.label}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={broker ? 'Broker URL' : 'URL'} error={problem('/url')} hint={broker ? BROKER_URL_HINT : 'http(s) only. Private and loopback addresses are refused unless the server allows them.'} className="span-2">
              {(id, described) => (
                <input id={id} ref={urlInput} aria-describedby={described} className="mono" type="url" required value={form.url} placeholder={URL_PLACEHOLDER[form.destinationType]} onChange={(e) => update({ url: e.target.value })} />
              )}
            </Field>
            <BrokerFields form={form} update={update} problem={problem} track={track} />
            {!broker && (
              <Field label="Method" error={problem('/method')}>
                {(id) => (
                  <select id={id} value={form.method} onChange={(e) => update({ method: e.target.value as EndpointMethod })}>
                    {METHODS.map((method) => (
                      <option key={method}>{method}</option>
                    ))}
                  </select>
                )}
              </Field>
            )}
            <Field label="Title" error={problem('/title')}>
              {(id) => <input id={id} value={form.title} placeholder="CRM sync" onChange={(e) => update({ title: e.target.value })} />}
            </Field>
            <Field label="Description" error={problem('/description')} className="span-2">
              {(id) => <input id={id} value={form.description} onChange={(e) => update({ description: e.target.value })} />}
            </Field>
            {admin && (
              <Field label="Account" error={problem('/accountId')} hint={creating ? 'Empty: a provider-level endpoint that hears every account\'s events.' : 'An endpoint stays with the account it was created for.'}>
                {(id, described) => (
                  <input id={id} aria-describedby={described} className="mono" value={form.accountId} disabled={!creating} placeholder="provider-level" onChange={(e) => update({ accountId: e.target.value })} />
                )}
              </Field>
            )}
            <div className="field checkbox-field">
              <label>
                <input type="checkbox" checked={form.active} onChange={(e) => update({ active: e.target.checked })} /> Active
              </label>
              <p className="hint">Inactive endpoints get no deliveries.</p>
            </div>
          </div>
        </fieldset>

        <fieldset className="section">
          <legend>Events</legend>
          <EventTypePicker
            all={form.subscribeAll}
            selected={form.eventTypes}
            catalog={catalog.types}
            error={problem('/eventTypes')}
            onChange={({ all, selected }) => update({ subscribeAll: all, eventTypes: selected })}
          />
          <div className="grid-2">
            <Field label="Filter: payload path" error={problem('/filter/path')} hint="Only events whose payload has one of the values at this path.">
              {(id, described) => <input id={id} aria-describedby={described} className="mono" value={form.filterPath} placeholder="status" onChange={(e) => update({ filterPath: e.target.value })} />}
            </Field>
            <Field label="Filter: values" error={problem('/filter/in') ?? problem('/filter')} hint='Comma-separated; 42, true and null are matched as such, "42" as text.'>
              {(id, described) => <input id={id} aria-describedby={described} className="mono" value={form.filterValues} placeholder="failed, busy" onChange={(e) => update({ filterValues: e.target.value })} />}
            </Field>
          </div>
        </fieldset>

        <fieldset className="section">
          <legend>{broker ? 'Message' : 'Request'}</legend>
          <KeyValueEditor
            legend="Headers"
            itemName="header"
            testId="headers-editor"
            pairs={form.headers}
            onChange={(headers) => update({ headers })}
            keyPlaceholder="X-Api-Key"
            valuePlaceholder="value or {{data.field}}"
            error={problem('/headers')}
            onValueFocus={track}
          />
          {!broker && (
          <KeyValueEditor
            legend="Query parameters"
            itemName="query parameter"
            testId="query-editor"
            pairs={form.queryParams}
            onChange={(queryParams) => update({ queryParams })}
            keyPlaceholder="call"
            valuePlaceholder="value or {{data.field}}"
            error={problem('/queryParams')}
            onValueFocus={track}
          />
          )}
        </fieldset>

        <BodyFields form={form} update={update} problem={problem} track={track} templateRef={templateRef} />

        <DeliveryFields form={form} update={update} problem={problem} />

        {!broker && <AuthFields form={form} update={update} problem={problem} />}

        <div className="form-actions">
          <Button kind="primary" type="submit" busy={saving}>
            {creating ? 'Create endpoint' : 'Save changes'}
          </Button>
          <Button kind="ghost" onClick={onCancel}>
            Cancel
          </Button>
        </div>
      </div>

      <aside className="editor-side" aria-label="Parameters and preview">
        <FieldPicker
          eventType={previewType}
          parameters={parameters}
          bodyFormat={sentBodyFormat(form)}
          message={pickerMessage}
          onInsert={insert}
          onAddField={(path) => update({ fields: addField(form.fields, path) })}
        />
        <PreviewPanel
          definition={definition}
          problems={formProblems}
          eventType={previewType}
          eventTypes={heard}
          onEventType={setPreviewType}
          payloadText={payloadText}
          onPayloadText={setPayloadText}
          onServerProblems={setPreviewProblems}
        />
        {example !== undefined && payloadText === '' && (
          <Button kind="ghost" onClick={() => setPayloadText(prettyJson(example))}>
            Edit the example payload
          </Button>
        )}
      </aside>
    </form>
  );
}

