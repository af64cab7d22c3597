// Messages between the bench and its receiver process (over the fork IPC channel).

/** What the /busy/ receivers answer 429 with: hookd waits that long before the next attempt. */
export const BUSY_RETRY_AFTER_SECONDS = 5;

export interface GroupStats {
  /** Requests received, duplicates included. */
  count: number;
  /** Distinct webhook-ids. */
  unique: number;
  /** Requests without a webhook-signature: the harness is broken if any. */
  unsigned: number;
  /** benchNow() of the first and last request. */
  first: number | null;
  last: number | null;
}

export type ReceiverRequest =
  | { type: 'stats' }
  | { type: 'arrivals'; group: string }
  /** Hands over (and forgets) the first-arrival latencies of /time/ groups noted since the last ask. */
  | { type: 'first-attempts' }
  | { type: 'reset' }
  | { type: 'release' }
  | { type: 'close' };

export type ReceiverReply =
  | { type: 'ready'; port: number }
  | { type: 'stats'; groups: Record<string, GroupStats>; connections: number }
  /** [payload seq, benchNow() of arrival] */
  | { type: 'arrivals'; arrivals: Array<[number, number]> }
  /** Milliseconds from each event's payload `sentAt` to its first arrival. */
  | { type: 'first-attempts'; samples: number[] }
  | { type: 'done' };
