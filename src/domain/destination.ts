import { checkHostLiteral } from './url-guard.js';

// Where an endpoint's deliveries go (issue 18): an HTTP receiver (the default), or a message
// broker — a RabbitMQ exchange, a NATS JetStream subject, a Redis stream. Pure: the shapes, the
// checks made on save, and the broker URL's password kept apart from the URL. The URL shown,
// stored in its column and copied onto every delivery never holds the password: only the
// destination's `password` does, sealed at rest and never shown.

export type BrokerType = 'rabbitmq' | 'nats' | 'redis';

export type BrokerDestination =
  /** Published to `exchange` with publisher confirms and the mandatory flag; `routingKey` is a template. */
  | { type: 'rabbitmq'; exchange: string; routingKey: string; password: string | null }
  /** Published to JetStream on `subject` (a template), acknowledged by the stream that captures it. */
  | { type: 'nats'; subject: string; password: string | null }
  /** XADD to `stream` (a template), trimmed to about `maxLen` entries. */
  | { type: 'redis'; stream: string; maxLen: number; password: string | null };

export type Destination = { type: 'http' } | BrokerDestination;

export const HTTP_DESTINATION: Destination = { type: 'http' };

/** Redis streams keep about this many entries unless the endpoint says otherwise. */
export const DEFAULT_REDIS_MAX_LEN = 100_000;
/** RabbitMQ's routing key when none is given: the event type, what topic exchanges route on. */
export const DEFAULT_ROUTING_KEY = '{{event.type}}';

/** The URL schemes of each broker (the TLS one second). */
const BROKER_SCHEMES: Record<BrokerType, readonly [plain: string, tls: string]> = {
  rabbitmq: ['amqp:', 'amqps:'],
  nats: ['nats:', 'tls:'],
  redis: ['redis:', 'rediss:'],
};

const BROKER_DEFAULT_PORTS: Record<BrokerType, readonly [plain: number, tls: number]> = {
  rabbitmq: [5672, 5671],
  nats: [4222, 4222],
  redis: [6379, 6379],
};

export function isBroker(destination: Destination): destination is BrokerDestination {
  return destination.type !== 'http';
}

/** The destination's templated target: the routing key, subject or stream name. */
export function targetTemplate(destination: BrokerDestination): string {
  switch (destination.type) {
    case 'rabbitmq':
      return destination.routingKey;
    case 'nats':
      return destination.subject;
    case 'redis':
      return destination.stream;
  }
}

/** A copy with the password changed by `change` (sealing, opening); an HTTP destination has none. */
export function mapDestinationPassword(destination: Destination, change: (password: string) => string): Destination {
  if (!isBroker(destination) || destination.password === null) return destination;
  return { ...destination, password: change(destination.password) };
}

/** The destination as the API shows it: never its password, only whether one is stored. */
export type DestinationView =
  | { type: 'http' }
  | { type: 'rabbitmq'; exchange: string; routingKey: string; hasPassword: boolean }
  | { type: 'nats'; subject: string; hasPassword: boolean }
  | { type: 'redis'; stream: string; maxLen: number; hasPassword: boolean };

export function destinationView(destination: Destination): DestinationView {
  if (!isBroker(destination)) return { type: 'http' };
  const { password, ...view } = destination;
  return { ...view, hasPassword: password !== null };
}

/**
 * The URL without its password (the username stays: it names who publishes, it proves nothing).
 * NATS's token goes where a username would (`nats://token@host`): a NATS URL's lone username is
 * that secret, and is kept as the password of a URL without a username (`nats://:token@host` when
 * put back, which `brokerAddress` reads as a token).
 */
export function splitPassword(url: string, type: BrokerType): { url: string; password: string | null } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url, password: null };
  }
  if (type === 'nats' && parsed.password === '' && parsed.username !== '') {
    const token = decodeURIComponent(parsed.username);
    parsed.username = '';
    return { url: parsed.href, password: token };
  }
  if (parsed.password === '') return { url, password: null };
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  return { url: parsed.href, password };
}

/** The URL the broker's client connects with: the stored URL and its password (or NATS token) put back. */
export function withPassword(url: string, password: string | null): string {
  if (password === null) return url;
  const parsed = new URL(url);
  parsed.password = encodeURIComponent(password);
  return parsed.href;
}

export type BrokerUrlCheck = { ok: true } | { ok: false; code: 'invalid_url' | 'url_not_allowed'; reason: string };

/** A broker URL on save: its scheme fits the type, it has a host, and the host passes the URL guard. */
export function checkBrokerUrlOnSave(url: string, type: BrokerType, opts: { allowPrivate: boolean }): BrokerUrlCheck {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, code: 'invalid_url', reason: 'is not a valid URL' };
  }
  const schemes = BROKER_SCHEMES[type];
  if (!schemes.includes(parsed.protocol)) {
    return { ok: false, code: 'invalid_url', reason: `must use ${schemes.map((s) => s.slice(0, -1)).join(' or ')} for a ${type} destination` };
  }
  if (parsed.hostname === '') return { ok: false, code: 'invalid_url', reason: 'must have a host' };
  if (parsed.search !== '' || parsed.hash !== '') return { ok: false, code: 'invalid_url', reason: 'must not have a query or a fragment' };
  if (type === 'redis' && !/^\/?(\d{1,2})?$/.test(parsed.pathname)) {
    return { ok: false, code: 'invalid_url', reason: 'its path must be a database number (redis://host:6379/0)' };
  }
  if (type === 'nats' && parsed.pathname !== '' && parsed.pathname !== '/') return { ok: false, code: 'invalid_url', reason: 'must not have a path' };
  if (opts.allowPrivate) return { ok: true };
  const verdict = checkHostLiteral(parsed.hostname);
  return verdict.allowed ? { ok: true } : { ok: false, code: 'url_not_allowed', reason: verdict.reason };
}

/** Where a broker client connects: parsed once from the URL (with its password). */
export interface BrokerAddress {
  type: BrokerType;
  tls: boolean;
  /** As written: a name is resolved (and guarded) at connect time. */
  host: string;
  port: number;
  username: string | null;
  /** With no username, for NATS: its token. */
  password: string | null;
  /** RabbitMQ's virtual host ("/" by default). */
  vhost: string;
  /** Redis's database number. */
  database: number;
}

export function brokerAddress(type: BrokerType, url: string): BrokerAddress {
  const parsed = new URL(url);
  const tls = parsed.protocol === BROKER_SCHEMES[type][1];
  const host = parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname;
  const path = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  return {
    type,
    tls,
    host,
    port: parsed.port === '' ? BROKER_DEFAULT_PORTS[type][tls ? 1 : 0] : Number(parsed.port),
    username: parsed.username === '' ? null : decodeURIComponent(parsed.username),
    password: parsed.password === '' ? null : decodeURIComponent(parsed.password),
    // amqp://host/ and amqp://host both mean the default vhost "/" (the AMQP URI spec says the
    // empty one, but every broker and client takes "/" for it).
    vhost: path === '' ? '/' : path,
    database: type === 'redis' && path !== '' ? Number(path) : 0,
  };
}
