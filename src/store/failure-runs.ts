import type { AttemptRecord } from './store.js';

// Endpoint health for auto-disable: how a batch of attempts changes each endpoint's current run of
// failures. A failure starts or extends the run; a success ends it. The batch is folded per
// endpoint in attempt order, so an adapter writes each endpoint once per batch, not once per attempt.

export interface FailureRunChange {
  endpointId: string;
  /** A success ended the stored run: the run is now `failures` long from `since` (none if 0). */
  restart: boolean;
  /** When the failures of this batch that are still part of the run began (null without any). */
  since: number | null;
  /** Failures to add to the run (restart: the run's new length). */
  failures: number;
}

/** The changes in endpoint id order (batches written side by side then lock rows in one order). */
export function failureRunChanges(records: readonly AttemptRecord[]): FailureRunChange[] {
  const runs = new Map<string, FailureRunChange>();
  for (const { attempt, endpointId } of records) {
    if (attempt === null || endpointId === null) continue;
    let run = runs.get(endpointId);
    if (run === undefined) {
      run = { endpointId, restart: false, since: null, failures: 0 };
      runs.set(endpointId, run);
    }
    if (attempt.statusCode !== null && attempt.statusCode >= 200 && attempt.statusCode < 300) {
      run.restart = true;
      run.since = null;
      run.failures = 0;
    } else {
      run.since ??= attempt.startedAt;
      run.failures += 1;
    }
  }
  return [...runs.values()].sort((a, b) => (a.endpointId < b.endpointId ? -1 : a.endpointId > b.endpointId ? 1 : 0));
}
