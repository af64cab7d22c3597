import type { EventType } from '@hookd/sdk/client';
import { useId, useState } from 'react';
import { Button } from '../components/ui.js';

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
  const [pattern, setPattern] = useState('');
  const live = catalog.filter((type) => !type.archived);
  const extra = selected.filter((name) => !live.some((type) => type.name === name));
  const toggle = (name: string, on: boolean) => onChange({ all, selected: on ? [...selected, name] : selected.filter((n) => n !== name) });
  const addPattern = () => {
    const value = pattern.trim();
    if (value !== '' && !selected.includes(value)) onChange({ all: false, selected: [...selected, value] });
    setPattern('');
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
          <div className="inline-add">
            <label htmlFor={`${id}-pattern`} className="visually-hidden">
              Add a pattern
            </label>
            <input
              id={`${id}-pattern`}
              className="mono"
              placeholder="call.*"
              value={pattern}
              onChange={(event) => setPattern(event.target.value)}
              onKeyDown={(event) => {
                if (event.key === 'Enter') {
                  event.preventDefault();
                  addPattern();
                }
              }}
            />
            <Button kind="ghost" onClick={addPattern}>
              Add pattern
            </Button>
          </div>
        </>
      )}
      {error && <p className="field-error">{error}</p>}
    </fieldset>
  );
}
