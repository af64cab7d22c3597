import type { Clock } from '../domain/clock.js';
import { OPERATION_TIMED_OUT } from '../domain/operational-events.js';
import type { Operation } from '../domain/types.js';
import type { EventToPublish, Publisher } from '../ingest/publisher.js';
import type { Store } from '../store/store.js';

// Operations with a protocol number (seed 000, IXC ACS): the caller gets the protocol at once, and
// a webhook of the operation's type when its outcome is known, or when it times out.
//
// Exactly one webhook per timeout and per outcome, even across crashes and several nodes: the
// state change is recorded first (a conditional update only one caller wins), then the webhook is
// published under an event id derived from the protocol (a second publish is a no-op), then the
// operation is flagged as notified. A sweep republishes whatever was recorded but not flagged.

export type CompleteResult = { result: 'completed'; operation: Operation } | { result: 'not_found' } | { result: 'already_completed'; operation: Operation };

/** A recorded change left unflagged this long is assumed interrupted, and published again. */
const REPUBLISH_AFTER_MS = 5_000;
const SWEEP_BATCH = 500;

export function outcomePayload(operation: Operation, notice: 'timeout' | 'outcome'): Record<string, unknown> {
  const payload: Record<string, unknown> = {
    protocol: operation.protocol,
    subject: operation.subject,
    status: notice === 'timeout' ? 'timed_out' : operation.status,
    data: notice === 'timeout' || operation.resultData === null ? null : (JSON.parse(operation.resultData) as unknown),
    requestedAt: new Date(operation.requestedAt).toISOString(),
    completedAt: new Date((notice === 'timeout' ? operation.timedOutAt : operation.completedAt) ?? operation.expiresAt).toISOString(),
  };
  if (notice === 'outcome' && operation.late) payload.late = true;
  return payload;
}

function eventOf(operation: Operation, id: string, type: string, payload: Record<string, unknown>, now: number, callbackUrl: string | null): EventToPublish {
  return {
    clientId: true,
    payloadValue: payload,
    event: {
      id,
      type,
      accountId: operation.accountId,
      payload: JSON.stringify(payload),
      correlationId: operation.protocol,
      callbackUrl,
      occurredAt: now,
      createdAt: now,
    },
  };
}

export class Operations {
  constructor(
    private readonly store: Store,
    private readonly publisher: Publisher,
    private readonly clock: Clock,
  ) {}

  /** `resultData`: what the provider's worker reported, as JSON text. */
  async complete(protocol: string, status: 'succeeded' | 'failed', resultData: string | null): Promise<CompleteResult> {
    const recorded = await this.store.completeOperation(protocol, status, resultData, this.clock.now());
    if (recorded === null) {
      const existing = await this.store.getOperation(protocol);
      return existing === null ? { result: 'not_found' } : { result: 'already_completed', operation: existing };
    }
    await this.notify([{ operation: recorded, notice: 'outcome' }]);
    return { result: 'completed', operation: recorded };
  }

  /** Fires due timeouts and republishes interrupted notices. Returns how many timeouts it fired. */
  async sweep(): Promise<number> {
    const now = this.clock.now();
    let fired = 0;
    for (;;) {
      const due = await this.store.dueOperations(now, SWEEP_BATCH);
      if (due.length === 0) break;
      const timedOut = await this.store.markOperationsTimedOut(due.map((op) => op.protocol), now);
      await this.notify(timedOut.map((operation) => ({ operation, notice: 'timeout' as const })));
      fired += timedOut.length;
      if (due.length < SWEEP_BATCH) break;
    }
    const interrupted = await this.store.operationsAwaitingNotice(now - REPUBLISH_AFTER_MS, SWEEP_BATCH);
    const notices = interrupted.flatMap((operation) => [
      ...(operation.timedOutAt !== null ? [{ operation, notice: 'timeout' as const }] : []),
      ...(operation.completedAt !== null ? [{ operation, notice: 'outcome' as const }] : []),
    ]);
    await this.notify(notices);
    return fired;
  }

  /** Publishes the webhooks of recorded timeouts and outcomes (idempotent by event id), then flags them. */
  private async notify(notices: Array<{ operation: Operation; notice: 'timeout' | 'outcome' }>): Promise<void> {
    if (notices.length === 0) return;
    const now = this.clock.now();
    const events: EventToPublish[] = [];
    for (const { operation, notice } of notices) {
      events.push(eventOf(operation, `op_${operation.protocol}_${notice}`, operation.type, outcomePayload(operation, notice), now, operation.callbackUrl));
      if (notice === 'timeout') {
        const alert = { protocol: operation.protocol, type: operation.type, subject: operation.subject, expiresAt: new Date(operation.expiresAt).toISOString() };
        events.push(eventOf(operation, `op_${operation.protocol}_hookd_timeout`, OPERATION_TIMED_OUT, alert, now, null));
      }
    }
    // One transaction for all of them: a thousand operations timing out together are one write.
    // A `conflict` (the id was used over 24 h ago) means that notice was published then; it rolls
    // the batch back, so the batch is published again without it.
    let pending = events;
    for (;;) {
      const outcomes = await this.publisher.publish(pending);
      const conflicts = new Set(outcomes.filter((o) => o.outcome === 'conflict').map((o) => o.event.id));
      if (conflicts.size === 0) break;
      pending = pending.filter((item) => !conflicts.has(item.event.id));
    }
    for (const { operation, notice } of notices) await this.store.markOperationNotified(operation.protocol, notice);
  }
}
