import { useState, type FormEvent } from 'react';
import { fromLocalInput, toLocalInput } from '../format.js';
import { useSearch } from '../router.js';
import { Button } from './ui.js';

// A list's filters, kept in the query string: bookmarkable, and the back button undoes them.

export interface FilterSpec {
  name: string;
  label: string;
  kind?: 'text' | 'select' | 'time';
  options?: Array<{ value: string; label: string }>;
  placeholder?: string;
}

export function Filters({ specs }: { specs: FilterSpec[] }) {
  const [search, setSearch] = useSearch();
  const [draft, setDraft] = useState<Record<string, string>>(search);
  // A new query string (applied, or the back button) replaces the draft, adjusted while rendering
  // rather than in an effect so no frame shows the old draft.
  const searchKey = JSON.stringify(search);
  const [draftOf, setDraftOf] = useState(searchKey);
  if (draftOf !== searchKey) {
    setDraftOf(searchKey);
    setDraft(search);
  }
  const apply = (event: FormEvent) => {
    event.preventDefault();
    setSearch(draft);
  };
  const active = specs.some((spec) => (search[spec.name] ?? '') !== '');
  return (
    <form className="filters" onSubmit={apply} role="search" aria-label="Filters">
      {specs.map((spec) => {
        const id = `filter-${spec.name}`;
        const value = draft[spec.name] ?? '';
        return (
          <div className="filter" key={spec.name}>
            <label htmlFor={id}>{spec.label}</label>
            {spec.kind === 'select' ? (
              <select id={id} value={value} onChange={(event) => setSearch({ ...draft, [spec.name]: event.target.value })}>
                <option value="">Any</option>
                {spec.options?.map((option) => (
                  <option key={option.value} value={option.value}>
                    {option.label}
                  </option>
                ))}
              </select>
            ) : spec.kind === 'time' ? (
              <input
                id={id}
                type="datetime-local"
                value={toLocalInput(value || null)}
                onChange={(event) => setDraft({ ...draft, [spec.name]: fromLocalInput(event.target.value) ?? '' })}
              />
            ) : (
              <input id={id} className="mono" value={value} placeholder={spec.placeholder} onChange={(event) => setDraft({ ...draft, [spec.name]: event.target.value })} />
            )}
          </div>
        );
      })}
      <div className="filter filter-actions">
        <Button type="submit">Apply</Button>
        {active && (
          <Button kind="ghost" onClick={() => setSearch({})}>
            Clear
          </Button>
        )}
      </div>
    </form>
  );
}
