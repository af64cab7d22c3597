import { setFlagsFromString } from 'node:v8';

// A server's memory should track what it holds, not how fast it allocates. By default V8 lets the
// old generation grow up to four times what survived the last full collection before collecting
// again; under a steady stream of deliveries that is 100+ MB of garbage on top of ~30 MB live.
// Growing by half instead costs a few more incremental collections (no measurable CPU in the
// benchmark, see docs/performance.md) and keeps a busy node's resident memory well under 200 MB.

export function boundHeapGrowth(): void {
  setFlagsFromString('--heap-growing-percent=50');
}
