import type { DestinationType, Endpoint } from '@hookd/sdk/client';

// Where a broker message went, in words: RabbitMQ's exchange and routing key, NATS's subject,
// Redis's stream. An attempt records it as its request URL's fragment (`amqp://mq/#hooks/order.created`,
// the exchange first: exchange names hold no "/"), so the attempt views read it back from there.

type BrokerType = Exclude<DestinationType, 'http'>;

export interface BrokerTargetParts {
  type: BrokerType;
  /** RabbitMQ only ("" is the default exchange). */
  exchange: string | null;
  target: string;
}

const SCHEMES: Record<string, BrokerType> = { 'amqp:': 'rabbitmq', 'amqps:': 'rabbitmq', 'nats:': 'nats', 'tls:': 'nats', 'redis:': 'redis', 'rediss:': 'redis' };

export const BROKER_NAME: Record<BrokerType, string> = { rabbitmq: 'RabbitMQ', nats: 'NATS', redis: 'Redis' };

/** Whether a delivery's URL is a broker's (deliveries record the URL without the target). */
export function isBrokerUrl(url: string): boolean {
  const scheme = /^[a-z]+:/.exec(url)?.[0];
  return scheme !== undefined && scheme in SCHEMES;
}

/** The target of an attempt whose request URL is a broker's, else null (an HTTP attempt). */
export function attemptTarget(requestUrl: string | null): BrokerTargetParts | null {
  if (requestUrl === null) return null;
  const scheme = /^[a-z]+:/.exec(requestUrl)?.[0];
  const type = scheme === undefined ? undefined : SCHEMES[scheme];
  const hash = requestUrl.indexOf('#');
  if (type === undefined || hash < 0) return null;
  const where = requestUrl.slice(hash + 1);
  if (type !== 'rabbitmq') return { type, exchange: null, target: where };
  const slash = where.indexOf('/');
  return { type, exchange: where.slice(0, slash), target: where.slice(slash + 1) };
}

export function BrokerTarget({ parts }: { parts: BrokerTargetParts }) {
  return (
    <p className="small" data-testid="broker-target">
      {BROKER_NAME[parts.type]}{' '}
      {parts.type === 'rabbitmq' ? (
        <>
          exchange <code>{parts.exchange === '' ? '(default)' : parts.exchange}</code>, routing key <code>{parts.target}</code>
        </>
      ) : (
        <>
          {parts.type === 'nats' ? 'subject' : 'stream'} <code>{parts.target}</code>
        </>
      )}
    </p>
  );
}

/** An endpoint's destination in a few words: its method for HTTP, the broker's name otherwise. */
export function destinationLabel(endpoint: Pick<Endpoint, 'method' | 'destination'>): string {
  const type = endpoint.destination?.type ?? 'http';
  return type === 'http' ? endpoint.method : BROKER_NAME[type];
}

/** An endpoint's destination as the configuration lists it. */
export function destinationText(destination: Endpoint['destination'] | undefined): string {
  switch (destination?.type ?? 'http') {
    case 'rabbitmq': {
      const d = destination as Extract<Endpoint['destination'], { type: 'rabbitmq' }>;
      return `RabbitMQ exchange ${d.exchange === '' ? '(default)' : d.exchange}, routing key ${d.routingKey}`;
    }
    case 'nats':
      return `NATS JetStream subject ${(destination as Extract<Endpoint['destination'], { type: 'nats' }>).subject}`;
    case 'redis': {
      const d = destination as Extract<Endpoint['destination'], { type: 'redis' }>;
      return `Redis stream ${d.stream}, about ${d.maxLen} entries kept`;
    }
    default:
      return 'HTTP request';
  }
}
