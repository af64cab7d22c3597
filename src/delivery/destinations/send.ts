import { brokerMessage, recordedTarget, UnsendableTargetError } from '../../domain/broker-message.js';
import { isBroker } from '../../domain/destination.js';
import type { OutgoingRequest } from '../../domain/request.js';
import { templateContext } from '../../domain/request.js';
import type { EndpointWithSecrets, HookEvent } from '../../domain/types.js';
import { sendWithAuth, type AuthenticatedSender, type SentWithAuth } from '../authenticated-send.js';
import type { BrokerSender } from './broker-sender.js';

// The one seam between an attempt and where it goes: the request built for the endpoint is sent
// over HTTP (with the endpoint's auth) or published to its broker. Everything around it — the
// queue, retries, ordering, pauses, the attempt record — is the same for every destination.

export interface DestinationSenders extends AuthenticatedSender {
  brokers: BrokerSender;
}

export interface SentToDestination extends SentWithAuth {
  /** The attempt's recorded method: the request's, or the broker's verb (`PUBLISH`, `XADD`). */
  method: string;
}

/** Sends `request`; returns what the attempt records as sent (for a broker: the message) and the outcome. */
export async function sendToDestination(
  request: OutgoingRequest,
  endpoint: EndpointWithSecrets | null,
  event: HookEvent,
  timeoutMs: number,
  senders: DestinationSenders,
): Promise<SentToDestination> {
  const destination = endpoint?.destination;
  if (endpoint === null || destination === undefined || !isBroker(destination)) {
    // An endpoint that publishes no more lets go of its broker connection.
    if (endpoint !== null) senders.brokers.forgetEndpoint(endpoint.id);
    return { ...(await sendWithAuth(request, endpoint, timeoutMs, senders)), method: request.method };
  }
  // …and one that no longer sends over HTTP, of its client-certificate connections.
  senders.sender.forgetEndpoint(endpoint.id);
  let message;
  try {
    message = brokerMessage(request, destination, () => templateContext(event, endpoint));
  } catch (error) {
    if (!(error instanceof UnsendableTargetError)) throw error;
    const failed = { statusCode: null, error: 'invalid_request' as const, responseHeaders: {}, responseBody: error.message, durationMs: 0 };
    return { request, sent: failed, method: request.method };
  }
  const sent = await senders.brokers.send(endpoint.id, endpoint.url, destination, message, timeoutMs);
  return { request: { method: 'POST', url: recordedTarget(endpoint.url, message), headers: message.headers, body: message.body }, sent, method: message.verb };
}
