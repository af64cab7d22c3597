import type { DeliveryStatus } from '@hookd/sdk/client';

// Live updates by polling: a page that shows deliveries asks again while one of them is about to
// change, and stops once all of them have settled (succeeded, failed, dropped, canceled, aborted), so an
// idle dashboard makes no requests.

/** Poll this often while an attempt is in flight or due within the minute. */
export const BUSY_POLL_MS = 1_000;
/** And this often while a delivery waits for a retry further off. */
export const WAITING_POLL_MS = 15_000;
const SOON_MS = 60_000;

export interface LiveDelivery {
  status: DeliveryStatus;
  nextAttemptAt: string | null;
}

/** How soon to ask again for these deliveries; false when none of them will change by itself. */
export function pollInterval(deliveries: readonly LiveDelivery[], now: number = Date.now()): number | false {
  let interval: number | false = false;
  for (const delivery of deliveries) {
    if (delivery.status === 'sending') return BUSY_POLL_MS;
    if (delivery.status !== 'pending') continue;
    const due = delivery.nextAttemptAt === null ? now : Date.parse(delivery.nextAttemptAt);
    if (due - now <= SOON_MS) return BUSY_POLL_MS;
    interval = WAITING_POLL_MS;
  }
  return interval;
}
