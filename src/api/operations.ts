import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import type { Config } from '../config.js';
import type { Clock } from '../domain/clock.js';
import { isOperationalType } from '../domain/subscriptions.js';
import type { Operation } from '../domain/types.js';
import { checkUrlOnSave } from '../domain/url-guard.js';
import type { Operations } from '../operations/operations.js';
import type { Store } from '../store/store.js';
import { ADMIN_OR_ACCOUNT, principalOf, PUBLISHERS } from './auth.js';
import { deliveryView, DeliveryView } from './delivery-views.js';
import { ApiError, notFound, validationError } from './errors.js';
import { MAX_PAYLOAD_BYTES } from './events.js';
import { AccountId, COMMON_ERRORS, errorResponses, iso, isoOrNull, listOf, NullableTimestamp, PageQuery, pageOf, Timestamp } from './schemas.js';
import { assertVisible, listScope } from './scope.js';

// Operations with a protocol number (seed 000): request, complete, poll.

export const DEFAULT_OPERATION_TIMEOUT_SECONDS = 3600;

const StatusSchema = Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('timed_out')]);

const CreateOperation = Type.Object(
  {
    type: Type.String({ pattern: '^[a-zA-Z0-9_.\\-]{1,128}$' }),
    accountId: Type.Optional(Type.Union([AccountId, Type.Null()])),
    subject: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 256 }), Type.Null()])),
    callbackUrl: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 2048 }), Type.Null()])),
    timeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 604_800 })),
    data: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);

const CompleteOperation = Type.Object(
  { status: Type.Union([Type.Literal('succeeded'), Type.Literal('failed')]), data: Type.Optional(Type.Unknown()) },
  { additionalProperties: false },
);

const OperationView = Type.Object(
  {
    protocol: Type.String(),
    type: Type.String(),
    accountId: Type.Union([Type.String(), Type.Null()]),
    subject: Type.Union([Type.String(), Type.Null()]),
    callbackUrl: Type.Union([Type.String(), Type.Null()]),
    status: StatusSchema,
    late: Type.Boolean(),
    data: Type.Unknown(),
    result: Type.Unknown(),
    requestedAt: Timestamp,
    expiresAt: Timestamp,
    timedOutAt: NullableTimestamp,
    completedAt: NullableTimestamp,
  },
  { $id: 'Operation' },
);

const ProtocolParams = Type.Object({ protocol: Type.String({ maxLength: 64 }) });

function operationView(operation: Operation): Static<typeof OperationView> {
  return {
    protocol: operation.protocol,
    type: operation.type,
    accountId: operation.accountId,
    subject: operation.subject,
    callbackUrl: operation.callbackUrl,
    status: operation.status,
    late: operation.late,
    data: operation.requestData === null ? null : (JSON.parse(operation.requestData) as unknown),
    result: operation.resultData === null ? null : (JSON.parse(operation.resultData) as unknown),
    requestedAt: iso(operation.requestedAt),
    expiresAt: iso(operation.expiresAt),
    timedOutAt: isoOrNull(operation.timedOutAt),
    completedAt: isoOrNull(operation.completedAt),
  };
}

function dataText(data: unknown, field: string): string | null {
  if (data === undefined) return null;
  const text = JSON.stringify(data);
  if (Buffer.byteLength(text) > MAX_PAYLOAD_BYTES) {
    throw new ApiError('payload_too_large', `${field} is larger than ${MAX_PAYLOAD_BYTES} bytes`, [
      { field, in: 'body', message: `is larger than ${MAX_PAYLOAD_BYTES} bytes` },
    ]);
  }
  return text;
}

export interface OperationRoutesOptions {
  store: Store;
  clock: Clock;
  config: Config;
  operations: Operations;
}

