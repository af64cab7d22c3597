import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import type { Clock } from '../domain/clock.js';
import { deriveParameters } from '../domain/parameters.js';
import { compilePayloadSchema, InvalidSchemaError } from '../domain/payload-schema.js';
import { EVENT_TYPE_NAME, isOperationalType } from '../domain/subscriptions.js';
import type { EventType } from '../domain/types.js';
import type { Store } from '../store/store.js';
import { ADMIN_ONLY, ANY_KEY } from './auth.js';
import { ApiError, notFound, validationError } from './errors.js';
import { COMMON_ERRORS, errorResponses, iso, listOf, PageQuery, pageOf, Timestamp } from './schemas.js';

// The event catalog (Updox's WebHookEventList, KOMPaaS's event types with their available
// parameters, ApiRTC's objects). Readable by every key kind; written by admins.

const Parameter = Type.Object(
  { path: Type.String({ minLength: 1, maxLength: 256 }), type: Type.String({ maxLength: 64 }), description: Type.String({ maxLength: 1000 }) },
  { additionalProperties: false },
);

const EventTypeFields = {
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  category: Type.Optional(Type.Union([Type.String({ pattern: '^[a-zA-Z0-9_.\\-]{1,64}$' }), Type.Null()])),
  schema: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])),
  examples: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 10 })),
  parameters: Type.Optional(Type.Array(Parameter, { maxItems: 200 })),
};

const CreateEventType = Type.Object(
  { name: Type.String({ pattern: EVENT_TYPE_NAME.source }), ...EventTypeFields },
  { additionalProperties: false },
);

