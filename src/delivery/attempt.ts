import type { Logger } from 'pino';
import type { Clock, RandomSource } from '../domain/clock.js';
import { newId } from '../domain/ids.js';
import { keysThatSign } from '../domain/endpoint-keys.js';
import { nextState } from '../domain/next-state.js';
import { classifyOutcome, parseDeliveryControl, type AttemptResult } from '../domain/outcome.js';
import { recordedResponseHeaders, redactHeaders, redactUrl, REQUEST_BODY_KEPT_CHARS } from '../domain/redaction.js';
import { buildRequest, type OutgoingRequest, type RequestTarget } from '../domain/request.js';
import { requestBodySource } from '../domain/request-body-source.js';
import { DEFAULT_RETRY_POLICY, parseRetryAfterMs } from '../domain/retry-schedule.js';
import type { ClaimedDelivery, EndpointWithSecrets, HookEvent, RetryPolicy } from '../domain/types.js';
import type { AttemptRecord } from '../store/store.js';
import type { CallbackSecrets } from './callback-secrets.js';
import { sendToDestination, type DestinationSenders } from './destinations/send.js';
import type { SendResult } from './sender.js';

// One attempt of one delivery: which secrets sign it, the request, the send, and what the answer
// means for the delivery (the pure rules of src/domain decide; this is their shell).

const DEFAULT_CALLBACK_TIMEOUT_MS = 15_000;

/** A claimed delivery with what it is sent with (no endpoint for an event's callbackUrl). */
export interface Job {
  delivery: ClaimedDelivery;
  event: HookEvent;
  endpoint: EndpointWithSecrets | null;
}

export interface AttemptContext extends DestinationSenders {
  clock: Clock;
  random: RandomSource;
  log: Logger;
  userAgent: string;
  /** Sign deliveries to an event's one-off callbackUrl, which has no endpoint secret: its account's, or the provider's. */
  callbackSecrets: CallbackSecrets;
  /** The lease the result is written under. */
  owner: string;
}

/**
 * Where and how to send, and with which keys: the endpoint's HMAC secret and/or ed25519 key, each
 * with the one before during a rotation's grace period.
 */
async function targetOf(job: Job, context: AttemptContext): Promise<{ target: RequestTarget; secrets: string[]; policy: RetryPolicy; timeoutMs: number }> {
  const { endpoint, delivery, event } = job;
  if (endpoint === null) {
    // Never the provider's secret for an account's event: an account could then verify (and forge) another's callbacks.
    const secret = await context.callbackSecrets.of(event.accountId);
    if (secret === null) throw new Error(`the account ${event.accountId} of event ${event.id} does not exist: its callback cannot be signed`);
    return {
      target: { url: delivery.url, method: 'POST', headers: {}, queryParams: {}, body: { format: 'standard' } },
      secrets: [secret],
      policy: DEFAULT_RETRY_POLICY,
      timeoutMs: DEFAULT_CALLBACK_TIMEOUT_MS,
    };
  }
  return {
    target: endpoint,
    secrets: keysThatSign(endpoint.signing, endpoint.secrets, endpoint.signingKeys, context.clock.now()),
    policy: endpoint.retry,
    timeoutMs: endpoint.timeoutMs,
  };
}

/**
 * Builds the request, sends it, and decides the delivery's next state (retry when, or done): how
 * long the request took, and the record the worker writes under its lease.
 */
export async function makeAttempt(job: Job, context: AttemptContext): Promise<{ durationMs: number; record: AttemptRecord }> {
  const { delivery, event } = job;
  const { target, secrets, policy, timeoutMs } = await targetOf(job, context);
  const startedAt = context.clock.now();
  let request: OutgoingRequest;
  try {
    request = buildRequest({
      target,
      event,
      deliveryId: delivery.id,
      secrets,
      timestampSeconds: Math.floor(startedAt / 1000),
      userAgent: context.userAgent,
    });
  } catch (error) {
    // A template whose output is too large for this event: the request cannot be built, now or later.
    context.log.warn({ deliveryId: delivery.id, err: error }, 'could not build the request');
    request = { method: target.method, url: delivery.url, headers: {}, body: null };
    const failed: SendResult = { statusCode: null, error: 'invalid_request', responseHeaders: {}, responseBody: null, durationMs: 0 };
    return { durationMs: 0, record: resultRecord(job, request, request.method, startedAt, policy, failed, context) };
  }
  const { request: sentRequest, method, sent } = await sendToDestination(request, job.endpoint, event, timeoutMs, context);
  return { durationMs: sent.durationMs, record: resultRecord(job, sentRequest, method, startedAt, policy, sent, context) };
}

function resultRecord(
  job: Job,
  request: OutgoingRequest,
  method: string,
  startedAt: number,
  policy: RetryPolicy,
  sent: SendResult,
  context: AttemptContext,
): AttemptRecord {
  const { delivery } = job;
  const result: AttemptResult =
    sent.statusCode !== null
      ? { kind: 'response', statusCode: sent.statusCode, control: parseDeliveryControl(sent.responseHeaders['webhook-delivery']) }
      : { kind: 'error', error: sent.error ?? 'network' };
  const verdict = classifyOutcome(result, { dropOn4xx: policy.dropOn4xx });
  const now = context.clock.now();
  // An endpoint's 429 or 503 with Retry-After pauses the whole endpoint (endpoint-control.ts): the
  // delivery keeps its own schedule behind that pause, so resuming the endpoint early brings it back too.
  const pausesEndpoint = job.endpoint !== null && (sent.statusCode === 429 || sent.statusCode === 503);
  const next = nextState(
    {
      verdict,
      policy,
      attemptsMade: delivery.attempts + 1,
      singleAttempt: delivery.singleAttempt,
      retryAfterMs: pausesEndpoint ? null : parseRetryAfterMs(sent.responseHeaders['retry-after'], now),
      now,
    },
    context.random,
  );
  return {
    deliveryId: delivery.id,
    endpointId: delivery.endpointId,
    fifoKey: delivery.fifoKey ?? null,
    leaseOwner: context.owner,
    attempt: {
      id: newId('att', startedAt),
      deliveryId: delivery.id,
      startedAt,
      durationMs: sent.durationMs,
      statusCode: sent.statusCode,
      error: sent.error,
      requestHeaders: redactHeaders(request.headers),
      requestMethod: method,
      requestUrl: redactUrl(request.url),
      requestBody: request.body === null ? null : request.body.slice(0, REQUEST_BODY_KEPT_CHARS),
      requestBodySource: requestBodySource(request.body, job.event),
      responseHeaders: recordedResponseHeaders(sent.responseHeaders),
      responseBody: sent.responseBody,
    },
    ...next,
    lastStatusCode: sent.statusCode,
    lastError: sent.error,
  };
}
