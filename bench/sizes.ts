// How much each measurement sends: the full run of the issue, and a quick run for CI (a smoke
// test that the harness works end to end, well under two minutes on two cores).

export interface Sizes {
  /** Requests the baseline sender makes at each concurrency. */
  baselineRequests: number;
  /** Events sent (and received) before each measurement, so that it times a warm process. */
  warmupEvents: number;
  /** Events fanned out to one endpoint. */
  oneEndpointEvents: number;
  /** Events fanned out to ten endpoints (ten times as many deliveries). */
  tenEndpointEvents: number;
  /** Single-event POSTs for the ingest figure. */
  ingestSingles: number;
  /** Events posted in batches for the ingest figure. */
  ingestBatchEvents: number;
  /** How long the steady half load of the latency figure lasts. */
  latencyMs: number;
  /** How long the healthy account of the noisy-tenant scenario is measured, alone and then again beside the noisy one. */
  tenantMs: number;
  /** Events fanned out to the nine healthy endpoints of the noisy-neighbour runs. */
  noisyEvents: number;
  /** Pending deliveries due in the future in the small and the large backlog. */
  backlogSmall: number;
  backlogLarge: number;
  /** Events delivered (to one endpoint) on top of each backlog. */
  backlogEvents: number;
  /** Events delivered to one endpoint by 1, then 2 worker nodes on one PostgreSQL database. */
  nodesEvents: number;
  /** At most this many events streamed while a third node joins (the stream stops at its first attempt). */
  nodesJoinMaxEvents: number;
  /** Events delivered to one endpoint of each destination type (HTTP, RabbitMQ, NATS, Redis). */
  destinationEvents: number;
  /** Events delivered to one endpoint unordered, then to one `fifo` endpoint over FIFO_KEYS ordering keys. */
  fifoEvents: number;
}

/** Ordering keys of the fifo scenario: as many keys, at most, as deliveries in flight to its endpoint. */
export const FIFO_KEYS = 100;

export const FULL: Sizes = {
  baselineRequests: 20_000,
  warmupEvents: 1_000,
  oneEndpointEvents: 20_000,
  tenEndpointEvents: 20_000,
  ingestSingles: 20_000,
  ingestBatchEvents: 100_000,
  latencyMs: 10_000,
  tenantMs: 20_000,
  noisyEvents: 5_000,
  backlogSmall: 1_000,
  backlogLarge: 200_000,
  backlogEvents: 10_000,
  nodesEvents: 20_000,
  nodesJoinMaxEvents: 100_000,
  destinationEvents: 5_000,
  fifoEvents: 20_000,
};

export const QUICK: Sizes = {
  baselineRequests: 4_000,
  warmupEvents: 300,
  oneEndpointEvents: 3_000,
  tenEndpointEvents: 500,
  ingestSingles: 2_000,
  ingestBatchEvents: 10_000,
  latencyMs: 3_000,
  tenantMs: 5_000,
  noisyEvents: 500,
  backlogSmall: 1_000,
  backlogLarge: 20_000,
  backlogEvents: 2_000,
  nodesEvents: 2_000,
  nodesJoinMaxEvents: 20_000,
  destinationEvents: 500,
  fifoEvents: 2_000,
};

/** Events per /v1/events/batch request, and how many such requests are in flight at once. */
export const BATCH_SIZE = 100;
export const BATCH_POSTERS = 4;
/** Concurrent clients posting one event per request (the figure). */
export const SINGLE_CLIENTS = 64;
