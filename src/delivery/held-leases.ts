// The deliveries a worker holds (waiting in a lane, in flight, or with the result being written)
// and when each one's lease runs out, so that its heartbeat renews those about to run out: an
// attempt slower than the lease (an endpoint with a long timeout) must not be taken by another
// worker, or this one, and sent a second time while it is still in flight.

export class HeldLeases {
  private readonly until = new Map<string, number>();

  hold(deliveryId: string, leaseUntil: number): void {
    this.until.set(deliveryId, leaseUntil);
  }

  /** The delivery is no longer held: finished, handed back, or lost. */
  drop(deliveryId: string): void {
    this.until.delete(deliveryId);
  }

  /** The held deliveries whose lease runs out before `now + withinMs`. */
  dueForRenewal(now: number, withinMs: number): string[] {
    const due: string[] = [];
    for (const [deliveryId, until] of this.until) if (until < now + withinMs) due.push(deliveryId);
    return due;
  }

  /**
   * After renewing `asked`: those `kept` run until `leaseUntil`; the others were lost (taken over by
   * another node, which may happen if this one was taken for dead) and are no longer renewed.
   */
  renewed(asked: string[], kept: string[], leaseUntil: number): void {
    const keptIds = new Set(kept);
    for (const deliveryId of asked) {
      if (!this.until.has(deliveryId)) continue;
      if (keptIds.has(deliveryId)) this.until.set(deliveryId, leaseUntil);
      else this.until.delete(deliveryId);
    }
  }

  get size(): number {
    return this.until.size;
  }
}
