import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AttemptRecord } from '../store/store.js';
import { AttemptRecorder } from './recorder.js';

/** What the recorder hands to the queue: each finish call's delivery ids, and a way to commit it. */
class WrittenBatches {
  readonly batches: string[][] = [];
  private readonly commits: (() => void)[] = [];

  async finish(records: AttemptRecord[]): Promise<void> {
    this.batches.push(records.map((record) => record.deliveryId));
    await new Promise<void>((resolve) => this.commits.push(resolve));
  }

  /** Commits the oldest write still open. */
  commitNext(): void {
    this.commits.shift()?.();
  }
}

function result(deliveryId: string, fifoKey: string | null = null, status: AttemptRecord['status'] = 'succeeded'): AttemptRecord {
  return {
    deliveryId,
    endpointId: 'ep_1',
    fifoKey,
    leaseOwner: 'worker',
    attempt: null,
    status,
    nextAttemptAt: null,
    completedAt: 1,
    lastStatusCode: 200,
    lastError: null,
    disableEndpoint: null,
  };
}

const log = pino({ level: 'silent' });

describe('attempt recorder', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gathers the results of the linger into one batch and resolves them once it is committed', async () => {
    const queue = new WrittenBatches();
    const recorder = new AttemptRecorder(queue, log, { parallel: 4, lingerMs: 20, full: 200 });
    let committed = 0;
    for (const id of ['a', 'b', 'c']) void recorder.record(result(id)).then(() => committed++);
    vi.advanceTimersByTime(19);
    expect(queue.batches).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(queue.batches).toEqual([['a', 'b', 'c']]);
    await vi.advanceTimersByTimeAsync(0);
    expect(committed).toBe(0);
    queue.commitNext();
    await vi.advanceTimersByTimeAsync(0);
    expect(committed).toBe(3);
  });

  it('writes the end of an ordered delivery within 5 ms, with what waited beside it', () => {
    const queue = new WrittenBatches();
    const recorder = new AttemptRecorder(queue, log, { parallel: 4, lingerMs: 20, full: 200 });
    void recorder.record(result('a'));
    void recorder.record(result('b', 'order-1', 'pending'));
    vi.advanceTimersByTime(10);
    void recorder.record(result('c', 'order-1', 'failed'));
    vi.advanceTimersByTime(4);
    expect(queue.batches).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(queue.batches).toEqual([['a', 'b', 'c']]);
  });

  it('writes a full batch at once', () => {
    const queue = new WrittenBatches();
    const recorder = new AttemptRecorder(queue, log, { parallel: 4, lingerMs: 20, full: 3 });
    for (const id of ['a', 'b', 'c', 'd']) void recorder.record(result(id));
    expect(queue.batches).toEqual([['a', 'b', 'c']]);
  });

  it('leaves results within their linger to gather when a write ends', async () => {
    const queue = new WrittenBatches();
    const recorder = new AttemptRecorder(queue, log, { parallel: 1, lingerMs: 20, full: 200 });
    void recorder.record(result('a'));
    vi.advanceTimersByTime(20);
    void recorder.record(result('b'));
    queue.commitNext();
    await vi.advanceTimersByTimeAsync(10);
    void recorder.record(result('c'));
    expect(queue.batches).toEqual([['a']]);
    await vi.advanceTimersByTimeAsync(10);
    expect(queue.batches).toEqual([['a'], ['b', 'c']]);
  });

  it('gives the results that come after a write their own linger, whatever was armed while the slots were busy', async () => {
    const queue = new WrittenBatches();
    const recorder = new AttemptRecorder(queue, log, { parallel: 1, lingerMs: 20, full: 200 });
    void recorder.record(result('a'));
    vi.advanceTimersByTime(20);
    void recorder.record(result('b'));
    vi.advanceTimersByTime(20);
    void recorder.record(result('c'));
    queue.commitNext();
    await vi.advanceTimersByTimeAsync(0);
    expect(queue.batches).toEqual([['a'], ['b', 'c']]);
    queue.commitNext();
    await vi.advanceTimersByTimeAsync(10);
    void recorder.record(result('d'));
    await vi.advanceTimersByTimeAsync(19);
    expect(queue.batches).toEqual([['a'], ['b', 'c']]);
    await vi.advanceTimersByTimeAsync(1);
    expect(queue.batches).toEqual([['a'], ['b', 'c'], ['d']]);
  });

  it('flushes everything at once and resolves when it is committed', async () => {
    const queue = new WrittenBatches();
    const recorder = new AttemptRecorder(queue, log, { parallel: 2, lingerMs: 20, full: 200 });
    void recorder.record(result('a'));
    let flushed = false;
    void recorder.flush().then(() => (flushed = true));
    expect(queue.batches).toEqual([['a']]);
    void recorder.record(result('b'));
    await vi.advanceTimersByTimeAsync(0);
    queue.commitNext();
    await vi.advanceTimersByTimeAsync(0);
    expect(queue.batches).toEqual([['a'], ['b']]);
    expect(flushed).toBe(false);
    queue.commitNext();
    await vi.advanceTimersByTimeAsync(0);
    expect(flushed).toBe(true);
  });

  it('keeps to its parallel writes: what waits meanwhile goes with the first write to end', async () => {
    const queue = new WrittenBatches();
    const recorder = new AttemptRecorder(queue, log, { parallel: 1, lingerMs: 5, full: 200 });
    void recorder.record(result('a'));
    vi.advanceTimersByTime(5);
    void recorder.record(result('b'));
    void recorder.record(result('c'));
    vi.advanceTimersByTime(50);
    expect(queue.batches).toEqual([['a']]);
    queue.commitNext();
    await vi.advanceTimersByTimeAsync(0);
    expect(queue.batches).toEqual([['a'], ['b', 'c']]);
  });
});
