// Messages between the soak and its dashboard reader process (over the fork IPC channel).

/** The four reads of a round, named for the report. */
export type ReadKind = 'endpoint list' | 'endpoint stats' | 'delivery list' | 'event';

export type DashboardRequest =
  | { type: 'start'; url: string; adminKey: string; endpointIds: string[] }
  /** The latest event the bench posted, for the read of one event. */
  | { type: 'latest'; eventId: string }
  /** Hands over (and forgets) the latencies of the reads made since the last drain. */
  | { type: 'drain' }
  /** Stops after the round in flight and hands over every latency by kind. */
  | { type: 'stop' };

export type DashboardReply =
  | { type: 'samples'; samples: number[] }
  | { type: 'stopped'; byKind: Array<[ReadKind, number[]]> }
  /** A read failed (a status other than 200, a lost connection): hookd's bug, the run stops. */
  | { type: 'failed'; message: string };
