// How values are shown: times, durations, JSON.

export function formatTime(iso: string | null | undefined): string {
  if (iso == null) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

export function relativeTime(iso: string | null | undefined, now: number = Date.now()): string {
  if (iso == null) return '—';
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  const [value, unit] =
    abs < 60 ? [seconds, 'second'] : abs < 3600 ? [Math.round(seconds / 60), 'minute'] : abs < 86_400 ? [Math.round(seconds / 3600), 'hour'] : [Math.round(seconds / 86_400), 'day'];
  return new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' }).format(value, unit as Intl.RelativeTimeFormatUnit);
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms == null) return '—';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? 'undefined';
}

/** A body as received: pretty-printed when it is JSON, as it is otherwise. */
export function prettyBody(text: string | null): string {
  if (text === null || text === '') return '';
  try {
    return prettyJson(JSON.parse(text));
  } catch {
    return text;
  }
}

/** `2026-11-22T10:07` for an <input type="datetime-local"> from an ISO time, in local time. */
export function toLocalInput(iso: string | null): string {
  if (iso === null || iso === '') return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

/** The ISO time of an <input type="datetime-local"> value (local time), or null when empty. */
export function fromLocalInput(value: string): string | null {
  if (value === '') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export function percent(part: number, total: number): string {
  if (total === 0) return '—';
  const value = (part / total) * 100;
  return `${value === 100 || value === 0 ? value.toFixed(0) : value.toFixed(1)} %`;
}

/** `1 attempt`, `0 attempts`, `3 deliveries`: the count with the noun agreeing with it. */
export function plural(count: number, singular: string, pluralForm: string = singular.endsWith('y') ? singular.slice(0, -1) + 'ies' : singular + 's'): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
