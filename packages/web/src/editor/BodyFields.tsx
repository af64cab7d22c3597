import type { BodyFormat } from '@hookd/sdk/client';
import type { RefObject } from 'react';
import { KeyValueEditor } from '../components/KeyValueEditor.js';
import { Field, InlineAdd } from '../components/ui.js';
import { sentBodyFormat, sentMethod, type FormSectionProps } from './form-model.js';
import { addField } from './insert.js';

// How the request's body is built: the payload as Standard Webhooks or raw, chosen fields and user
// parameters as JSON, or a text template. Template inputs report their focus to the field picker.

const FORMATS: Array<{ value: BodyFormat; label: string; hint: string }> = [
  { value: 'standard', label: 'Standard', hint: '{"type", "timestamp", "data": payload}' },
  { value: 'raw', label: 'Raw', hint: 'the payload exactly as posted' },
  { value: 'json', label: 'JSON', hint: 'chosen parameters and user parameters' },
  { value: 'text', label: 'Text', hint: 'a template you write' },
];

/** A GET sends no body: nothing to choose but whether chosen fields go into its query string. */
const GET_FORMATS: Array<{ value: BodyFormat; label: string; hint: string }> = [
  { value: 'standard', label: 'No body', hint: 'a GET carries none' },
  { value: 'json', label: 'Fields in the query', hint: 'chosen parameters and user parameters as query parameters' },
];

export function BodyFields({
  form,
  update,
  problem,
  track,
  templateRef,
}: FormSectionProps & {
  /** Makes an input the field picker's target, with a way to replace its value. */
  track: (element: HTMLInputElement | HTMLTextAreaElement, apply: (value: string) => void) => void;
  /** The text template, where the picker inserts when no other template input was focused. */
  templateRef: RefObject<HTMLTextAreaElement | null>;
}) {
  const get = sentMethod(form) === 'GET';
  const format = sentBodyFormat(form);
  return (
    <fieldset className="section" data-testid="body-section">
      <legend>Body</legend>
      <div className="format-options" role="radiogroup" aria-label="Body format">
        {(get ? GET_FORMATS : FORMATS).map((option) => (
          <label key={option.value} className={`format-option ${format === option.value ? 'selected' : ''}`}>
            <input type="radio" name="body-format" value={option.value} checked={format === option.value} onChange={() => update({ bodyFormat: option.value })} />
            <span className="format-label">{option.label}</span>
            <span className="format-hint">{option.hint}</span>
          </label>
        ))}
      </div>
      {get && (
        <p className="hint">
          A GET sends no body{format === 'json' ? ': the chosen fields go into the query string' : ''}.
          {form.bodyFormat !== format && ` The ${form.bodyFormat} body set for other methods is kept here but not saved with a GET.`}
        </p>
      )}
      {format === 'json' && (
        <>
          <div className="field">
            <span className="label">Fields</span>
            <p className="hint">Payload paths to send (all of the payload when none); <span className="mono">path:alias</span> renames. Pick them from the available parameters.</p>
            <ul className="chips" aria-label="Chosen fields">
              {form.fields.map((field) => (
                <li key={field} className="chip">
                  <span className="mono">{field}</span>
                  <button type="button" aria-label={`Remove field ${field}`} onClick={() => update({ fields: form.fields.filter((f) => f !== field) })}>
                    ✕
                  </button>
                </li>
              ))}
              {form.fields.length === 0 && <li className="muted">All of the payload</li>}
            </ul>
            <InlineAdd label="Add a field by path" placeholder="call.from:caller" button="Add field" onAdd={(path) => update({ fields: addField(form.fields, path) })} />
            {problem('/body/fields') && <p className="field-error">{problem('/body/fields')}</p>}
          </div>
          <KeyValueEditor
            legend="User parameters"
            itemName="user parameter"
            pairs={form.userParams}
            onChange={(userParams) => update({ userParams })}
            keyPlaceholder="crm"
            valuePlaceholder="x1 or {{event.type}}"
            hint="Extra fields added to the JSON; string values may be templates."
            error={problem('/body/userParams')}
            onValueFocus={track}
          />
        </>
      )}
      {format === 'text' && (
        <div className="grid-2">
          <Field label="Template" error={problem('/body/template')} hint="{{data.path}} inserts a payload value; | json and | urlencode format it." className="span-2">
            {(id, described) => (
              <textarea
                id={id}
                ref={templateRef}
                aria-describedby={described}
                className="mono"
                rows={5}
                spellCheck={false}
                value={form.template}
                placeholder="Call {{data.callId}} from {{data.from}}"
                onChange={(e) => update({ template: e.target.value })}
                onFocus={(e) => track(e.currentTarget, (template) => update({ template }))}
              />
            )}
          </Field>
          <Field label="Content type" error={problem('/body/contentType')}>
            {(id) => <input id={id} className="mono" value={form.contentType} placeholder="text/plain" onChange={(e) => update({ contentType: e.target.value })} />}
          </Field>
        </div>
      )}
    </fieldset>
  );
}
