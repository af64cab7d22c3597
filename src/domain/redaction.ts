// Request headers are recorded with each attempt so operators can see what was sent. Custom
// headers often carry credentials for the receiver (ApiRTC and KOMPaaS users put API keys there):
// those values never reach the attempt log.

const SECRET_HEADER_NAMES = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key']);
const SECRET_HEADER_WORDS = /(token|secret|passw|api[-_]?key|auth|session|signature-key)/i;

export const REDACTED = '[redacted]';

export function isSecretHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return SECRET_HEADER_NAMES.has(lower) || SECRET_HEADER_WORDS.test(lower);
}

/** What is kept of a request body in the attempt log, like the response's first 4 KiB. */
export const REQUEST_BODY_KEPT_CHARS = 4096;

/**
 * The URL as recorded: query parameters whose names look like credentials (`?api_key=`,
 * `?token=`) get the header rule, since endpoints put receivers' keys there too.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  let changed = false;
  for (const name of new Set(parsed.searchParams.keys())) {
    if (!isSecretHeader(name)) continue;
    parsed.searchParams.set(name, REDACTED);
    changed = true;
  }
  return changed ? parsed.href : url;
}

export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = isSecretHeader(name) ? REDACTED : value;
  return out;
}

// Headers about the connection rather than the receiver's answer (RFC 9110 §7.6.1): the same on
// nearly every response, so not worth a copy with every attempt (issue 19).
const CONNECTION_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

/** A response's headers as the attempt log keeps them: without the connection's own. */
export function recordedResponseHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!CONNECTION_HEADERS.has(name.toLowerCase())) out[name] = value;
  }
  return out;
}
