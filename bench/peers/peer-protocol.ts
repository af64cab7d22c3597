import type { PeerSetup } from './peer-sender.js';

// Messages between the bench and a peer's process (over the fork IPC channel), one answer per
// request, in order.

export type PeerRequest =
  | { type: 'start'; setup: PeerSetup }
  /** Events `firstSeq…` to `url`, enqueued `batchSize` per call with `callers` calls at once (as hookd gets them). */
  | { type: 'enqueueBatches'; url: string; firstSeq: number; count: number; batchSize: number; callers: number }
  /** A steady load of one-job enqueue calls (see pacing.ts). */
  | { type: 'enqueuePaced'; url: string; firstSeq: number; ratePerSecond: number; durationMs: number }
  | { type: 'stop' };

export type PeerReply =
  | { type: 'done' }
  /** [seq, benchNow()] pairs of sendPaced's maps. */
  | { type: 'paced'; sentAt: Array<[number, number]>; returnedAt: Array<[number, number]>; skipped: number }
  | { type: 'failed'; message: string };
