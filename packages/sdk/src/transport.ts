import { HookdConnectionError, HookdError, type ErrorDetail } from './errors.js';
import type { MethodsOf, Route, PathParamsOf, QueryOf, RequestBody, RoutePath, SuccessBody } from './typed-routes.js';

// One HTTP call to hookd: URL from the route template, bearer key, JSON in and out, and the
// contract's error body turned into a HookdError. Uses the platform's fetch (or the caller's).

export interface HookdOptions {
  /** Where hookd listens, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** An API key (`hk_admin_…`, `hk_publisher_…`, `hk_account_…`). */
  key?: string;
  /** A fetch of your own: a proxy agent, a test double, instrumentation. Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /**
   * Per-request deadline. The default (90 s) outlasts the slowest call hookd has, an endpoint test,
   * which waits for the attempt up to the endpoint's 60 s maximum timeout plus 10 s.
   */
  timeoutMs?: number;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

export interface CallInput<Op> {
  path?: PathParamsOf<Op>;
  query?: QueryOf<Op>;
  body?: RequestBody<Op>;
}

const DEFAULT_TIMEOUT_MS = 90_000;

export class Transport {
  readonly baseUrl: string;
  readonly #key: string | undefined;
  readonly #fetch: typeof fetch;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;

  constructor(options: HookdOptions) {
    if (!/^https?:\/\//.test(options.url)) throw new TypeError(`url must start with http:// or https://, got ${JSON.stringify(options.url)}`);
    this.baseUrl = options.url.replace(/\/+$/, '');
    this.#key = options.key;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#headers = options.headers ?? {};
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async call<P extends RoutePath, M extends MethodsOf<P>>(
    method: M,
    path: P,
    input: CallInput<Route<P, M>> = {},
    options: RequestOptions = {},
  ): Promise<SuccessBody<Route<P, M>>> {
    const target = fillPath(path, input.path as Record<string, string> | undefined) + queryString(input.query);
    const url = this.baseUrl + target;
    const headers: Record<string, string> = { accept: 'application/json', ...this.#headers };
    if (this.#key !== undefined) headers.authorization = `Bearer ${this.#key}`;
    if (input.body !== undefined) headers['content-type'] = 'application/json';
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]);
    const verb = method.toUpperCase();

    let response: Response;
    try {
      response = await this.#fetch(url, {
        method: verb,
        headers,
        body: input.body === undefined ? undefined : JSON.stringify(input.body),
        signal,
      });
    } catch (error) {
      // The caller's own abort is theirs to handle; anything else means hookd was not reached.
      if (options.signal?.aborted) throw error;
      throw new HookdConnectionError(this.baseUrl, error);
    }

    const text = await response.text();
    if (!response.ok) throw errorFrom(response, text, `${verb} ${target}`);
    if (response.status === 204 || text === '') return undefined as SuccessBody<Route<P, M>>;
    return JSON.parse(text) as SuccessBody<Route<P, M>>;
  }
}

function fillPath(template: string, params: Record<string, string> | undefined): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined || value === '') throw new TypeError(`${name} is required`);
    return encodeURIComponent(value);
  });
}

function queryString(query: unknown): string {
  if (query === undefined || query === null) return '';
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query as Record<string, unknown>)) {
    if (value === undefined || value === null) continue;
    search.set(name, value instanceof Date ? value.toISOString() : String(value));
  }
  const encoded = search.toString();
  return encoded === '' ? '' : `?${encoded}`;
}

function errorFrom(response: Response, text: string, request: string): HookdError {
  const retryAfter = Number(response.headers.get('retry-after'));
  const retryAfterSeconds = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null;
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // Not hookd's JSON (a proxy's error page, say): described below from the status.
  }
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  if (error !== undefined && typeof error.code === 'string' && typeof error.message === 'string') {
    return new HookdError({
      status: response.status,
      code: error.code,
      message: error.message,
      details: Array.isArray(error.details) ? (error.details as ErrorDetail[]) : [],
      retryAfterSeconds,
      request,
    });
  }
  return new HookdError({
    status: response.status,
    code: 'unexpected_response',
    message: `${request} answered ${response.status}${text === '' ? '' : `: ${text.slice(0, 200)}`}`,
    retryAfterSeconds,
    request,
  });
}
