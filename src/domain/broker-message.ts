import type { BrokerDestination } from './destination.js';
import { renderCached, type OutgoingRequest, type TemplateContext } from './request.js';

// The message a broker destination gets for one attempt: the request hookd would POST — the same
// body and headers, Standard Webhooks signature included — published instead of sent, to a target
// (routing key, subject, stream) rendered from the destination's template. Pure, so the preview
// and the worker publish the same message.

export interface BrokerMessage {
  /** RabbitMQ's exchange ("" is the default exchange); null for the others. */
  exchange: string | null;
  /** The rendered routing key, subject or stream name. */
  target: string;
  /** The request's headers, lower-case: webhook-id, webhook-timestamp, webhook-signature, content-type… */
  headers: Record<string, string>;
  body: string;
  /** What the attempt records as its method: `PUBLISH` (RabbitMQ, NATS) or `XADD` (Redis). */
  verb: 'PUBLISH' | 'XADD';
}

export class UnsendableTargetError extends Error {}

/** RabbitMQ's routing keys are short strings (AMQP 0-9-1: at most 255 bytes). */
const MAX_ROUTING_KEY_BYTES = 255;
/** NATS subjects: dot-separated tokens, none empty, no whitespace, no wildcards (publishing to one is refused). */
const NATS_SUBJECT = /^[^\s.*>]+(\.[^\s.*>]+)*$/;

/**
 * The message for `request` (built for the endpoint with method POST). A rendered target the
 * broker would refuse (an empty stream name, a subject with a space from the payload) is an
 * UnsendableTargetError: the attempt fails as `invalid_request`, like a request that cannot be built.
 */
export function brokerMessage(request: OutgoingRequest, destination: BrokerDestination, context: () => TemplateContext): BrokerMessage {
  const body = request.body ?? '';
  const headers = request.headers;
  switch (destination.type) {
    case 'rabbitmq': {
      const target = render(destination.routingKey, context);
      if (Buffer.byteLength(target) > MAX_ROUTING_KEY_BYTES) throw new UnsendableTargetError(`the routing key is longer than ${MAX_ROUTING_KEY_BYTES} bytes`);
      return { exchange: destination.exchange, target, headers, body, verb: 'PUBLISH' };
    }
    case 'nats': {
      const target = render(destination.subject, context);
      if (!NATS_SUBJECT.test(target)) throw new UnsendableTargetError(`"${target.slice(0, 100)}" is not a NATS subject one can publish to`);
      return { exchange: null, target, headers, body, verb: 'PUBLISH' };
    }
    case 'redis': {
      const target = render(destination.stream, context);
      if (target === '') throw new UnsendableTargetError('the stream name is empty');
      return { exchange: null, target, headers, body, verb: 'XADD' };
    }
  }
}

function render(source: string, context: () => TemplateContext): string {
  return source.includes('{{') ? renderCached(source, context()) : source;
}

/**
 * Where the attempt record says the message went: the broker URL (never its password) with the
 * target as its fragment — `amqp://hookd@mq:5672/#hooks/order.created`, `nats://nats:4222#hooks.order`,
 * `redis://cache:6379/0#hooks`.
 */
export function recordedTarget(storedUrl: string, message: BrokerMessage): string {
  const where = message.exchange === null ? message.target : `${message.exchange}/${message.target}`;
  return `${storedUrl}#${where}`;
}
