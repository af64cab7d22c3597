import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { jitterOf } from '../domain/retry-schedule.js';
import { authView, type AuthInput, type AuthView } from '../domain/receiver-auth.js';
import { destinationView, HTTP_DESTINATION, type DestinationView } from '../domain/destination.js';
import { EVENT_TYPE_PATTERN } from '../domain/subscriptions.js';
import type { Endpoint } from '../domain/types.js';
import { endpointStateView } from '../domain/endpoint-state.js';
import { AccountId, iso, isoOrNull, NullableTimestamp, Timestamp } from './schemas.js';

// The endpoint resource's schemas: one definition feeds validation, responses and /openapi.json.

/** RFC 9110 token: what a header name may be. */
const HEADER_NAME = "^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$";
/** No CR, LF or NUL: they would let a value smuggle extra headers into the request. */
const NO_CONTROL_BREAKS = '^[^\\r\\n\\u0000]*$';

const Method = Type.Union([Type.Literal('POST'), Type.Literal('PUT'), Type.Literal('PATCH'), Type.Literal('GET')]);

// A record keyed by a pattern checks only the keys that match it: without additionalProperties
// false, a name that is not a token (a space, CR/LF) would skip every check, value included.
const Headers = Type.Record(Type.String({ pattern: HEADER_NAME }), Type.String({ maxLength: 4096, pattern: NO_CONTROL_BREAKS }), {
  maxProperties: 50,
  additionalProperties: false,
});

const QueryParams = Type.Record(
  Type.String({ minLength: 1, maxLength: 256 }),
  Type.String({ maxLength: 4096, pattern: NO_CONTROL_BREAKS }),
  { maxProperties: 50 },
);

const Body = Type.Object(
  {
    format: Type.Union([Type.Literal('standard'), Type.Literal('raw'), Type.Literal('json'), Type.Literal('text')]),
    fields: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Za-z0-9_\\-]+(\\.[A-Za-z0-9_\\-]+)*(:[A-Za-z0-9_\\-]+)?$', maxLength: 256 }), { maxItems: 200 })),
    userParams: Type.Optional(Type.Record(Type.String({ maxLength: 256 }), Type.Unknown(), { maxProperties: 100 })),
    template: Type.Optional(Type.String({ maxLength: 16384 })),
    contentType: Type.Optional(Type.String({ maxLength: 256, pattern: '^[A-Za-z0-9!#$&^_.+\\-]+/[A-Za-z0-9!#$&^_.+\\-]+(\\s*;[^\\r\\n\\u0000]*)?$' })),
  },
  { additionalProperties: false },
);

const RetrySchedule = Type.Union([Type.Literal('exponential'), Type.Literal('fixed'), Type.Literal('custom')]);

const Retry = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean()),
    schedule: Type.Optional(RetrySchedule),
    delaysSeconds: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 604_800 }), { minItems: 1, maxItems: 50 })),
    intervalSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
    maxAttempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    dropOn4xx: Type.Optional(Type.Boolean()),
    jitter: Type.Optional(
      Type.Boolean({ description: 'Spread each delay by ±10 %. Default: true for exponential, false for fixed and custom (exact).' }),
    ),
  },
  { additionalProperties: false },
);

const Signing = Type.Union([Type.Literal('hmac'), Type.Literal('ed25519'), Type.Literal('both')], {
  description: 'How requests are signed: `v1` (HMAC-SHA256), `v1a` (ed25519) or both entries in webhook-signature.',
});

const Ordering = Type.Union([Type.Literal('none'), Type.Literal('fifo')], {
  description:
    '`fifo`: deliveries sharing an event `orderingKey` are attempted one at a time in ingest order (null is one key of its own); different keys go in parallel.',
});

const Filter = Type.Object(
  {
    path: Type.String({ pattern: '^[A-Za-z0-9_\\-]+(\\.[A-Za-z0-9_\\-]+)*$', maxLength: 256 }),
    // One schema with a list of types, not a union: the validator coerces types (for query
    // strings), and with a union whose first member is a string it stored `100` as "100", which
    // never matched the number. With a type list it coerces only what matches none of them.
    in: Type.Array(Type.Unsafe<string | number | boolean | null>({ type: ['string', 'number', 'boolean', 'null'] }), { minItems: 1, maxItems: 100 }),
  },
  { additionalProperties: false },
);

