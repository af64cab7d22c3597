import { HookdError, type Hookd } from '@hookd/sdk';
import { deliveryIdOfMessage } from '../domain/ids.js';

// Which endpoint sent a webhook that `hookd listen` received. Two endpoints can share a receiver
// URL (and all of them share it while someone tries hookd out), so the URL says nothing: the
// webhook-id names the delivery, the delivery its endpoint, the endpoint its title. Asked of hookd
// with --key; remembered per endpoint, so a burst costs one endpoint lookup.

export interface SendingEndpoint {
  id: string;
  title: string | null;
}

export type EndpointOfWebhook = { known: true; endpoint: SendingEndpoint } | { known: false; reason: string };

/** How long a lookup may hold up the answer to hookd (whose attempt is waiting for it). */
const LOOKUP_TIMEOUT_MS = 2000;

export class EndpointNames {
  readonly #hookd: Hookd;
  readonly #titles = new Map<string, Promise<string | null>>();

  constructor(hookd: Hookd) {
    this.#hookd = hookd;
  }

  async of(webhookId: string | undefined): Promise<EndpointOfWebhook> {
    const deliveryId = webhookId === undefined ? null : deliveryIdOfMessage(webhookId);
    if (deliveryId === null) return { known: false, reason: 'no webhook-id from hookd' };
    try {
      const options = { signal: AbortSignal.timeout(LOOKUP_TIMEOUT_MS) };
      const delivery = await this.#hookd.deliveries.get(deliveryId, options);
      if (delivery.endpointId === null) return { known: true, endpoint: { id: 'callback', title: 'the event’s callbackUrl' } };
      const endpointId = delivery.endpointId;
      let title = this.#titles.get(endpointId);
      if (title === undefined) {
        title = this.#hookd.endpoints.get(endpointId, options).then((endpoint) => endpoint.title || null);
        this.#titles.set(endpointId, title);
        title.catch(() => this.#titles.delete(endpointId));
      }
      return { known: true, endpoint: { id: endpointId, title: await title } };
    } catch (error) {
      if (error instanceof HookdError) {
        return { known: false, reason: error.status === 404 ? 'not a delivery of this hookd' : `${error.status} ${error.code}` };
      }
      return { known: false, reason: (error as Error).message };
    }
  }
}
