// One time base for the bench's processes: wall-clock milliseconds with sub-millisecond
// resolution. The receiver, the load generator and the baseline sender run on one machine, so
// their readings compare directly (a delivery's latency is the receiver's reading minus the
// poster's).

export function benchNow(): number {
  return performance.timeOrigin + performance.now();
}
