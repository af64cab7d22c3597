import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import type { Clock } from '../domain/clock.js';
import { keysThatSign } from '../domain/endpoint-keys.js';
import { newId } from '../domain/ids.js';
import type { Attempt, Endpoint } from '../domain/types.js';
import type { Publisher } from '../ingest/publisher.js';
import type { AttemptBucket, Store } from '../store/store.js';
import { ADMIN_OR_ACCOUNT } from './auth.js';
import { attemptView, AttemptView, DeliveryView, deliveryView } from './delivery-views.js';
import { loadVisibleEndpoint } from './endpoints.js';
import { brokerMessage, recordedTarget, UnsendableTargetError } from '../domain/broker-message.js';
import { isBroker } from '../domain/destination.js';
import { buildRequest, templateContext } from '../domain/request.js';
import { USER_AGENT } from '../version.js';
import { principalOf } from './auth.js';
import { CreateEndpoint, endpointView, EndpointView } from './endpoint-schemas.js';
import { checkSpec, specFromCreate, type SpecCheckContext } from './endpoint-spec.js';
import { TemplateOutputTooLargeError } from '../domain/templates.js';
import { ApiError, validationError } from './errors.js';
import { ownAccountId } from './scope.js';
import { COMMON_ERRORS, errorResponses, IdParams, iso, Timestamp } from './schemas.js';

// What an operator or a customer does with an endpoint besides configuring it: send a test,
// recover failed deliveries after an outage, look at its health.

