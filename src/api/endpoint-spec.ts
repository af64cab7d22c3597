import { DEFAULT_RETRY_POLICY, defaultJitter } from '../domain/retry-schedule.js';
import { headerProblems } from '../domain/header-rules.js';
import { authProblems, isAuthProblem, resolveAuth } from '../domain/receiver-auth.js';
import type { BodySpec, EndpointAuth, EndpointSpec, RetryPolicy } from '../domain/types.js';
import { compileTemplate, TemplateSyntaxError } from '../domain/templates.js';
import { checkUrlOnSave } from '../domain/url-guard.js';
import { ApiError, validationError } from './errors.js';
import type { CreateEndpointBody, PatchEndpointBody } from './endpoint-schemas.js';

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
  return {
    accountId,
    url: input.url,
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
    auth: authFrom(input.auth, null),
  };
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
  return {
    accountId,
    url: patch.url ?? existing.url,
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
    auth: authFrom(patch.auth, existing.auth),
  };
}

export interface SpecCheckContext {
  allowPrivateUrls: boolean;
  /** Strict mode: the subscription's plain type names that are not live catalog types. */
  unknownEventTypes: (names: string[]) => Promise<string[]>;
}

export async function checkSpec(spec: EndpointSpec, context: SpecCheckContext): Promise<void> {
  const url = checkUrlOnSave(spec.url, { allowPrivate: context.allowPrivateUrls });
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
  checkTemplates(spec);
  const plainNames = spec.eventTypes.filter((pattern) => pattern !== '*' && !pattern.endsWith('.*'));
  const unknown = await context.unknownEventTypes(plainNames);
  if (unknown.length > 0) {
    const index = spec.eventTypes.indexOf(unknown[0]!);
    throw validationError(`/eventTypes/${index}`, `${unknown[0]} is not in the event catalog`);
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
  for (const [field, source] of templated) {
    try {
      compileTemplate(source);
    } catch (error) {
      if (error instanceof TemplateSyntaxError) throw validationError(field, `is not a valid template: ${error.message}`);
      throw error;
    }
  }
}
