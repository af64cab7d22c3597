import { useId, useState, type ButtonHTMLAttributes, type ReactNode } from 'react';
import { errorMessage } from '../client.js';
import { formatTime, relativeTime } from '../format.js';

// The building blocks every page uses, so that they look and behave the same everywhere.

type ButtonKind = 'primary' | 'secondary' | 'danger' | 'ghost';

export function Button({ kind = 'secondary', busy = false, children, ...rest }: { kind?: ButtonKind; busy?: boolean } & ButtonHTMLAttributes<HTMLButtonElement>) {
  return (
    <button type="button" {...rest} className={`btn btn-${kind} ${rest.className ?? ''}`} disabled={rest.disabled || busy} aria-busy={busy || undefined}>
      {children}
    </button>
  );
}

/** A destructive or consequential action asks once more, inline (no modal to trap focus in). */
export function ConfirmButton({ label, confirm, onConfirm, kind = 'danger', busy }: { label: string; confirm: string; onConfirm: () => void; kind?: ButtonKind; busy?: boolean }) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <Button kind={kind === 'danger' ? 'secondary' : kind} onClick={() => setAsking(true)} busy={busy}>
        {label}
      </Button>
    );
  }
  return (
    <span className="confirm" role="group" aria-label={confirm}>
      <span className="confirm-text">{confirm}</span>
      <Button
        kind={kind}
        autoFocus
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        Yes, {label.toLowerCase()}
      </Button>
      <Button kind="ghost" onClick={() => setAsking(false)}>
        Cancel
      </Button>
    </span>
  );
}

/** A labelled form control with its hint and error, wired for screen readers. */
export function Field({ label, hint, error, children, className }: { label: ReactNode; hint?: ReactNode; error?: string | null; children: (id: string, describedBy: string | undefined) => ReactNode; className?: string }) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field ${error ? 'field-invalid' : ''} ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      {children(id, describedBy)}
      {hint && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}

export function Badge({ tone, children, title }: { tone: string; children: ReactNode; title?: string }) {
  return (
    <span className={`badge badge-${tone}`} title={title}>
      {children}
    </span>
  );
}

const STATUS_TONES: Record<string, string> = {
  succeeded: 'success',
  failed: 'danger',
  dropped: 'warning',
  pending: 'info',
  sending: 'accent',
  canceled: 'neutral',
  aborted: 'neutral',
  timed_out: 'warning',
};

export function StatusBadge({ status }: { status: string }) {
  return <Badge tone={STATUS_TONES[status] ?? 'neutral'}>{status.replace('_', ' ')}</Badge>;
}

export function ErrorBanner({ error, title = 'Something went wrong' }: { error: unknown; title?: string }) {
  if (error === null || error === undefined) return null;
  return (
    <div className="banner banner-danger" role="alert">
      <strong>{title}.</strong> {errorMessage(error)}
    </div>
  );
}

export function Notice({ tone = 'info', children }: { tone?: 'info' | 'success' | 'warning'; children: ReactNode }) {
  return (
    <div className={`banner banner-${tone}`} role="status">
      {children}
    </div>
  );
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="loading" role="status">
      <span className="spinner" aria-hidden="true" /> {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

export function Card({ title, actions, children, className }: { title?: ReactNode; actions?: ReactNode; children: ReactNode; className?: string }) {
  return (
    <section className={`card ${className ?? ''}`}>
      {(title || actions) && (
        <header className="card-header">
          {title && <h2>{title}</h2>}
          {actions && <div className="card-actions">{actions}</div>}
        </header>
      )}
      <div className="card-body">{children}</div>
    </section>
  );
}

export function PageHeader({ title, subtitle, actions }: { title: ReactNode; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle && <p className="subtitle">{subtitle}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </header>
  );
}

export function Time({ iso }: { iso: string | null | undefined }) {
  if (iso == null) return <span className="muted">—</span>;
  return (
    <time dateTime={iso} title={formatTime(iso)}>
      {relativeTime(iso)}
    </time>
  );
}

export function Pre({ children, label }: { children: string; label?: string }) {
  return (
    <pre className="pre" tabIndex={0} aria-label={label}>
      {children}
    </pre>
  );
}

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <Button
      kind="ghost"
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => {
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        });
      }}
    >
      {copied ? 'Copied' : label}
    </Button>
  );
}

export function KeyValueTable({ values, empty = 'None' }: { values: Record<string, string>; empty?: string }) {
  const entries = Object.entries(values);
  if (entries.length === 0) return <p className="muted">{empty}</p>;
  return (
    <table className="table table-compact kv">
      <tbody>
        {entries.map(([name, value]) => (
          <tr key={name}>
            <th scope="row" className="mono">
              {name}
            </th>
            <td className="mono break">{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Details({ items }: { items: Array<[string, ReactNode]> }) {
  return (
    <dl className="details">
      {items.map(([term, value]) => (
        <div key={term} className="details-row">
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A text box and a button that add what was typed (Enter adds too), then empty the box. */
export function InlineAdd({ label, placeholder, button, onAdd }: { label: string; placeholder: string; button: string; onAdd: (value: string) => void }) {
  const id = useId();
  const [value, setValue] = useState('');
  const add = () => {
    if (value.trim() !== '') onAdd(value.trim());
    setValue('');
  };
  return (
    <div className="inline-add">
      <label className="visually-hidden" htmlFor={id}>
        {label}
      </label>
      <input
        id={id}
        className="mono"
        value={value}
        placeholder={placeholder}
        onChange={(event) => setValue(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter') {
            event.preventDefault();
            add();
          }
        }}
      />
      <Button kind="ghost" onClick={add}>
        {button}
      </Button>
    </div>
  );
}

export function LoadMore({ hasMore, onMore, busy }: { hasMore: boolean; onMore: () => void; busy?: boolean }) {
  if (!hasMore) return null;
  return (
    <div className="load-more">
      <Button onClick={onMore} busy={busy}>
        Load more
      </Button>
    </div>
  );
}

/** A click on a table row opens its page, unless it was on a link or button inside the row. */
export function rowOpener(open: () => void) {
  return (event: { target: EventTarget }) => {
    if (event.target instanceof Element && event.target.closest('a, button, input, select, textarea, label')) return;
    open();
  };
}
