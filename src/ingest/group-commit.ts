import type { IngestOutcome, NewEvent, Store } from '../store/store.js';

// Group commit: events posted by concurrent requests are stored in one transaction. A commit costs
// about as much as writing a hundred events in it (each touches the same table and index pages),
// so single-event requests arriving together share one instead of paying one each. Every caller
// still gets its answer only after the commit that holds its events.
//
// Callers keep their own all-or-nothing semantics: when a shared transaction is rolled back because
// one caller's event id conflicts, every caller's events are stored again in a transaction of its
// own, so only the conflicting caller sees the conflict.

/** Events per shared transaction at most; more waiting go into the next one. */
const MAX_EVENTS_PER_COMMIT = 1000;

interface Submission {
  events: NewEvent[];
  resolve: (outcomes: IngestOutcome[]) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit {
  private queue: Submission[] = [];
  private scheduled = false;

  constructor(
    private readonly store: Store,
    private readonly window: () => { dedupeSince: number; now: number },
  ) {}

  /** Stores the events (all or nothing, like Store.ingestEvents) together with other callers' of this turn. */
  ingest(events: NewEvent[]): Promise<IngestOutcome[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ events, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // Whatever requests this turn of the event loop parses share the transaction.
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    while (this.queue.length > 0) {
      const group: Submission[] = [];
      let size = 0;
      while (this.queue.length > 0 && (group.length === 0 || size + this.queue[0]!.events.length <= MAX_EVENTS_PER_COMMIT)) {
        const next = this.queue.shift()!;
        group.push(next);
        size += next.events.length;
      }
      void this.commit(group);
    }
  }

  private async commit(group: Submission[]): Promise<void> {
    const { dedupeSince, now } = this.window();
    if (group.length === 1) {
      const [only] = group as [Submission];
      return this.store.ingestEvents(only.events, dedupeSince, now).then(only.resolve, only.reject);
    }
    let outcomes: IngestOutcome[] | null = null;
    try {
      outcomes = await this.store.ingestEvents(
        group.flatMap((submission) => submission.events),
        dedupeSince,
        now,
      );
    } catch {
      // Answered below, each caller on its own transaction (and its own error, if it fails again).
    }
    if (outcomes === null || outcomes.some((outcome) => outcome.outcome === 'conflict')) {
      for (const submission of group) {
        await this.store.ingestEvents(submission.events, dedupeSince, now).then(submission.resolve, submission.reject);
      }
      return;
    }
    let at = 0;
    for (const submission of group) {
      submission.resolve(outcomes.slice(at, at + submission.events.length));
      at += submission.events.length;
    }
  }
}
