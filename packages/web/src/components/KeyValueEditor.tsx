import { useLayoutEffect, useRef, type FocusEvent } from 'react';
import type { Pair } from '../editor/form-model.js';
import { Button } from './ui.js';

// Rows of name and value (headers, query parameters, user parameters). Values may hold templates:
// focusing one makes it the target of the field picker.

export interface KeyValueEditorProps {
  legend: string;
  /** One row's name, for the add button: "header". */
  itemName: string;
  pairs: Pair[];
  onChange: (pairs: Pair[]) => void;
  keyLabel?: string;
  valueLabel?: string;
  keyPlaceholder?: string;
  valuePlaceholder?: string;
  error?: string | null;
  hint?: string;
  /** Called when a value input gets focus, with a way to replace that value. */
  onValueFocus?: (element: HTMLInputElement, apply: (value: string) => void) => void;
  testId?: string;
}

export function KeyValueEditor(props: KeyValueEditorProps) {
  const { legend, pairs, onChange, keyLabel = 'Name', valueLabel = 'Value' } = props;
  // The picker inserts later than the focus: it must edit the rows as they are then.
  const latest = useRef(pairs);
  useLayoutEffect(() => {
    latest.current = pairs;
  }, [pairs]);
  const update = (index: number, patch: Partial<Pair>) => onChange(pairs.map((pair, i) => (i === index ? { ...pair, ...patch } : pair)));
  return (
    <fieldset className={`kv-editor ${props.error ? 'field-invalid' : ''}`} data-testid={props.testId}>
      <legend>{legend}</legend>
      {props.hint && <p className="hint">{props.hint}</p>}
      {pairs.length > 0 && (
        <div className="kv-rows">
          {pairs.map((pair, index) => (
            <div className="kv-row" key={index}>
              <input
                aria-label={`${legend}: ${keyLabel.toLowerCase()} ${index + 1}`}
                className="mono"
                value={pair.key}
                placeholder={props.keyPlaceholder}
                onChange={(event) => update(index, { key: event.target.value })}
              />
              <input
                aria-label={`${legend}: ${valueLabel.toLowerCase()} ${index + 1}`}
                className="mono"
                value={pair.value}
                placeholder={props.valuePlaceholder}
                onChange={(event) => update(index, { value: event.target.value })}
                onFocus={(event: FocusEvent<HTMLInputElement>) =>
                  props.onValueFocus?.(event.currentTarget, (value) =>
                    onChange(latest.current.map((p, i) => (i === index ? { ...p, value } : p))),
                  )
                }
              />
              <Button kind="ghost" aria-label={`Remove ${legend.toLowerCase()} row ${index + 1}`} onClick={() => onChange(pairs.filter((_, i) => i !== index))}>
                ✕
              </Button>
            </div>
          ))}
        </div>
      )}
      <Button kind="ghost" className="add-row" onClick={() => onChange([...pairs, { key: '', value: '' }])}>
        + Add {props.itemName}
      </Button>
      {props.error && <p className="field-error">{props.error}</p>}
    </fieldset>
  );
}
