// Which custom headers an endpoint may carry, and how a value is made sendable. The HTTP client
// refuses a header value with control characters or characters above Latin-1, and a refusal at
// send time loses the delivery: so names and values are checked on save, and what a template
// produces at send time (payload text, which nobody checked) is made sendable instead of refused.

/** The `webhook-*` headers belong to hookd: custom headers may not override them. */
export const RESERVED_HEADER_PREFIX = 'webhook-';

/** Headers hookd must control for the request to be framed, routed and signed as it says. */
const REFUSED_HEADERS = new Map<string, string>([
  ['host', 'is set by hookd from the URL'],
  ['content-length', 'is set by hookd from the body'],
  ['transfer-encoding', 'is set by hookd from the body'],
  ['content-type', 'is set by hookd from the body format (a text body takes body.contentType)'],
  // `Expect: 100-continue` makes the client wait for an interim response most receivers never send.
  ['expect', 'is not sent by hookd: it would stall every attempt'],
  ['connection', 'is managed by hookd\'s connection pool'],
  ['keep-alive', 'is managed by hookd\'s connection pool'],
  ['upgrade', 'is managed by hookd\'s connection pool'],
  ['te', 'is managed by hookd\'s connection pool'],
  ['trailer', 'is managed by hookd\'s connection pool'],
]);

/** RFC 9110 §5.6.2 token: what a field name may be. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** C0 controls but horizontal tab, DEL, and the C1 controls (\p{Cc}): never meaningful in a header value. */
const CONTROL = /(?!\t)\p{Cc}/u;
const CONTROLS = /(?!\t)\p{Cc}/gu;

export interface HeaderProblem {
  /** JSON pointer of the offending header: `/headers/X-Api-Key`. */
  field: string;
  message: string;
}

/** Why this name may not be a custom header, or null when it may. */
export function refusedHeaderName(name: string): string | null {
  if (!TOKEN.test(name)) return 'is not a valid header name (RFC 9110 token: letters, digits and !#$%&\'*+-.^_`|~)';
  const lower = name.toLowerCase();
  if (lower.startsWith(RESERVED_HEADER_PREFIX)) return 'webhook-* headers are set by hookd and cannot be overridden';
  return REFUSED_HEADERS.get(lower) ?? null;
}

/**
 * The problems with an endpoint's custom headers, checked on save. A templated value is checked on
 * its template text; what the template renders is made sendable at send time.
 */
export function headerProblems(headers: Record<string, string>, pointer = '/headers'): HeaderProblem[] {
  const problems: HeaderProblem[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const field = `${pointer}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    const refused = refusedHeaderName(name);
    if (refused !== null) problems.push({ field, message: refused });
    else if (CONTROL.test(value)) problems.push({ field, message: 'must not contain control characters (line breaks, NUL…)' });
  }
  return problems;
}

/** Printable ASCII and tab: the common case, sent as is. */
const PLAIN = /^[\t\x20-\x7e]*$/;

/**
 * A header value the HTTP client will send: controls removed (so no text can add a header line),
 * characters above Latin-1 percent-encoded as UTF-8 (`😀` → `%F0%9F%98%80`).
 */
export function sendableHeaderValue(value: string): string {
  if (PLAIN.test(value)) return value;
  let out = '';
  for (const char of value.replace(CONTROLS, '')) {
    if (char.codePointAt(0)! <= 0xff) out += char;
    // A lone surrogate encodes as U+FFFD: there is no UTF-8 for it.
    else for (const byte of Buffer.from(char, 'utf8')) out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}