/** Header-safe text: no control characters at all (username, client id, scope…). */
const NO_CONTROLS = '^[^\\u0000-\\u001f\\u007f]*$';
const text = (maxLength: number, description?: string) =>
  Type.String({ minLength: 1, maxLength, pattern: NO_CONTROLS, ...(description === undefined ? {} : { description }) });
const pem = (description: string) => Type.String({ minLength: 1, maxLength: 65_536, description });

/**
 * The fields of each kind of `auth`; `secret` is the kind's one write-only field. oneOf with a
 * discriminator: a bad `auth` is reported against its own kind's fields only.
 */
const AUTH_KINDS = {
  basic: { fields: { username: text(256) }, secret: { password: text(1024, 'Write-only.') } },
  bearer: { fields: {}, secret: { token: Type.String({ minLength: 1, maxLength: 8192, pattern: '^[\\x21-\\x7e]+$', description: 'Write-only.' }) } },
  oauth2: {
    fields: {
      tokenUrl: Type.String({ minLength: 1, maxLength: 2048, description: 'Client-credentials token endpoint; passes the URL guard.' }),
      clientId: text(512),
      scope: Type.Optional(text(1024)),
      audience: Type.Optional(text(2048)),
    },
    secret: { clientSecret: text(2048, 'Write-only.') },
  },
  mtls: {
    fields: { certPem: pem('Client certificate (PEM).'), caPem: Type.Optional(pem("CA the receiver's certificate must chain to (PEM).")) },
    secret: { keyPem: pem('Private key of certPem (PEM, unencrypted). Write-only.') },
  },
} as const;

type Kinds = typeof AUTH_KINDS;

/** `BasicAuth`, `Oauth2Auth`…: the components' names in /openapi.json. */
function authSchemaName(type: keyof Kinds): string {
  return `${type[0]!.toUpperCase()}${type.slice(1)}Auth`;
}

function authOneOf<T>(branch: (type: keyof Kinds) => TSchema, id: string, description: string) {
  // Type.Unsafe: TypeBox's unions are anyOf, and OpenAPI readers want oneOf + discriminator here.
  return Type.Unsafe<T>({
    $id: id,
    type: 'object',
    description,
    oneOf: (Object.keys(AUTH_KINDS) as Array<keyof Kinds>).map(branch),
    discriminator: { propertyName: 'type' },
  });
}

/** `auth` as a client sends it: the secret may be left out of a PATCH to keep the stored one. */
const AuthInputSchema = authOneOf<AuthInput>(
  (type) =>
    Type.Object(
      { type: Type.Literal(type), ...AUTH_KINDS[type].fields, ...Type.Partial(Type.Object(AUTH_KINDS[type].secret)).properties },
      // Named ($id): OpenAPI's discriminator selects only named schemas.
      { additionalProperties: false, $id: `${authSchemaName(type)}Input` },
    ),
  'EndpointAuthInput',
  'How hookd authenticates to the receiver. The secret field (password, token, clientSecret, keyPem) is write-only; leave it out of a PATCH to keep the stored one.',
);

/** `auth` as the API shows it: never the secret. */
const AuthViewSchema = authOneOf<AuthView>(
  (type) => Type.Object({ type: Type.Literal(type), ...AUTH_KINDS[type].fields }, { $id: authSchemaName(type) }),
  'EndpointAuth',
  'How hookd authenticates to the receiver, without its secret (write-only).',
);

const template = (description: string) => Type.String({ minLength: 1, maxLength: 1024, pattern: NO_CONTROLS, description });

/** Each broker's fields (the broker URL is the endpoint's `url`: its password is write-only). */
const DESTINATION_KINDS = {
  http: {},
  rabbitmq: {
    exchange: Type.String({ maxLength: 255, pattern: '^[A-Za-z0-9_.:\\-]*$', description: 'The exchange published to ("" is the default exchange, which routes to the queue named by the routing key).' }),
    routingKey: template('Template; default `{{event.type}}`.'),
  },
  nats: { subject: template('Template, e.g. `hooks.{{event.type}}`; a JetStream stream must capture it.') },
  redis: {
    stream: template('Template: the stream key XADD appends to.'),
    maxLen: Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: 'The stream is trimmed to about this many entries (`MAXLEN ~`). Default 100000.' }),
  },
} as const;

