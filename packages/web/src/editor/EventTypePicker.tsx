import type { EventType } from '@hookd/sdk/client';
import { useId } from 'react';
import { InlineAdd } from '../components/ui.js';

// Which events an endpoint hears: all of them, or chosen catalog types and patterns (`call.*`).

export function EventTypePicker({
  all,
  selected,
  catalog,
  onChange,
  error,
}: {
  all: boolean;
  selected: string[];
  catalog: EventType[];
  onChange: (next: { all: boolean; selected: string[] }) => void;
  error?: string | null;
}) {
  const id = useId();
  const live = catalog.filter((type) => !type.archived);
  const extra = selected.filter((name) => !live.some((type) => type.name === name));
  const toggle = (name: string, on: boolean) => onChange({ all, selected: on ? [...selected, name] : selected.filter((n) => n !== name) });
  const addPattern = (pattern: string) => {
    if (!selected.includes(pattern)) onChange({ all: false, selected: [...selected, pattern] });
  };
  return (
    <fieldset className={`event-type-picker ${error ? 'field-invalid' : ''}`}>
      <legend>Event types</legend>
      <div className="radio-row">
        <label>
          <input type="radio" name={`${id}-mode`} checked={all} onChange={() => onChange({ all: true, selected })} /> All event types
        </label>
        <label>
          <input type="radio" name={`${id}-mode`} checked={!all} onChange={() => onChange({ all: false, selected })} /> Only the ones I choose
        </label>
      </div>
      {!all && (
        <>
          <div className="checkbox-list" role="group" aria-label="Catalog event types">
            {live.length === 0 && <p className="muted">The catalog is empty.</p>}
            {live.map((type) => (
              <label key={type.name} className="checkbox-item">
                <input type="checkbox" checked={selected.includes(type.name)} onChange={(event) => toggle(type.name, event.target.checked)} />
                <span className="mono">{type.name}</span>
                {type.description && <span className="muted"> — {type.description}</span>}
              </label>
            ))}
            {extra.map((name) => (
              <label key={name} className="checkbox-item">
                <input type="checkbox" checked onChange={() => toggle(name, false)} />
                <span className="mono">{name}</span> <span className="muted">(pattern)</span>
              </label>
            ))}
          </div>
          <InlineAdd label="Add a pattern" placeholder="call.*" button="Add pattern" onAdd={addPattern} />
        </>
      )}
      {error && <p className="field-error">{error}</p>}
    </fieldset>
  );
}
