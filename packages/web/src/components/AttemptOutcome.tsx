import type { Attempt } from '@hookd/sdk/client';
import { formatDuration } from '../format.js';
import { attemptTarget } from './BrokerTarget.js';
import { Badge } from './ui.js';

// One attempt's result in a line: the status or the error, and how long it took. A broker's
// acknowledgement is recorded as 202 (accepted); it reads as what it is.

export function AttemptOutcome({ attempt }: { attempt: Attempt }) {
  const ok = attempt.statusCode !== null && attempt.statusCode >= 200 && attempt.statusCode < 300;
  const success = ok && attemptTarget(attempt.requestUrl) !== null ? 'acknowledged' : `HTTP ${attempt.statusCode}`;
  return (
    <span className="outcome">
      <Badge tone={ok ? 'success' : 'danger'}>{attempt.statusCode !== null ? success : (attempt.error ?? 'failed')}</Badge>{' '}
      <span className="muted">in {formatDuration(attempt.durationMs)}</span>
      {attempt.error && attempt.statusCode !== null && <span className="muted"> ({attempt.error})</span>}
    </span>
  );
}
