import type { Clock } from '../domain/clock.js';
import { newId } from '../domain/ids.js';
import { DELIVERY_FAILED, ENDPOINT_DISABLED, ENDPOINT_PAUSED, ENDPOINT_RESUMED } from '../domain/operational-events.js';
import { isOperationalType } from '../domain/subscriptions.js';
import type { ClaimedDelivery, Endpoint } from '../domain/types.js';
import type { AttemptRecord } from '../store/store.js';
import type { Publisher } from './publisher.js';

// hookd's own events, published like any other so endpoints can subscribe to them. A delivery of
// a hookd.* event never causes another hookd.* event: that is what keeps them from looping.

export class OperationalEvents {
  constructor(
    private readonly publisher: Publisher,
    private readonly clock: Clock,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** After a delivery's state is committed: retries exhausted, or a 410 that disabled its endpoint. */
  deliveryRecorded(delivery: ClaimedDelivery, record: AttemptRecord): void {
    if (isOperationalType(delivery.eventType) || record.attempt === null) return;
    if (record.status === 'failed') {
      // One per exhausted delivery: stored only when an endpoint subscribes to it (issue 19).
      this.publish(
        DELIVERY_FAILED,
        delivery.accountId,
        {
          deliveryId: delivery.id,
          eventId: delivery.eventId,
          eventType: delivery.eventType,
          endpointId: delivery.endpointId,
          url: delivery.url,
          attempts: delivery.attempts + 1,
          lastStatusCode: record.lastStatusCode,
          lastError: record.lastError,
        },
        { onlyIfHeard: true },
      );
    }
    if (record.disableEndpoint !== null && delivery.endpointId !== null) {
      this.publish(ENDPOINT_DISABLED, delivery.accountId, {
        endpointId: delivery.endpointId,
        url: delivery.url,
        reason: record.disableEndpoint,
      });
    }
  }

  endpointDisabled(endpoint: Endpoint): void {
    this.publish(ENDPOINT_DISABLED, endpoint.accountId, {
      endpointId: endpoint.id,
      url: endpoint.url,
      reason: endpoint.disabledReason,
    });
  }

  /** A pause began (`until`, `reason`) or ended (`by` the receiver's answer or the resume route), once across nodes. */
  endpointPaused(endpoint: Endpoint, until: number, reason: string): void {
    this.publish(ENDPOINT_PAUSED, endpoint.accountId, { endpointId: endpoint.id, url: endpoint.url, until: new Date(until).toISOString(), reason });
  }

  endpointResumed(endpoint: Endpoint, by: 'receiver' | 'api'): void {
    this.publish(ENDPOINT_RESUMED, endpoint.accountId, { endpointId: endpoint.id, url: endpoint.url, by });
  }

  /**
   * `onlyIfHeard`: not stored when no endpoint subscribes. hookd.endpoint.disabled is always stored
   * (at most one per endpoint disabled, and the event list is where an operator finds it).
   */
  private publish(type: string, accountId: string | null, payload: Record<string, unknown>, options = { onlyIfHeard: false }): void {
    const now = this.clock.now();
    const item = {
      clientId: false,
      payloadValue: payload,
      event: { id: newId('evt', now), type, accountId, payload: JSON.stringify(payload), correlationId: null, callbackUrl: null, occurredAt: now, createdAt: now },
    };
    void (options.onlyIfHeard ? this.publisher.publishIfHeard(item) : this.publisher.publish([item])).catch(this.onError);
  }
}