const TestBody = Type.Object(
  {
    eventType: Type.Optional(Type.String({ pattern: '^[a-zA-Z0-9_.\\-]{1,128}$' })),
    payload: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);

const StatsWindow = Type.Object({
  attempts: Type.Object({ total: Type.Integer(), succeeded: Type.Integer(), failed: Type.Integer() }),
  latencyMs: Type.Object({
    p50: Type.Union([Type.Integer(), Type.Null()]),
    p90: Type.Union([Type.Integer(), Type.Null()]),
    p99: Type.Union([Type.Integer(), Type.Null()]),
  }),
});

const SeriesBucket = Type.Object({
  start: Timestamp,
  succeeded: Type.Integer(),
  failed: Type.Integer(),
  latencyMs: Type.Object({ p50: Type.Union([Type.Integer(), Type.Null()]), p99: Type.Union([Type.Integer(), Type.Null()]) }),
});

const HOUR_MS = 3600_000;
/** The chart's span: one bucket per hour of the last day, the current (partial) hour last. */
const SERIES_HOURS = 24;

/** Hourly buckets of the last day from `since`, every hour present (zero when nothing was attempted). */
function hourlySeries(found: readonly AttemptBucket[], since: number): Static<typeof SeriesBucket>[] {
  const byStart = new Map(found.map((bucket) => [bucket.start, bucket]));
  return Array.from({ length: SERIES_HOURS }, (_, i) => {
    const start = since + i * HOUR_MS;
    const bucket = byStart.get(start);
    return {
      start: iso(start),
      succeeded: bucket?.succeeded ?? 0,
      failed: bucket === undefined ? 0 : bucket.total - bucket.succeeded,
      latencyMs: { p50: bucket?.latencyMs.p50 ?? null, p99: bucket?.latencyMs.p99 ?? null },
    };
  });
}

/** The type a test sends when none is given: the endpoint's first plain subscription. */
const PING_TYPE = 'hookd.ping';
/** How long past the endpoint's timeout the test waits for a worker to make the attempt. */
const TEST_WAIT_SLACK_MS = 10_000;

const PreviewBody = Type.Object(
  {
    endpoint: CreateEndpoint,
    eventType: Type.Optional(Type.String({ pattern: '^[a-zA-Z0-9_.\\-]{1,128}$' })),
    payload: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);

const PreviewView = Type.Object({
  method: Type.String({ description: 'The HTTP method, or for a broker destination its verb: `PUBLISH` (RabbitMQ, NATS) or `XADD` (Redis).' }),
  url: Type.String({ description: 'Where it goes; for a broker, its URL (without password) and the target as the fragment.' }),
  headers: Type.Record(Type.String(), Type.String({ description: 'For a broker: AMQP headers, NATS headers or stream fields.' })),
  body: Type.Union([Type.String(), Type.Null()]),
  destination: Type.Optional(
    Type.Object(
      {
        type: Type.Union([Type.Literal('rabbitmq'), Type.Literal('nats'), Type.Literal('redis')]),
        exchange: Type.Optional(Type.String()),
        target: Type.String({ description: 'The rendered routing key (RabbitMQ), subject (NATS) or stream (Redis).' }),
      },
      { description: 'Only for a broker destination: where the message is published.' },
    ),
  ),
});

/** Signs previews when the definition has no secret of its own: the signature shows its form only. */
const PREVIEW_SECRET = 'whsec_' + Buffer.alloc(32).toString('base64');
/** Signs a preview's `v1a` entry (a definition never carries a signing key): its form only, too. */
const PREVIEW_SIGNING_KEY = 'whsk_' + Buffer.alloc(32).toString('base64');

export interface EndpointOperationRoutesOptions {
  store: Store;
  clock: Clock;
  publisher: Publisher;
  /** How endpoint definitions are checked: the same rules as saving one (endpoints.ts). */
  checkContext: SpecCheckContext;
  /** Shown as each endpoint's `state.concurrency`. */
  endpointConcurrency: number;
  /** A pause was ended by the resume route (the operational event). */
  onResumed: (endpoint: Endpoint) => void;
}

export const endpointOperationRoutes: FastifyPluginAsyncTypebox<EndpointOperationRoutesOptions> = async (
  app,
  { store, clock, publisher, checkContext, endpointConcurrency, onResumed },
) => {
  app.post(
    '/v1/endpoints/preview',
    {
      config: { access: ADMIN_OR_ACCOUNT },
      schema: {
        operationId: 'endpoints.preview',
        summary: 'Preview the request an endpoint would send',
        tags: ['endpoints'],
        description:
          'The exact HTTP request hookd would send for this endpoint definition and an event of `eventType` (its first example) or `payload` — for a broker destination, the message it would publish. Nothing is sent or stored.',
        body: PreviewBody,
        response: { 200: PreviewView, ...COMMON_ERRORS, ...errorResponses(413, 415, 422) },
      },
    },
    async (request) => {
      const { body } = request;
      const spec = await withPointerPrefix('/endpoint', async () => {
        // The receiver's auth is not previewed (its Authorization would be a secret, and a form
        // editing an endpoint has no secret to send): a draft without its auth secret previews too.
        const { auth: _auth, ...definition } = body.endpoint;
        const built = specFromCreate(definition, ownAccountId(principalOf(request), body.endpoint.accountId));
        await checkSpec(built, checkContext);
        return built;
      });
      const type = body.eventType ?? spec.eventTypes.find((t) => t !== '*' && !t.endsWith('.*')) ?? PING_TYPE;
      const payload = body.payload ?? (await store.getEventType(type))?.examples[0] ?? {};
      const now = clock.now();
      const event = {
        id: 'evt_preview',
        type,
        accountId: spec.accountId,
        payload: JSON.stringify(payload),
        correlationId: null,
        callbackUrl: null,
        occurredAt: now,
        createdAt: now,
      };
      const target = { ...spec, id: 'ep_preview', title: spec.title };
      try {
        const request = buildRequest({
          target,
          event,
          deliveryId: 'dlv_preview',
          secrets: keysThatSign(
            spec.signing,
            { current: body.endpoint.secret ?? PREVIEW_SECRET, previous: null, previousExpiresAt: null },
            { current: PREVIEW_SIGNING_KEY, currentSince: now, previous: null, previousSince: null, previousExpiresAt: null },
            now,
          ),
          timestampSeconds: Math.floor(now / 1000),
          userAgent: USER_AGENT,
        });
        const destination = spec.destination;
        if (destination === undefined || !isBroker(destination)) return request;
        const message = brokerMessage(request, destination, () => templateContext(event, target));
        return {
          method: message.verb,
          url: recordedTarget(spec.url, message),
          headers: message.headers,
          body: message.body,
          destination: { type: destination.type, ...(message.exchange === null ? {} : { exchange: message.exchange }), target: message.target },
        };
      } catch (error) {
        // The definition is valid, but this payload makes a template render past its cap, or a target the broker would refuse.
        if (error instanceof TemplateOutputTooLargeError || error instanceof UnsendableTargetError) throw validationError('/payload', error.message);
        throw error;
      }
    },
  );

  app.post(
    '/v1/endpoints/:id/test',
    {
      config: { access: ADMIN_OR_ACCOUNT },
      schema: {
        operationId: 'endpoints.test',
        summary: 'Send a test delivery to an endpoint',
        tags: ['endpoints'],
        description:
          'Sends one real delivery to this endpoint now (no retries) and returns its attempt: status, latency, response excerpt.',
        params: IdParams,
        body: Type.Optional(TestBody),
        response: { 200: Type.Object({ delivery: DeliveryView, attempt: AttemptView }), ...COMMON_ERRORS, ...errorResponses(404, 413, 415, 504) },
      },
    },
    async (request) => {
      const endpoint = await loadVisibleEndpoint(store, request, request.params.id);
      const body = request.body ?? {};
      const type = body.eventType ?? endpoint.eventTypes.find((t) => t !== '*' && !t.endsWith('.*')) ?? PING_TYPE;
      const example = body.payload === undefined ? (await store.getEventType(type))?.examples[0] : undefined;
      const payload = body.payload ?? example ?? { test: true, endpointId: endpoint.id };
      const now = clock.now();
      const [delivery] = await publisher.publishTo(
        {
          clientId: false,
          payloadValue: payload,
          event: {
            id: newId('evt', now),
            type,
            accountId: endpoint.accountId,
            payload: JSON.stringify(payload),
            correlationId: null,
            callbackUrl: null,
            occurredAt: now,
            createdAt: now,
          },
        },
        [endpoint],
        { singleAttempt: true },
      );
      const attempt = await waitForFirstAttempt(store, delivery!.id, endpoint.timeoutMs + TEST_WAIT_SLACK_MS);
      const finished = (await store.getDelivery(delivery!.id))!;
      return { delivery: deliveryView(finished), attempt: attemptView(attempt) };
    },
  );

  app.post(
    '/v1/endpoints/:id/recover',
    {
      config: { access: ADMIN_OR_ACCOUNT },
      schema: {
        operationId: 'endpoints.recover',
        summary: 'Retry an endpoint\'s failed deliveries',
        tags: ['endpoints'],
        description: 'Re-queues every failed delivery of this endpoint created since `since`, each for one new attempt.',
        params: IdParams,
        body: Type.Object({ since: Timestamp }, { additionalProperties: false }),
        response: { 202: Type.Object({ requeued: Type.Integer() }), ...COMMON_ERRORS, ...errorResponses(404, 413, 415) },
      },
    },
    async (request, reply) => {
      const endpoint = await loadVisibleEndpoint(store, request, request.params.id);
      const { since } = request.body;
      const requeued = await store.requeueFailedDeliveries(endpoint.id, Date.parse(since), clock.now());
      if (requeued > 0) publisher.wakeWorkers();
      return reply.code(202).send({ requeued });
    },
  );

  app.post(
    '/v1/endpoints/:id/resume',
    {
      config: { access: ADMIN_OR_ACCOUNT },
      schema: {
        operationId: 'endpoints.resume',
        summary: 'End an endpoint\'s pause now',
        tags: ['endpoints'],
        description:
          'Ends a pause set by the receiver (429 or 503 with Retry-After) or by the circuit breaker, and closes the breaker: ' +
          'the endpoint\'s waiting deliveries are attempted at once, their attempt counts unchanged. An endpoint that is not paused is returned as it is.',
        params: IdParams,
        response: { 200: EndpointView, ...COMMON_ERRORS, ...errorResponses(404, 413, 415) },
      },
    },
    async (request) => {
      const endpoint = await loadVisibleEndpoint(store, request, request.params.id);
      const now = clock.now();
      if (await store.resumeEndpoint(endpoint.id, now)) {
        onResumed(endpoint);
        publisher.wakeWorkers();
      }
      const resumed = (await store.getEndpoint(endpoint.id)) ?? endpoint;
      return endpointView(resumed, { now, concurrency: endpointConcurrency });
    },
  );

  app.get(
    '/v1/endpoints/:id/stats',
    {
      config: { access: ADMIN_OR_ACCOUNT },
      schema: {
        operationId: 'endpoints.stats',
        summary: 'Get an endpoint\'s delivery statistics',
        tags: ['endpoints'],
        description:
          'Attempts by outcome and latency percentiles over the last hour and the last day, and `series`: the last 24 hours hour by hour (oldest first, the current hour last), for charts. Read from per-minute rollups: a window starts at the beginning of the minute an hour (a day) ago; percentiles come from a latency histogram, exact below 10 ms and within 14 % above.',
        params: IdParams,
        response: {
          200: Type.Object({ lastHour: StatsWindow, lastDay: StatsWindow, series: Type.Array(SeriesBucket) }),
          ...COMMON_ERRORS,
          ...errorResponses(404),
        },
      },
    },
    async (request) => {
      const endpoint = await loadVisibleEndpoint(store, request, request.params.id);
      const now = clock.now();
      // One statement reading at most a day of this endpoint's per-minute rollups, however much history is kept.
      const seriesSince = Math.floor(now / HOUR_MS) * HOUR_MS - (SERIES_HOURS - 1) * HOUR_MS;
      const { windows, series } = await store.endpointStats(endpoint.id, {
        windows: [now - HOUR_MS, now - 86_400_000],
        series: { since: seriesSince, until: now + 1, bucketMs: HOUR_MS },
      });
      return { lastHour: windows[0]!, lastDay: windows[1]!, series: hourlySeries(series, seriesSince) };
    },
  );
};

async function waitForFirstAttempt(store: Store, deliveryId: string, timeoutMs: number): Promise<Attempt> {
  const deadline = Date.now() + timeoutMs;
  for (let pause = 5; Date.now() < deadline; pause = Math.min(pause * 2, 200)) {
    const attempts = await store.listAttempts(deliveryId, { limit: 1, cursor: null });
    const delivery = await store.getDelivery(deliveryId);
    if (attempts.items[0] !== undefined && delivery !== null && delivery.status !== 'sending') return attempts.items[0];
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
  throw new ApiError('gateway_timeout', 'no worker made the test attempt in time; it stays queued');
}

/** Field pointers of errors raised for a nested object are reported from the body's root. */
async function withPointerPrefix<T>(prefix: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ApiError) {
      throw new ApiError(error.code, error.message, error.details.map((detail) => ({ ...detail, field: prefix + detail.field })));
    }
    throw error;
  }
}
