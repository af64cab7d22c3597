import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import type { Config } from '../config.js';
import type { Clock } from '../domain/clock.js';
import { newId } from '../domain/ids.js';
import { PayloadValidatorCache } from '../domain/payload-schema.js';
import { isOperationalType } from '../domain/subscriptions.js';
import type { EventType, HookEvent } from '../domain/types.js';
import { checkUrlOnSave } from '../domain/url-guard.js';
import type { EventToPublish, Publisher } from '../ingest/publisher.js';
import type { IngestOutcome, Store } from '../store/store.js';
import { ADMIN_OR_ACCOUNT, principalOf, PUBLISHERS } from './auth.js';
import { deliveryView, DeliveryView } from './delivery-views.js';
import { EventTypeReader } from './event-type-reader.js';
import { ApiError, notFound, validationError } from './errors.js';
import { itemMemberSources, memberSource } from './json-source.js';
import { AccountId, COMMON_ERRORS, errorResponses, IdParams, iso, listOf, PageQuery, pageOf, parseIso, Timestamp } from './schemas.js';
import { assertVisible, listScope } from './scope.js';

// Ingest: the provider posts events; hookd stores each with its deliveries and answers 202 only
// once that transaction has committed.

export const MAX_PAYLOAD_BYTES = 256 * 1024;
export const MAX_BATCH = 500;
/** Single events are capped by MAX_PAYLOAD_BYTES (of the payload's text) after parsing; a batch body by 5 MiB. */
const SINGLE_BODY_LIMIT = MAX_PAYLOAD_BYTES + 64 * 1024;
const BATCH_BODY_LIMIT = 5 * 1024 * 1024;

const EventInput = Type.Object(
  {
    type: Type.String({ pattern: '^[a-zA-Z0-9_.\\-]{1,128}$' }),
    payload: Type.Unknown(),
    accountId: Type.Optional(Type.Union([AccountId, Type.Null()])),
    id: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.:\\-]{1,128}$' })),
    correlationId: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 256, pattern: '^[^\\r\\n\\u0000]*$' }), Type.Null()])),
    callbackUrl: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 2048 }), Type.Null()])),
    occurredAt: Type.Optional(Timestamp),
    // One schema with both types rather than a union: the union's null branch would coerce "" to
    // null, and an empty key must be refused, not read as "no key".
    orderingKey: Type.Optional(
      Type.Unsafe<string | null>({
        type: ['string', 'null'],
        minLength: 1,
        maxLength: 128,
        description:
          'Deliveries to `fifo` endpoints sharing this key are attempted one at a time in ingest order; null (or absent) is one key of its own.',
      }),
    ),
  },
  { additionalProperties: false },
);
type EventInputBody = Static<typeof EventInput>;

const Accepted = Type.Object(
  {
    id: Type.String(),
    type: Type.String(),
    accountId: Type.Union([Type.String(), Type.Null()]),
    deliveries: Type.Integer(),
    createdAt: Timestamp,
  },
  { $id: 'AcceptedEvent' },
);

const EventView = Type.Object(
  {
    id: Type.String(),
    type: Type.String(),
    accountId: Type.Union([Type.String(), Type.Null()]),
    payload: Type.Unknown(),
    correlationId: Type.Union([Type.String(), Type.Null()]),
    callbackUrl: Type.Union([Type.String(), Type.Null()]),
    orderingKey: Type.Union([Type.String(), Type.Null()]),
    occurredAt: Timestamp,
    createdAt: Timestamp,
  },
  { $id: 'Event' },
);

const EventWithDeliveries = Type.Intersect([EventView, Type.Object({ deliveries: Type.Array(DeliveryView) })]);

const ListQuery = Type.Object({
  limit: Type.Optional(PageQuery.limit),
  cursor: Type.Optional(PageQuery.cursor),
  type: Type.Optional(Type.String({ maxLength: 128 })),
  accountId: Type.Optional(AccountId),
  correlationId: Type.Optional(Type.String({ maxLength: 256 })),
  since: Type.Optional(Timestamp),
  until: Type.Optional(Timestamp),
});

const GetQuery = Type.Object({
  payload: Type.Optional(
    Type.Union([Type.Literal('json'), Type.Literal('text')], {
      description:
        '`json` (default): the payload as parsed JSON. `text`: the payload as the exact JSON text the publisher sent (a string), whitespace, number spelling, large integers and key order kept.',
    }),
  ),
});

/** `payloadAs: 'text'` gives the stored text itself: JSON.parse loses integers beyond 2^53 and every spelling. */
function eventView(event: HookEvent, payloadAs: 'json' | 'text' = 'json'): Static<typeof EventView> {
  return {
    id: event.id,
    type: event.type,
    accountId: event.accountId,
    payload: payloadAs === 'text' ? event.payload : (JSON.parse(event.payload) as unknown),
    correlationId: event.correlationId,
    callbackUrl: event.callbackUrl,
    orderingKey: event.orderingKey ?? null,
    occurredAt: iso(event.occurredAt),
    createdAt: iso(event.createdAt),
  };
}

