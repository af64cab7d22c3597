import type { Attempt } from '@hookd/sdk/client';
import { formatDuration } from '../format.js';
import { Badge } from './ui.js';

// One attempt's result in a line: the status or the error, and how long it took.

export function AttemptOutcome({ attempt }: { attempt: Attempt }) {
  const ok = attempt.statusCode !== null && attempt.statusCode >= 200 && attempt.statusCode < 300;
  return (
    <span className="outcome">
      <Badge tone={ok ? 'success' : 'danger'}>{attempt.statusCode !== null ? `HTTP ${attempt.statusCode}` : (attempt.error ?? 'failed')}</Badge>{' '}
      <span className="muted">in {formatDuration(attempt.durationMs)}</span>
      {attempt.error && attempt.statusCode !== null && <span className="muted"> ({attempt.error})</span>}
    </span>
  );
}
