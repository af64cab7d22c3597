import type { IngestOutcome, NewEvent, Store } from '../store/store.js';

// Group commit: events posted by concurrent requests are stored in one transaction. A commit costs
// about as much as writing a hundred events in it (each touches the same table and index pages),
// so single-event requests arriving together share one instead of paying one each. Every caller
// still gets its answer only after the commit that holds its events. The group is also prepared
// together (routed to endpoints), so the reads that needs are shared too.
//
// Callers keep their own all-or-nothing semantics: when a shared transaction is rolled back because
// one caller's event id conflicts, every caller's events are stored again in a transaction of its
// own, so only the conflicting caller sees the conflict.

/** Events per shared transaction at most; more waiting go into the next one. */
const MAX_EVENTS_PER_COMMIT = 1000;

interface Submission<T> {
  items: T[];
  resolve: (outcomes: IngestOutcome[]) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit<T> {
  private queue: Submission<T>[] = [];
  private scheduled = false;

  constructor(
    private readonly store: Store,
    private readonly window: () => { dedupeSince: number; now: number },
    /** Turns a group's items into the events to store, one for one and in order. */
    private readonly prepare: (items: T[], now: number) => Promise<NewEvent[]>,
  ) {}

  /** Stores the items (all or nothing, like Store.ingestEvents) together with other callers' of this turn. */
  ingest(items: T[]): Promise<IngestOutcome[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
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
      const group: Submission<T>[] = [];
      let size = 0;
      while (this.queue.length > 0 && (group.length === 0 || size + this.queue[0]!.items.length <= MAX_EVENTS_PER_COMMIT)) {
        const next = this.queue.shift()!;
        group.push(next);
        size += next.items.length;
      }
      void this.commit(group);
    }
  }

  private async commit(group: Submission<T>[]): Promise<void> {
    const { dedupeSince, now } = this.window();
    let events: NewEvent[][];
    try {
      const prepared = await this.prepare(
        group.flatMap((submission) => submission.items),
        now,
      );
      let at = 0;
      events = group.map((submission) => prepared.slice(at, (at += submission.items.length)));
    } catch (error) {
      for (const submission of group) submission.reject(error);
      return;
    }
    if (group.length === 1) {
      return this.store.ingestEvents(events[0]!, dedupeSince, now).then(group[0]!.resolve, group[0]!.reject);
    }
    let outcomes: IngestOutcome[] | null = null;
    try {
      outcomes = await this.store.ingestEvents(events.flat(), dedupeSince, now);
    } catch {
      // Answered below, each caller on its own transaction (and its own error, if it fails again).
    }
    if (outcomes === null || outcomes.some((outcome) => outcome.outcome === 'conflict')) {
      for (const [index, submission] of group.entries()) {
        await this.store.ingestEvents(events[index]!, dedupeSince, now).then(submission.resolve, submission.reject);
      }
      return;
    }
    let at = 0;
    for (const submission of group) {
      submission.resolve(outcomes.slice(at, (at += submission.items.length)));
    }
  }
}
