import { DEFAULT_RETRY_POLICY, defaultJitter } from '../domain/retry-schedule.js';
import { headerProblems } from '../domain/header-rules.js';
import { authProblems, isAuthProblem, resolveAuth } from '../domain/receiver-auth.js';
import type { BodySpec, EndpointAuth, EndpointSpec, RetryPolicy } from '../domain/types.js';
import { compileTemplate, TemplateSyntaxError } from '../domain/templates.js';
import { checkUrlOnSave } from '../domain/url-guard.js';
import {
  checkBrokerUrlOnSave,
  DEFAULT_REDIS_MAX_LEN,
  DEFAULT_ROUTING_KEY,
  HTTP_DESTINATION,
  isBroker,
  splitPassword,
  targetTemplate,
  type BrokerDestination,
  type Destination,
} from '../domain/destination.js';
import { ApiError, validationError } from './errors.js';
import type { CreateEndpointBody, DestinationInput, PatchEndpointBody } from './endpoint-schemas.js';

// Turning a client's endpoint definition into a complete EndpointSpec, and the checks that need
// more than a JSON schema. Every rule here answers a 400 (or 422 for the URL guard) naming the field.

export const DEFAULT_TIMEOUT_MS = 15_000;
const FIXED_DEFAULT_INTERVAL_SECONDS = 300;
const FIXED_DEFAULT_MAX_ATTEMPTS = 16;

/** Headers hookd must control for the request to be framed and routed correctly. */

function retryFrom(input: CreateEndpointBody['retry'], base: RetryPolicy = DEFAULT_RETRY_POLICY): RetryPolicy {
  const merged = { ...base, ...input };
  const policy: RetryPolicy = {
    enabled: merged.enabled ?? true,
    schedule: merged.schedule ?? 'exponential',
    dropOn4xx: merged.dropOn4xx ?? false,
  };
  // A changed schedule takes its own default unless jitter is given: switching exponential → fixed
  // must not carry the exponential schedule's jitter along.
  const keptJitter = policy.schedule === base.schedule ? base.jitter : undefined;
  policy.jitter = input?.jitter ?? keptJitter ?? defaultJitter(policy.schedule);
  // Only the settings of the chosen schedule are kept, so the stored policy never says two things.
  if (policy.schedule === 'fixed') {
    policy.intervalSeconds = merged.intervalSeconds ?? FIXED_DEFAULT_INTERVAL_SECONDS;
    policy.maxAttempts = merged.maxAttempts ?? FIXED_DEFAULT_MAX_ATTEMPTS;
  }
  if (policy.schedule === 'custom') {
    if (merged.delaysSeconds === undefined) throw validationError('/retry/delaysSeconds', 'is required for the custom schedule');
    policy.delaysSeconds = merged.delaysSeconds;
  }
  return policy;
}

function bodyFrom(input: BodySpec | undefined): BodySpec {
  const body: BodySpec = input ?? { format: 'standard' };
  if (body.format !== 'json' && (body.fields !== undefined || body.userParams !== undefined)) {
    throw validationError('/body/fields', 'fields and userParams are for the json format');
  }
  if (body.format !== 'text' && (body.template !== undefined || body.contentType !== undefined)) {
    throw validationError('/body/template', 'template and contentType are for the text format');
  }
  if (body.format === 'text' && body.template === undefined) {
    throw validationError('/body/template', 'is required for the text format');
  }
  return body;
}

export function specFromCreate(input: CreateEndpointBody, accountId: string | null): EndpointSpec {
  const { url, destination } = destinationFrom(input.destination, input.url, null);
  return {
    accountId,
    url,
    title: input.title ?? '',
    description: input.description ?? '',
    eventTypes: input.eventTypes ?? [],
    active: input.active ?? true,
    method: input.method ?? 'POST',
    headers: input.headers ?? {},
    queryParams: input.queryParams ?? {},
    body: bodyFrom(input.body),
    retry: retryFrom(input.retry),
    timeoutMs: input.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    rateLimitPerSecond: input.rateLimitPerSecond ?? null,
    filter: input.filter ?? null,
    disabledReason: input.active === false ? 'manual' : null,
    signing: input.signing ?? 'hmac',
    ordering: input.ordering ?? 'none',
    auth: authFrom(input.auth, null),
    ...(destination === undefined ? {} : { destination }),
  };
}

