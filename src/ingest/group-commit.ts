import type { DeliveryQueue } from '../queue/delivery-queue.js';
import type { IngestOutcome, NewEvent } from '../store/store.js';

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

/**
 * Shared transactions start at most this often. Under a steady stream of single-event requests a
 * turn of the event loop often parses only one or two, and each commit then writes the same table
 * and index pages for one event (the largest item in a profile of the bench's latency run). Waiting
 * for the rest of this interval gathers them; a request after a quiet spell is committed at once.
 */
const MIN_COMMIT_INTERVAL_MS = 2;
// Measured with open-loop single-event posts at 2,500/s on an API node: ~8 % less CPU per event.

interface Submission<T> {
  items: T[];
  resolve: (outcomes: IngestOutcome[]) => void;
  reject: (error: unknown) => void;
}

export interface GroupSteps<T> {
  /** Turns a group's items into the events to store, one for one and in order. */
  prepare(items: T[], now: number): Promise<NewEvent[]>;
  /** Once per prepared group, before its callers are answered: the outcomes of the events that were stored. */
  committed(outcomes: IngestOutcome[]): void;
}

export class GroupCommit<T> {
  private waiting: Submission<T>[] = [];
  private scheduled = false;
  private lastFlushAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly queue: Pick<DeliveryQueue, 'enqueue'>,
    private readonly window: () => { dedupeSince: number; now: number },
    private readonly steps: GroupSteps<T>,
    private readonly minIntervalMs = MIN_COMMIT_INTERVAL_MS,
  ) {}

  /** Stores the items (all or nothing, like DeliveryQueue.enqueue) together with other callers' of this turn. */
  ingest(items: T[]): Promise<IngestOutcome[]> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ items, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // Whatever requests this turn of the event loop parses share the transaction, and so do
        // those of the next turns while the last one is less than the interval ago.
        const wait = this.lastFlushAt + this.minIntervalMs - performance.now();
        if (wait >= 1) setTimeout(() => this.flush(), wait);
        else setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    this.lastFlushAt = performance.now();
    while (this.waiting.length > 0) {
      const group: Submission<T>[] = [];
      let size = 0;
      while (this.waiting.length > 0 && (group.length === 0 || size + this.waiting[0]!.items.length <= MAX_EVENTS_PER_COMMIT)) {
        const next = this.waiting.shift()!;
        group.push(next);
        size += next.items.length;
      }
      void this.commit(group);
    }
  }

  private async commit(group: Submission<T>[]): Promise<void> {
    const { dedupeSince, now } = this.window();
    let prepared: NewEvent[];
    try {
      prepared = await this.steps.prepare(
        group.flatMap((submission) => submission.items),
        now,
      );
    } catch (error) {
      for (const submission of group) submission.reject(error);
      return;
    }
    let at = 0;
    const events = group.map((submission) => prepared.slice(at, (at += submission.items.length)));
    const answers = await this.queue.enqueue(prepared, dedupeSince, now).then(
      (outcomes): Array<IngestOutcome[] | null> => {
        if (group.length > 1 && hasConflict(outcomes)) return group.map(() => null);
        let from = 0;
        return group.map((submission) => outcomes.slice(from, (from += submission.items.length)));
      },
      (error: unknown): Array<IngestOutcome[] | Error | null> => (group.length > 1 ? group.map(() => null) : [toError(error)]),
    );
    // A shared transaction that failed or was rolled back: each caller again, in its own.
    const answered: Array<IngestOutcome[] | Error> = [];
    for (const [index, answer] of answers.entries()) {
      answered.push(
        answer ?? (await this.queue.enqueue(events[index]!, dedupeSince, now).catch((error: unknown) => toError(error))),
      );
    }
    // A caller's call with a conflict was rolled back whole: its other events say `created` but
    // none of them is stored.
    this.steps.committed(answered.flatMap((answer) => (answer instanceof Error || hasConflict(answer) ? [] : answer)));
    for (const [index, submission] of group.entries()) {
      const answer = answered[index]!;
      if (answer instanceof Error) submission.reject(answer);
      else submission.resolve(answer);
    }
  }
}

function hasConflict(outcomes: IngestOutcome[]): boolean {
  return outcomes.some((outcome) => outcome.outcome === 'conflict');
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
