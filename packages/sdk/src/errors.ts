// What a call to hookd can fail with. The API's error body ({error: {code, message, details}}) becomes
// a HookdError; not reaching hookd at all is a HookdConnectionError, so callers can tell "hookd said
// no" from "hookd is not there".

/** One bad field of a 400: a JSON pointer, where it was (`body`, `query`, `path`, `header`), why. */
export interface ErrorDetail {
  field: string;
  in: string;
  message: string;
}

export class HookdError extends Error {
  override readonly name = 'HookdError';
  /** The HTTP status: 400, 401, 403, 404, 409, 413, 415, 422, 429, 503 … */
  readonly status: number;
  /** The contract's snake_case code: `validation_failed`, `not_found`, `rate_limited` … */
  readonly code: string;
  readonly details: ErrorDetail[];
  /** From `Retry-After` on 429 and 503 answers: when trying again makes sense. */
  readonly retryAfterSeconds: number | null;
  /** The request that failed, e.g. `POST /v1/endpoints`. */
  readonly request: string;

  constructor(init: {
    status: number;
    code: string;
    message: string;
    details?: ErrorDetail[];
    retryAfterSeconds?: number | null;
    request: string;
  }) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.details = init.details ?? [];
    this.retryAfterSeconds = init.retryAfterSeconds ?? null;
    this.request = init.request;
  }
}

export class HookdConnectionError extends Error {
  override readonly name = 'HookdConnectionError';
  /** The URL that could not be reached. */
  readonly url: string;

  constructor(url: string, cause: unknown) {
    const reason = cause instanceof Error ? describeCause(cause) : String(cause);
    super(`cannot reach hookd at ${url}: ${reason}`, { cause });
    this.url = url;
  }
}

/** fetch hides the useful part ("ECONNREFUSED") one level down, in `cause`. */
function describeCause(error: Error): string {
  const inner = (error as { cause?: unknown }).cause;
  if (inner instanceof Error) return (inner as { code?: string }).code ?? inner.message;
  return error.name === 'TimeoutError' ? 'timed out' : error.message;
}