type DestinationKinds = typeof DESTINATION_KINDS;
/** Fields with a default: optional on input. */
const DESTINATION_DEFAULTED = new Set(['routingKey', 'maxLen']);

function destinationSchemaName(type: keyof DestinationKinds): string {
  return `${type === 'rabbitmq' ? 'RabbitMq' : type === 'nats' ? 'Nats' : type === 'redis' ? 'Redis' : 'Http'}Destination`;
}

function destinationOneOf<T>(branch: (type: keyof DestinationKinds) => TSchema, id: string, description: string) {
  return Type.Unsafe<T>({
    $id: id,
    type: 'object',
    description,
    oneOf: (Object.keys(DESTINATION_KINDS) as Array<keyof DestinationKinds>).map(branch),
    discriminator: { propertyName: 'type' },
  });
}

const DestinationInputSchema = destinationOneOf<DestinationInput>(
  (type) => {
    const fields = Object.fromEntries(
      Object.entries(DESTINATION_KINDS[type]).map(([name, schema]) => [name, DESTINATION_DEFAULTED.has(name) ? Type.Optional(schema) : schema]),
    );
    return Type.Object({ type: Type.Literal(type), ...fields }, { additionalProperties: false, $id: `${destinationSchemaName(type)}Input` });
  },
  'EndpointDestinationInput',
  'Where deliveries go: `http` (the default) sends to `url`; `rabbitmq`, `nats` and `redis` publish to the broker at `url` ' +
    '(amqp[s]://user:password@host:5672/vhost, nats://user:password@host:4222 or tls://, redis[s]://user:password@host:6379/0). ' +
    "The URL's password is write-only: a PATCH whose broker URL has none keeps the stored one.",
);

/** Read-only, on broker destinations: a form can say a password is stored without ever showing it. */
const HasPassword = Type.Boolean({ readOnly: true, description: "Read-only: whether a password (NATS: a token) is stored for the broker URL. The password itself is never shown." });

const DestinationViewSchema = destinationOneOf<DestinationView>(
  (type) => Type.Object({ type: Type.Literal(type), ...DESTINATION_KINDS[type], ...(type === 'http' ? {} : { hasPassword: HasPassword }) }, { $id: destinationSchemaName(type) }),
  'EndpointDestination',
  'Where deliveries go; the broker URL is the endpoint\'s `url`, shown without its password.',
);

/** Every field a client may set; POST requires `url`, PATCH none. */
const EndpointFields = {
  accountId: Type.Optional(Type.Union([AccountId, Type.Null()])),
  url: Type.String({ minLength: 1, maxLength: 2048 }),
  title: Type.Optional(Type.String({ maxLength: 200 })),
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  eventTypes: Type.Optional(Type.Array(Type.String({ pattern: EVENT_TYPE_PATTERN.source }), { maxItems: 200 })),
  active: Type.Optional(Type.Boolean()),
  method: Type.Optional(Method),
  headers: Type.Optional(Headers),
  queryParams: Type.Optional(QueryParams),
  body: Type.Optional(Body),
  retry: Type.Optional(Retry),
  timeoutMs: Type.Optional(Type.Integer({ minimum: 1000, maximum: 60_000 })),
  rateLimitPerSecond: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 100_000 }), Type.Null()])),
  filter: Type.Optional(Type.Union([Filter, Type.Null()])),
  signing: Type.Optional(Signing),
  ordering: Type.Optional(Ordering),
  auth: Type.Optional(Type.Union([AuthInputSchema, Type.Null()])),
  destination: Type.Optional(DestinationInputSchema),
};

/** A client's own ed25519 key: write-only, like the `whsk_` keys hookd makes (only the public key is shown). */
export const SigningKeyInput = Type.String({
  maxLength: 200,
  description:
    'Your own ed25519 signing key, `whsk_` + base64 of the 32-byte seed or of the 64-byte seed+public key; only with `signing` ed25519 or both. Write-only: the answer shows its public key. hookd generates one when left out.',
});