const ReplaceEventType = Type.Object(
  { ...EventTypeFields, archived: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);

const EventTypeView = Type.Object(
  {
    name: Type.String(),
    description: Type.String(),
    category: Type.Union([Type.String(), Type.Null()]),
    schema: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
    examples: Type.Array(Type.Unknown()),
    parameters: Type.Array(Parameter),
    archived: Type.Boolean(),
    builtIn: Type.Boolean(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'EventType' },
);

const NameParams = Type.Object({ name: Type.String({ maxLength: 128 }) });

function eventTypeView(eventType: EventType): Static<typeof EventTypeView> {
  return {
    name: eventType.name,
    description: eventType.description,
    category: eventType.category,
    schema: eventType.schema,
    examples: eventType.examples,
    parameters: eventType.parameters,
    archived: eventType.archived,
    builtIn: eventType.builtIn,
    createdAt: iso(eventType.createdAt),
    updatedAt: iso(eventType.updatedAt),
  };
}

/** A schema must compile, and every example must satisfy it: a catalog that contradicts itself helps nobody. */
function checkSchemaAndExamples(schema: Record<string, unknown> | null, examples: unknown[]): void {
  if (schema === null) return;
  let validate;
  try {
    validate = compilePayloadSchema(schema);
  } catch (error) {
    if (error instanceof InvalidSchemaError) throw validationError('/schema' + error.pointer, `is not a valid JSON Schema: ${error.message}`);
    throw error;
  }
  examples.forEach((example, index) => {
    const problems = validate(example);
    if (problems.length > 0) {
      throw validationError(`/examples/${index}`, `does not match the schema: ${problems[0]!.path} ${problems[0]!.message}`);
    }
  });
}

function checkNotOperational(name: string): void {
  if (isOperationalType(name)) throw new ApiError('forbidden', 'hookd.* event types are built in and cannot be changed');
}

export interface EventTypeRoutesOptions {
  store: Store;
  clock: Clock;
}

export const eventTypeRoutes: FastifyPluginAsyncTypebox<EventTypeRoutesOptions> = async (app, { store, clock }) => {
  app.get(
    '/v1/event-types',
    {
      config: { access: ANY_KEY },
      schema: {
        operationId: 'eventTypes.list',
        summary: 'List event types',
        tags: ['event-types'],
        description: 'The catalog, in name order. Archived types are left out unless includeArchived=true.',
        querystring: Type.Object({
          limit: Type.Optional(PageQuery.limit),
          cursor: Type.Optional(PageQuery.cursor),
          category: Type.Optional(Type.String({ maxLength: 64 })),
          includeArchived: Type.Optional(Type.Boolean()),
        }),
        response: { 200: listOf(EventTypeView), ...COMMON_ERRORS },
      },
    },
    async (request) => {
      const { query } = request;
      const page = await store.listEventTypes({ category: query.category, includeArchived: query.includeArchived }, pageOf(query));
      return { data: page.items.map(eventTypeView), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/v1/event-types',
    {
      config: { access: ADMIN_ONLY },
      schema: {
        operationId: 'eventTypes.create',
        summary: 'Create an event type',
        tags: ['event-types'],
        body: CreateEventType,
        response: { 201: EventTypeView, ...COMMON_ERRORS, ...errorResponses(409, 413, 415) },
      },
    },
    async (request, reply) => {
      const { body } = request;
      checkNotOperational(body.name);
      const schema = body.schema ?? null;
      const examples = body.examples ?? [];
      checkSchemaAndExamples(schema, examples);
      const now = clock.now();
      const created = await store.createEventType({
        name: body.name,
        description: body.description ?? '',
        category: body.category ?? null,
        schema,
        examples,
        parameters: body.parameters ?? deriveParameters(schema, examples),
        archived: false,
        builtIn: false,
        createdAt: now,
        updatedAt: now,
      });
      if (created === null) throw new ApiError('conflict', `event type ${body.name} already exists`);
      return reply.code(201).send(eventTypeView(created));
    },
  );

  app.get(
    '/v1/event-types/:name',
    {
      config: { access: ANY_KEY },
      schema: {
        operationId: 'eventTypes.get',
        summary: 'Get an event type',
        tags: ['event-types'],
        params: NameParams,
        response: { 200: EventTypeView, ...COMMON_ERRORS, ...errorResponses(404) },
      },
    },
    async (request) => {
      const eventType = await store.getEventType(request.params.name);
      if (eventType === null) throw notFound('event type');
      return eventTypeView(eventType);
    },
  );

  app.put(
    '/v1/event-types/:name',
    {
      config: { access: ADMIN_ONLY },
      schema: {
        operationId: 'eventTypes.update',
        summary: 'Replace an event type',
        tags: ['event-types'],
        description: 'Replaces the type\'s description, category, schema, examples and parameters. Absent fields are reset.',
        params: NameParams,
        body: ReplaceEventType,
        response: { 200: EventTypeView, ...COMMON_ERRORS, ...errorResponses(404, 413, 415) },
      },
    },
    async (request) => {
      const { name } = request.params;
      const { body } = request;
      checkNotOperational(name);
      const existing = await store.getEventType(name);
      if (existing === null) throw notFound('event type');
      const schema = body.schema ?? null;
      const examples = body.examples ?? [];
      checkSchemaAndExamples(schema, examples);
      const replaced = await store.replaceEventType({
        ...existing,
        description: body.description ?? '',
        category: body.category ?? null,
        schema,
        examples,
        parameters: body.parameters ?? deriveParameters(schema, examples),
        archived: body.archived ?? existing.archived,
        updatedAt: Math.max(clock.now(), existing.updatedAt + 1),
      });
      if (replaced === null) throw notFound('event type');
      return eventTypeView(replaced);
    },
  );

  app.delete(
    '/v1/event-types/:name',
    {
      config: { access: ADMIN_ONLY },
      schema: {
        operationId: 'eventTypes.archive',
        summary: 'Archive an event type',
        tags: ['event-types'],
        description: 'Archives the type: new events of it are refused in strict mode; stored events are kept.',
        params: NameParams,
        response: { 204: Type.Null(), ...COMMON_ERRORS, ...errorResponses(404, 413, 415) },
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      checkNotOperational(name);
      const existing = await store.getEventType(name);
      if (existing === null) throw notFound('event type');
      await store.replaceEventType({ ...existing, archived: true, updatedAt: Math.max(clock.now(), existing.updatedAt + 1) });
      return reply.code(204).send(null);
    },
  );
};