function acceptedView(outcome: Exclude<IngestOutcome, { outcome: 'conflict' }>): Static<typeof Accepted> {
  return {
    id: outcome.event.id,
    type: outcome.event.type,
    accountId: outcome.event.accountId,
    deliveries: outcome.deliveries,
    createdAt: iso(outcome.event.createdAt),
  };
}

export interface EventRoutesOptions {
  store: Store;
  clock: Clock;
  config: Config;
  publisher: Publisher;
}

export const eventRoutes: FastifyPluginAsyncTypebox<EventRoutesOptions> = async (app, { store, clock, config, publisher }) => {
  const validators = new PayloadValidatorCache();
  const catalog = new EventTypeReader(store);

  /**
   * The checks a JSON schema cannot make: catalog, payload schema and size, callback URL.
   * `payloadSource` is the payload's text as the publisher wrote it (cut from the request body),
   * stored and sent as is; the parsed value serves the schema, filters and templates.
   */
  async function toPublish(
    input: EventInputBody,
    pointer: string,
    payloadSource: string | undefined,
    eventTypeOf: (name: string) => Promise<EventType | null> = (name) => catalog.get(name),
  ): Promise<EventToPublish> {
    if (isOperationalType(input.type)) throw validationError(`${pointer}/type`, 'hookd.* events are emitted by hookd only');
    if (input.payload === undefined) throw validationError(`${pointer}/payload`, 'is required');
    // The limit counts the text kept, whitespace included: it is what is stored and sent.
    const payload = payloadSource ?? JSON.stringify(input.payload);
    if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) {
      throw new ApiError('payload_too_large', `${pointer}/payload is larger than ${MAX_PAYLOAD_BYTES} bytes`, [
        { field: `${pointer}/payload`, in: 'body', message: `is larger than ${MAX_PAYLOAD_BYTES} bytes` },
      ]);
    }
    const eventType = await eventTypeOf(input.type);
    if (config.strictEventTypes && (eventType === null || eventType.archived)) {
      throw validationError(`${pointer}/type`, `${input.type} is ${eventType === null ? 'not in the event catalog' : 'archived'}`);
    }
    if (eventType?.schema) {
      const problems = validators.get(eventType.name, eventType.updatedAt, eventType.schema)(input.payload);
      if (problems.length > 0) {
        throw new ApiError(
          'validation_failed',
          `${pointer}/payload does not match the schema of ${eventType.name}`,
          problems.map((problem) => ({ field: `${pointer}/payload${problem.path}`, in: 'body' as const, message: problem.message })),
        );
      }
    }
    const callbackUrl = input.callbackUrl ?? null;
    if (callbackUrl !== null) {
      const check = checkUrlOnSave(callbackUrl, { allowPrivate: config.allowPrivateUrls });
      if (!check.ok) {
        const field = `${pointer}/callbackUrl`;
        if (check.code === 'url_not_allowed') {
          throw new ApiError('url_not_allowed', `${field}: the URL's host is not allowed: ${check.reason}`, [
            { field, in: 'body', message: check.reason },
          ]);
        }
        throw validationError(field, check.reason);
      }
    }
    const now = clock.now();
    return {
      clientId: input.id !== undefined,
      payloadValue: input.payload,
      event: {
        id: input.id ?? newId('evt', now),
        type: input.type,
        accountId: input.accountId ?? null,
        payload,
        correlationId: input.correlationId ?? null,
        callbackUrl,
        occurredAt: parseIso(input.occurredAt) ?? now,
        createdAt: now,
        orderingKey: input.orderingKey ?? null,
      },
    };
  }

  function conflictError(outcomes: IngestOutcome[], pointerOf: (index: number) => string): ApiError | null {
    const index = outcomes.findIndex((outcome) => outcome.outcome === 'conflict');
    if (index < 0) return null;
    const field = `${pointerOf(index)}/id`;
    return new ApiError('conflict', `event id ${outcomes[index]!.event.id} was used more than 24 hours ago`, [
      { field, in: 'body', message: 'was used by an event older than the idempotency window' },
    ]);
  }

  app.post(
    '/v1/events',
    {
      bodyLimit: SINGLE_BODY_LIMIT,
      config: { access: PUBLISHERS, keepJsonText: true },
      schema: {
        operationId: 'events.send',
        summary: 'Send an event',
        tags: ['events'],
        description:
          'Ingests one event. 202 once the event and its deliveries are committed; 200 when `id` repeats an event of the last 24 h.',
        body: EventInput,
        response: { 200: Accepted, 202: Accepted, ...COMMON_ERRORS, ...errorResponses(409, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      const item = await toPublish(request.body, '', memberSource(request.jsonText ?? '', 'payload'));
      const outcomes = await publisher.publish([item]);
      const conflict = conflictError(outcomes, () => '');
      if (conflict !== null) throw conflict;
      const outcome = outcomes[0] as Exclude<IngestOutcome, { outcome: 'conflict' }>;
      return reply.code(outcome.outcome === 'created' ? 202 : 200).send(acceptedView(outcome));
    },
  );

  const Batch = Type.Object(
    { events: Type.Array(EventInput, { minItems: 1, maxItems: MAX_BATCH }) },
    { additionalProperties: false },
  );

  app.post(
    '/v1/events/batch',
    {
      bodyLimit: BATCH_BODY_LIMIT,
      config: { access: PUBLISHERS, keepJsonText: true },
      schema: {
        operationId: 'events.sendBatch',
        summary: 'Send a batch of events',
        tags: ['events'],
        description: `Ingests up to ${MAX_BATCH} events (a body of at most 5 MiB) in one transaction: all are stored, or none.`,
        body: Batch,
        response: {
          202: Type.Object({ data: Type.Array(Type.Intersect([Accepted, Type.Object({ duplicate: Type.Boolean() })])) }),
          ...COMMON_ERRORS,
          ...errorResponses(409, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const { events } = request.body;
      const items: EventToPublish[] = [];
      const eventTypeOf = catalog.forBatch();
      const payloadSources = itemMemberSources(request.jsonText ?? '', 'events', 'payload');
      for (const [index, input] of events.entries()) {
        items.push(await toPublish(input, `/events/${index}`, payloadSources[index], eventTypeOf));
      }
      const outcomes = await publisher.publish(items);
      const conflict = conflictError(outcomes, (index) => `/events/${index}`);
      if (conflict !== null) throw conflict;
      const data = (outcomes as Exclude<IngestOutcome, { outcome: 'conflict' }>[]).map((outcome) => ({
        ...acceptedView(outcome),
        duplicate: outcome.outcome === 'duplicate',
      }));
      return reply.code(202).send({ data });
    },
  );

  app.get(
    '/v1/events',
    {
      config: { access: ADMIN_OR_ACCOUNT },
      schema: {
        operationId: 'events.list',
        summary: 'List events',
        tags: ['events'],
        querystring: ListQuery,
        response: { 200: listOf(EventView), ...COMMON_ERRORS },
      },
    },
    async (request) => {
      const { query } = request;
      const scope = listScope(principalOf(request));
      if (scope !== undefined && query.accountId !== undefined && query.accountId !== scope) {
        return { data: [], nextCursor: null };
      }
      const page = await store.listEvents(
        {
          type: query.type,
          accountId: scope ?? query.accountId,
          correlationId: query.correlationId,
          since: parseIso(query.since),
          until: parseIso(query.until),
        },
        pageOf(query),
      );
      return { data: page.items.map((event) => eventView(event)), nextCursor: page.nextCursor };
    },
  );

  const Replay = Type.Object(
    { endpointIds: Type.Optional(Type.Array(Type.String({ maxLength: 256 }), { minItems: 1, maxItems: 100 })) },
    { additionalProperties: false },
  );

  app.post(
    '/v1/events/:id/replay',
    {
      config: { access: ADMIN_OR_ACCOUNT },
      schema: {
        operationId: 'events.replay',
        summary: 'Replay an event',
        tags: ['events'],
        description:
          'Sends the event again as new deliveries (new webhook-ids): to the endpoints subscribed now and its callbackUrl, or only to `endpointIds`.',
        params: IdParams,
        body: Type.Optional(Replay),
        response: { 202: Type.Object({ id: Type.String(), deliveries: Type.Array(DeliveryView) }), ...COMMON_ERRORS, ...errorResponses(404, 413, 415) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const event = await store.getEvent(request.params.id);
      if (event === null) throw notFound('event');
      assertVisible(principal, event.accountId, 'event');
      const { endpointIds } = request.body ?? {};
      let only = null;
      if (endpointIds !== undefined) {
        const found = await store.getEndpoints(endpointIds);
        only = endpointIds.map((id, index) => {
          const endpoint = found.find((candidate) => candidate.id === id);
          if (endpoint === undefined || (principal.kind === 'account' && endpoint.accountId !== principal.accountId)) {
            throw validationError(`/endpointIds/${index}`, 'no such endpoint');
          }
          return endpoint;
        });
      }
      // An account replaying its event re-sends to its own endpoints only, never the provider's.
      const deliveries = await publisher.redeliver(event, only, (d) => principal.kind !== 'account' || d.accountId === principal.accountId);
      return reply.code(202).send({ id: event.id, deliveries: deliveries.map(deliveryView) });
    },
  );

  app.get(
    '/v1/events/:id',
    {
      config: { access: ADMIN_OR_ACCOUNT },
      schema: {
        operationId: 'events.get',
        summary: 'Get an event with its deliveries',
        description: 'With `?payload=text` the payload is the exact JSON text the publisher sent, as a string.',
        tags: ['events'],
        params: IdParams,
        querystring: GetQuery,
        response: { 200: EventWithDeliveries, ...COMMON_ERRORS, ...errorResponses(404) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const event = await store.getEvent(request.params.id);
      if (event === null) throw notFound('event');
      assertVisible(principal, event.accountId, 'event');
      const deliveries = await store.listDeliveries(
        { eventId: event.id, accountId: listScope(principal) },
        { limit: 250, cursor: null },
      );
      return { ...eventView(event, request.query.payload), deliveries: deliveries.items.map(deliveryView) };
    },
  );
};