/**
 * The destination to store and the URL without its password. The password of a broker URL moves
 * into the destination; a broker URL without one keeps the stored password while the endpoint stays
 * a destination of that type (a form shows the URL without it, and saves it back so).
 */
function destinationFrom(
  input: DestinationInput | undefined,
  givenUrl: string | undefined,
  existing: Pick<EndpointSpec, 'url' | 'destination'> | null,
): { url: string; destination: Destination | undefined } {
  const base = existing?.destination;
  if (input === undefined && (base === undefined || !isBroker(base))) return { url: givenUrl ?? existing!.url, destination: base };
  const chosen: Destination = input === undefined ? base! : destinationOf(input);
  if (!isBroker(chosen)) return { url: givenUrl ?? existing!.url, destination: chosen };
  const { url, password } = splitPassword(givenUrl ?? existing!.url, chosen.type);
  const kept = base !== undefined && isBroker(base) && base.type === chosen.type ? base.password : null;
  return { url, destination: { ...chosen, password: password ?? kept } };
}

function destinationOf(input: DestinationInput): Destination {
  switch (input.type) {
    case 'http':
      return HTTP_DESTINATION;
    case 'rabbitmq':
      return { type: 'rabbitmq', exchange: input.exchange, routingKey: input.routingKey ?? DEFAULT_ROUTING_KEY, password: null };
    case 'nats':
      return { type: 'nats', subject: input.subject, password: null };
    case 'redis':
      return { type: 'redis', stream: input.stream, maxLen: input.maxLen ?? DEFAULT_REDIS_MAX_LEN, password: null };
  }
}

/** The auth to store (see resolveAuth): a missing secret with nothing to keep is a 400 naming it. */
function authFrom(input: CreateEndpointBody['auth'], existing: EndpointAuth | null): EndpointAuth | null {
  const auth = resolveAuth(input, existing);
  if (isAuthProblem(auth)) throw validationError(auth.field, auth.message);
  return auth;
}

/** PATCH: fields present replace the stored ones; `retry` merges into the stored policy. */
export function specFromPatch(existing: EndpointSpec, patch: PatchEndpointBody, accountId: string | null): EndpointSpec {
  const active = patch.active ?? existing.active;
  let disabledReason = existing.disabledReason;
  if (patch.active === true) disabledReason = null;
  if (patch.active === false && existing.active) disabledReason = 'manual';
  const { url, destination } = destinationFrom(patch.destination, patch.url, existing);
  return {
    accountId,
    url,
    title: patch.title ?? existing.title,
    description: patch.description ?? existing.description,
    eventTypes: patch.eventTypes ?? existing.eventTypes,
    active,
    method: patch.method ?? existing.method,
    headers: patch.headers ?? existing.headers,
    queryParams: patch.queryParams ?? existing.queryParams,
    body: patch.body === undefined ? existing.body : bodyFrom(patch.body),
    retry: patch.retry === undefined ? existing.retry : retryFrom(patch.retry, existing.retry),
    timeoutMs: patch.timeoutMs ?? existing.timeoutMs,
    rateLimitPerSecond: patch.rateLimitPerSecond === undefined ? existing.rateLimitPerSecond : patch.rateLimitPerSecond,
    filter: patch.filter === undefined ? existing.filter : patch.filter,
    disabledReason,
    signing: patch.signing ?? existing.signing,
    ordering: patch.ordering ?? existing.ordering,
    auth: authFrom(patch.auth, existing.auth),
    ...(destination === undefined ? {} : { destination }),
  };
}

export interface SpecCheckContext {
  allowPrivateUrls: boolean;
  /** Strict mode: the subscription's plain type names that are not live catalog types. */
  unknownEventTypes: (names: string[]) => Promise<string[]>;
}