export const operationRoutes: FastifyPluginAsyncTypebox<OperationRoutesOptions> = async (app, { store, clock, config, operations }) => {
  app.post(
    '/v1/operations',
    {
      config: { access: PUBLISHERS },
      schema: {
        operationId: 'operations.create',
        summary: 'Start an operation',
        tags: ['operations'],
        description:
          'Starts tracking a long-running action. Answers at once with its protocol number; a webhook of `type` follows when it completes or times out.',
        body: CreateOperation,
        response: {
          202: Type.Object({ protocol: Type.String(), status: Type.Literal('pending'), expiresAt: Timestamp }),
          ...COMMON_ERRORS,
          ...errorResponses(413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const { body } = request;
      if (isOperationalType(body.type)) throw validationError('/type', 'hookd.* types are emitted by hookd only');
      if (config.strictEventTypes) {
        const eventType = await store.getEventType(body.type);
        if (eventType === null || eventType.archived) {
          throw validationError('/type', `${body.type} is ${eventType === null ? 'not in the event catalog' : 'archived'}`);
        }
      }
      const callbackUrl = body.callbackUrl ?? null;
      if (callbackUrl !== null) {
        const check = checkUrlOnSave(callbackUrl, { allowPrivate: config.allowPrivateUrls });
        if (!check.ok) {
          if (check.code === 'url_not_allowed') {
            throw new ApiError('url_not_allowed', `/callbackUrl: the URL's host is not allowed: ${check.reason}`, [
              { field: '/callbackUrl', in: 'body', message: check.reason },
            ]);
          }
          throw validationError('/callbackUrl', check.reason);
        }
      }
      const now = clock.now();
      const operation: Operation = {
        protocol: randomUUID(),
        type: body.type,
        accountId: body.accountId ?? null,
        subject: body.subject ?? null,
        callbackUrl,
        requestData: dataText(body.data, '/data'),
        resultData: null,
        status: 'pending',
        late: false,
        requestedAt: now,
        expiresAt: now + (body.timeoutSeconds ?? DEFAULT_OPERATION_TIMEOUT_SECONDS) * 1000,
        timedOutAt: null,
        completedAt: null,
      };
      await store.createOperation(operation);
      return reply.code(202).send({ protocol: operation.protocol, status: 'pending', expiresAt: iso(operation.expiresAt) });
    },
  );

  app.post(
    '/v1/operations/:protocol/complete',
    {
      config: { access: PUBLISHERS },
      schema: {
        operationId: 'operations.complete',
        summary: 'Complete an operation',
        tags: ['operations'],
        description:
          "The provider's worker reports the outcome. A completion after the timeout is accepted and delivered with `late: true`. 409 when it already has an outcome.",
        params: ProtocolParams,
        body: CompleteOperation,
        response: { 202: OperationView, ...COMMON_ERRORS, ...errorResponses(404, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const { protocol } = request.params;
      const { body } = request;
      const completed = await operations.complete(protocol, body.status, dataText(body.data, '/data'));
      if (completed.result === 'not_found') throw notFound('operation');
      if (completed.result === 'already_completed') {
        throw new ApiError('conflict', `operation ${protocol} already ${completed.operation.status}`);
      }
      return reply.code(202).send(operationView(completed.operation));
    },
  );

  app.get(
    '/v1/operations/:protocol',
    {
      config: { access: ADMIN_OR_ACCOUNT },
      schema: {
        operationId: 'operations.get',
        summary: 'Get an operation',
        tags: ['operations'],
        description: 'The polling fallback: status, timestamps and the deliveries of its webhooks.',
        params: ProtocolParams,
        response: { 200: Type.Intersect([OperationView, Type.Object({ deliveries: Type.Array(DeliveryView) })]), ...COMMON_ERRORS, ...errorResponses(404) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const operation = await store.getOperation(request.params.protocol);
      if (operation === null) throw notFound('operation');
      assertVisible(principal, operation.accountId, 'operation');
      const deliveries = await store.listDeliveries(
        { correlationId: operation.protocol, accountId: listScope(principal) },
        { limit: 250, cursor: null },
      );
      return { ...operationView(operation), deliveries: deliveries.items.map(deliveryView) };
    },
  );

  const ListQuery = Type.Object({
    limit: Type.Optional(PageQuery.limit),
    cursor: Type.Optional(PageQuery.cursor),
    status: Type.Optional(StatusSchema),
    type: Type.Optional(Type.String({ maxLength: 128 })),
    accountId: Type.Optional(AccountId),
  });

  app.get(
    '/v1/operations',
    {
      config: { access: ADMIN_OR_ACCOUNT },
      schema: {
        operationId: 'operations.list',
        summary: 'List operations',
        tags: ['operations'],
        querystring: ListQuery,
        response: { 200: listOf(OperationView), ...COMMON_ERRORS },
      },
    },
    async (request) => {
      const { query } = request;
      const scope = listScope(principalOf(request));
      if (scope !== undefined && query.accountId !== undefined && query.accountId !== scope) return { data: [], nextCursor: null };
      const page = await store.listOperations(
        { status: query.status, type: query.type, accountId: scope ?? query.accountId },
        pageOf(query),
      );
      return { data: page.items.map(operationView), nextCursor: page.nextCursor };
    },
  );
};
