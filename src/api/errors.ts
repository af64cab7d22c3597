import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidCursorError } from '../store/cursor.js';
import { isStoreUnavailable } from '../store/unavailable.js';

// The error catalogue: every code hookd answers with. A code is never reused for another meaning
// once retired. Delivery failures are a different thing (domain/outcome.ts) and never reach here.

export const ERROR_CODES = {
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  url_not_allowed: 422,
  rate_limited: 429,
  internal_error: 500,
  /** The database cannot be reached right now (restarting, failing over): try again shortly. */
  service_unavailable: 503,
  /** An endpoint test whose attempt no worker made in time (no worker running?). */
  gateway_timeout: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorDetail {
  /** JSON pointer to the field, within `in`. */
  field: string;
  /** Where the field is: the JSON body, the query string or the path. */
  in: 'body' | 'query' | 'path' | 'header';
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.status = ERROR_CODES[code];
  }
}

export function validationError(field: string, message: string, location: ErrorDetail['in'] = 'body'): ApiError {
  return new ApiError('validation_failed', `${location === 'body' ? '' : location + ' '}${field}: ${message}`, [
    { field, in: location, message },
  ]);
}

export function notFound(what: string): ApiError {
  return new ApiError('not_found', `${what} not found`);
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

const LOCATIONS: Record<string, ErrorDetail['in']> = {
  body: 'body',
  querystring: 'query',
  params: 'path',
  headers: 'header',
};

/** Turns Ajv's errors into details that name each bad field by JSON pointer. */
function validationDetails(errors: AjvError[], context: string | undefined): ErrorDetail[] {
  const location = LOCATIONS[context ?? 'body'] ?? 'body';
  const seen = new Set<string>();
  const details: ErrorDetail[] = [];
  for (const error of errors) {
    let field = error.instancePath;
    let message = error.message ?? 'is invalid';
    if (error.keyword === 'required') field += `/${String(error.params.missingProperty)}`;
    // A oneOf chosen by a tag (endpoint auth's `type`): an unknown tag is that field's problem.
    if (error.keyword === 'discriminator') {
      field += `/${String(error.params.tag)}`;
      message = error.params.error === 'tag' ? 'is required' : 'is not one of the known values';
    }
    if (error.keyword === 'additionalProperties') {
      field += `/${String(error.params.additionalProperty)}`;
      message = 'is not a known field';
    }
    // anyOf/oneOf repeat the same field once per branch; one line per field and message is enough.
    const key = `${field} ${message}`;
    if (seen.has(key) || error.keyword === 'anyOf' || error.keyword === 'oneOf') continue;
    seen.add(key);
    details.push({ field: field === '' ? '/' : field, in: location, message });
  }
  return details;
}

function toApiError(error: FastifyError & { validation?: AjvError[]; validationContext?: string }, bodyLimit: number): ApiError | null {
  if (error instanceof ApiError) return error;
  if (error instanceof InvalidCursorError) return validationError('/cursor', error.message, 'query');
  if (error.validation) {
    const details = validationDetails(error.validation, error.validationContext);
    const summary = details.map((d) => `${d.field} ${d.message}`).join('; ');
    return new ApiError('validation_failed', `invalid ${error.validationContext ?? 'request'}: ${summary}`, details);
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('payload_too_large', `the request body is larger than this route's limit of ${bytesShown(bodyLimit)}`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('unsupported_media_type', 'send JSON with content-type: application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError('validation_failed', 'the JSON body is empty', [
        { field: '/', in: 'body', message: 'is empty' },
      ]);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError('validation_failed', 'content-length does not match the body');
  }
  if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return new ApiError('validation_failed', 'the body is not valid JSON', [
      { field: '/', in: 'body', message: 'is not valid JSON' },
    ]);
  }
  // Fastify's own 4xx (a malformed request line, an unsupported method…) keep their status.
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    const code = (Object.entries(ERROR_CODES).find(([, status]) => status === error.statusCode)?.[0] ??
      'validation_failed') as ErrorCode;
    const apiError = new ApiError(code, error.message);
    (apiError as { status: number }).status = error.statusCode;
    return apiError;
  }
  return null;
}

/** 5242880 → `5 MiB (5242880 bytes)`: the unit a person reads, the number a client compares. */
function bytesShown(bytes: number): string {
  const kib = bytes / 1024;
  const unit = kib >= 1024 ? `${+(kib / 1024).toFixed(2)} MiB` : `${+kib.toFixed(2)} KiB`;
  return `${unit} (${bytes} bytes)`;
}

export function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
  if (error.code === 'service_unavailable') reply.header('retry-after', '1');
  return reply
    .code(error.status)
    .type('application/json')
    .send({ error: { code: error.code, message: error.message, details: error.details } });
}

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const apiError = toApiError(error, request.routeOptions.bodyLimit);
  if (apiError !== null) return sendError(reply, apiError);
  if (isStoreUnavailable(error)) {
    request.log.warn({ err: error }, 'database unavailable');
    return sendError(reply, new ApiError('service_unavailable', 'the database is not reachable right now; retry shortly'));
  }
  // Anything else is a bug: logged with the request id, answered without internals.
  request.log.error({ err: error }, 'unhandled error');
  return sendError(reply, new ApiError('internal_error', 'internal error'));
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendError(reply, new ApiError('not_found', `no route ${request.method} ${request.url.split('?')[0]}`));
}