export const CreateEndpoint = Type.Object(
  {
    ...EndpointFields,
    secret: Type.Optional(Type.String({ maxLength: 200 })),
    signingKey: Type.Optional(SigningKeyInput),
  },
  { additionalProperties: false },
);
export type CreateEndpointBody = Static<typeof CreateEndpoint>;

export const PatchEndpoint = Type.Object(
  { ...EndpointFields, url: Type.Optional(EndpointFields.url) },
  { additionalProperties: false },
);
export type PatchEndpointBody = Static<typeof PatchEndpoint>;

/** `destination` as a client sends it: the defaulted fields may be left out. */
export type DestinationInput =
  | { type: 'http' }
  | { type: 'rabbitmq'; exchange: string; routingKey?: string }
  | { type: 'nats'; subject: string }
  | { type: 'redis'; stream: string; maxLen?: number };

/** Read-only: whether the receiver has paused the endpoint (Retry-After, circuit breaker), and its concurrency. */
const EndpointState = Type.Object({
  mode: Type.Union([Type.Literal('normal'), Type.Literal('throttled'), Type.Literal('paused')]),
  until: NullableTimestamp,
  reason: Type.Union([Type.String(), Type.Null()]),
  concurrency: Type.Integer({ description: 'Attempts in flight at once to this endpoint (per node).' }),
});

/** What an endpoint's `state` is computed with: the time, and the configured concurrency per endpoint. */
export interface EndpointViewContext {
  now: number;
  concurrency: number;
}

export const EndpointView = Type.Object(
  {
    id: Type.String(),
    accountId: Type.Union([Type.String(), Type.Null()]),
    url: Type.String(),
    title: Type.String(),
    description: Type.String(),
    eventTypes: Type.Array(Type.String()),
    active: Type.Boolean(),
    method: Method,
    headers: Type.Record(Type.String(), Type.String()),
    queryParams: Type.Record(Type.String(), Type.String()),
    body: Body,
    retry: Type.Object({
      enabled: Type.Boolean(),
      schedule: RetrySchedule,
      delaysSeconds: Type.Optional(Type.Array(Type.Integer())),
      intervalSeconds: Type.Optional(Type.Integer()),
      maxAttempts: Type.Optional(Type.Integer()),
      dropOn4xx: Type.Boolean(),
      jitter: Type.Boolean(),
    }),
    timeoutMs: Type.Integer(),
    rateLimitPerSecond: Type.Union([Type.Integer(), Type.Null()]),
    filter: Type.Union([Filter, Type.Null()]),
    disabledReason: Type.Union([Type.String(), Type.Null()]),
    signing: Signing,
    ordering: Ordering,
    auth: Type.Union([AuthViewSchema, Type.Null()]),
    destination: DestinationViewSchema,
    state: EndpointState,
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Endpoint' },
);
export type EndpointViewBody = Static<typeof EndpointView>;

export const CreatedEndpoint = Type.Intersect([EndpointView, Type.Object({ secret: Type.String() })]);

export function endpointView(endpoint: Endpoint, context: EndpointViewContext): EndpointViewBody {
  const state = endpointStateView(endpoint.control ?? { pausedUntil: null, pauseReason: null, concurrencyLimit: null }, context.now, context.concurrency);
  return {
    id: endpoint.id,
    accountId: endpoint.accountId,
    url: endpoint.url,
    title: endpoint.title,
    description: endpoint.description,
    eventTypes: endpoint.eventTypes,
    active: endpoint.active,
    method: endpoint.method,
    headers: endpoint.headers,
    queryParams: endpoint.queryParams,
    body: endpoint.body,
    retry: { ...endpoint.retry, jitter: jitterOf(endpoint.retry) },
    timeoutMs: endpoint.timeoutMs,
    rateLimitPerSecond: endpoint.rateLimitPerSecond,
    filter: endpoint.filter,
    disabledReason: endpoint.disabledReason,
    signing: endpoint.signing,
    ordering: endpoint.ordering,
    auth: endpoint.auth === null ? null : authView(endpoint.auth),
    destination: destinationView(endpoint.destination ?? HTTP_DESTINATION),
    state: { ...state, until: isoOrNull(state.until) },
    createdAt: iso(endpoint.createdAt),
    updatedAt: iso(endpoint.updatedAt),
  };
}
