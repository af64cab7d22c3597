// Messages between the bench and its receiver process (over the fork IPC channel).

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
  | { type: 'reset' }
  | { type: 'release' }
  | { type: 'close' };

export type ReceiverReply =
  | { type: 'ready'; port: number }
  | { type: 'stats'; groups: Record<string, GroupStats>; connections: number }
  /** [payload seq, benchNow() of arrival] */
  | { type: 'arrivals'; arrivals: Array<[number, number]> }
  | { type: 'done' };