export async function checkSpec(spec: EndpointSpec, context: SpecCheckContext): Promise<void> {
  const destination = spec.destination ?? HTTP_DESTINATION;
  const url = isBroker(destination)
    ? checkBrokerUrlOnSave(spec.url, destination.type, { allowPrivate: context.allowPrivateUrls })
    : checkUrlOnSave(spec.url, { allowPrivate: context.allowPrivateUrls });
  if (!url.ok) {
    if (url.code === 'url_not_allowed') {
      throw new ApiError('url_not_allowed', `the URL's host is not allowed: ${url.reason}`, [
        { field: '/url', in: 'body', message: url.reason },
      ]);
    }
    throw validationError('/url', url.reason);
  }
  if (spec.auth !== null) {
    const problems = authProblems(spec.auth, spec.url, { allowPrivateUrls: context.allowPrivateUrls });
    if (problems.length > 0) {
      const details = problems.map(({ field, message }) => ({ field, in: 'body' as const, message }));
      const first = problems[0]!;
      if (first.urlNotAllowed === true) throw new ApiError('url_not_allowed', `the token URL's host is not allowed: ${first.message}`, details);
      throw new ApiError('validation_failed', `${first.field}: ${first.message}`, details);
    }
  }
  // Names hookd must control (Host, Content-Type, Expect, webhook-*…), names that are not tokens and
  // values with control characters: refused now, since the HTTP client would refuse them at send time.
  const problems = headerProblems(spec.headers);
  if (problems.length > 0) {
    throw new ApiError('validation_failed', `${problems[0]!.field}: ${problems[0]!.message}`, problems.map(({ field, message }) => ({ field, in: 'body', message })));
  }
  if (isBroker(destination)) checkBrokerFields(spec, destination);
  checkTemplates(spec);
  const plainNames = spec.eventTypes.filter((pattern) => pattern !== '*' && !pattern.endsWith('.*'));
  const unknown = await context.unknownEventTypes(plainNames);
  if (unknown.length > 0) {
    const index = spec.eventTypes.indexOf(unknown[0]!);
    throw validationError(`/eventTypes/${index}`, `${unknown[0]} is not in the event catalog`);
  }
}

/**
 * What means nothing to a broker is refused rather than silently ignored: a message is published,
 * not requested, so there is no method but POST's (a body), no query string and no receiver auth
 * (the broker URL's credentials are the auth).
 */
function checkBrokerFields(spec: EndpointSpec, destination: BrokerDestination): void {
  const why = `is not used by a ${destination.type} destination`;
  if (spec.method !== 'POST') throw validationError('/method', `${why}: messages carry a body (use POST)`);
  if (Object.keys(spec.queryParams).length > 0) throw validationError('/queryParams', why);
  if (spec.auth !== null) throw validationError('/auth', `${why}: put the credentials in the broker URL`);
  // A stream entry's fields are the headers and `body`: a header of that name would be overwritten.
  if (destination.type === 'redis') {
    const name = Object.keys(spec.headers).find((header) => header.toLowerCase() === 'body');
    if (name !== undefined) throw validationError(`/headers/${name}`, 'is the stream field that holds the body');
  }
}

/** Every templated value must parse now: a template error is a 400 on save, never a failure at send time. */
function checkTemplates(spec: EndpointSpec): void {
  const templated: Array<[field: string, source: string]> = [
    ...Object.entries(spec.headers).map(([name, value]): [string, string] => [`/headers/${name}`, value]),
    ...Object.entries(spec.queryParams).map(([name, value]): [string, string] => [`/queryParams/${name}`, value]),
    ...Object.entries(spec.body.userParams ?? {}).flatMap(([name, value]): Array<[string, string]> =>
      typeof value === 'string' ? [[`/body/userParams/${name}`, value]] : [],
    ),
  ];
  if (spec.body.template !== undefined) templated.push(['/body/template', spec.body.template]);
  if (spec.destination !== undefined && isBroker(spec.destination)) {
    const field = { rabbitmq: 'routingKey', nats: 'subject', redis: 'stream' }[spec.destination.type];
    templated.push([`/destination/${field}`, targetTemplate(spec.destination)]);
  }
  for (const [field, source] of templated) {
    try {
      compileTemplate(source);
    } catch (error) {
      if (error instanceof TemplateSyntaxError) throw validationError(field, `is not a valid template: ${error.message}`);
      throw error;
    }
  }
}
