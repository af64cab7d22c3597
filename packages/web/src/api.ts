import type { ErrorDetail, KeyIdentity } from '@hookd/sdk/client';

// The HTTP client of the dashboard and the portal: same origin, the key as a bearer token, and
// hookd's error body turned into an ApiError whose details name the bad fields.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
  }
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface Api {
  get<T>(path: string, query?: Query): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  put<T>(path: string, body: unknown): Promise<T>;
  patch<T>(path: string, body: unknown): Promise<T>;
  del(path: string): Promise<void>;
}

/** `?a=1&b=x`, leaving out empty values (an empty filter means no filter). */
function queryString(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(name, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : '?' + text;
}

/**
 * `onUnauthorized` runs when the key is refused (revoked, expired): the app signs out and says why.
 */
export function createApi(key: string, onUnauthorized: (message: string) => void): Api {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${key}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new ApiError(0, 'network_error', 'hookd could not be reached; check your connection and try again');
    }
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      parsed = null;
    }
    if (response.ok) return parsed as T;
    const error = (parsed as { error?: { code?: string; message?: string; details?: ErrorDetail[] } } | null)?.error;
    const apiError = new ApiError(
      response.status,
      error?.code ?? 'http_' + response.status,
      error?.message ?? `${response.status} ${response.statusText}`,
      error?.details ?? [],
    );
    if (response.status === 401) onUnauthorized(apiError.message);
    throw apiError;
  }
  return {
    get: (path, query) => call('GET', path + queryString(query)),
    post: (path, body) => call('POST', path, body),
    put: (path, body) => call('PUT', path, body),
    patch: (path, body) => call('PATCH', path, body),
    del: (path) => call('DELETE', path),
  };
}

/** Checks a key without keeping it: who it belongs to, or the API's reason for refusing it. */
export async function whoIs(key: string): Promise<KeyIdentity> {
  return createApi(key, () => undefined).get('/v1/me');
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    const fields = error.details.filter((d) => d.field !== '/' && !error.message.includes(d.field));
    return fields.length === 0 ? error.message : `${error.message} (${fields.map((d) => `${d.field} ${d.message}`).join('; ')})`;
  }
  return error instanceof Error ? error.message : String(error);
}
