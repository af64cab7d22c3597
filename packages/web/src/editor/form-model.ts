import type { BodyFormat, DeliveryOrdering, DestinationType, Endpoint, EndpointAuth, EndpointDestination, EndpointMethod, RetrySchedule, SigningScheme } from '@hookd/sdk/client';

// The endpoint editor's state, and its translation to and from the API's endpoint definition.
// Kept free of React and the DOM so it is tested on its own (test/ui/web-logic.test.ts).
// Problems found here carry the same JSON pointers as the API's validation details, so the form
// shows both at the same field.

export interface Pair {
  key: string;
  value: string;
  /** The stored value was not a string (a user parameter of 42 or true): it is sent back as JSON. */
  json?: boolean;
}

export interface EndpointForm {
  /** `http` sends requests to `url`; a broker type publishes to the broker at `url`. */
  destinationType: DestinationType;
  url: string;
  /** The type stored on the endpoint: a password left empty keeps the stored one only while the type stays. */
  destinationStoredType: DestinationType;
  /** Whether the stored broker destination has a password (the API says so, never what it is). */
  destinationHasPassword: boolean;
  /** The broker URL's password, write-only like `authSecret`: empty keeps the stored one (the server does). */
  brokerPassword: string;
  exchange: string;
  /** Template; empty for the server's default, `{{event.type}}`. */
  routingKey: string;
  subject: string;
  stream: string;
  /** Empty for the server's default (100000). */
  maxLen: string;
  title: string;
  description: string;
  /** '' for a provider-level endpoint (admins only choose). */
  accountId: string;
  /** Every event type (`*`), or only `eventTypes`. */
  subscribeAll: boolean;
  eventTypes: string[];
  active: boolean;
  method: EndpointMethod;
  headers: Pair[];
  queryParams: Pair[];
  bodyFormat: BodyFormat;
  fields: string[];
  userParams: Pair[];
  template: string;
  contentType: string;
  retryEnabled: boolean;
  schedule: RetrySchedule;
  /** Comma-separated seconds, custom schedule. */
  delays: string;
  intervalSeconds: string;
  maxAttempts: string;
  dropOn4xx: boolean;
  /** Delays spread by ±10 %; follows the schedule's default when the schedule is changed. */
  jitter: boolean;
  timeoutMs: string;
  rateLimitPerSecond: string;
  signing: SigningScheme;
  ordering: DeliveryOrdering;
  filterPath: string;
  /** Comma-separated; numbers, true, false and null are read as such, "quoted" text as text. */
  filterValues: string;
  /** How hookd authenticates to the receiver; '' for not at all. */
  authType: AuthType | '';
  /** The kind stored on the endpoint: its secret is kept when `authSecret` is left empty. */
  authStoredType: AuthType | '';
  authUsername: string;
  authTokenUrl: string;
  authClientId: string;
  authScope: string;
  authAudience: string;
  authCertPem: string;
  authCaPem: string;
  /** The kind's one write-only field (password, token, client secret, private key): never shown, only replaced. */
  authSecret: string;
}

export type AuthType = EndpointAuth['type'];

/** Each kind's write-only field, as the API names it. */
export const AUTH_SECRET_FIELD: Record<AuthType, string> = { basic: 'password', bearer: 'token', oauth2: 'clientSecret', mtls: 'keyPem' };

export interface Problem {
  field: string;
  message: string;
}

/** What each section of the editor is given: the form, how to change it, the problem at a field. */
export interface FormSectionProps {
  form: EndpointForm;
  update: (patch: Partial<EndpointForm>) => void;
  problem: (field: string) => string | null;
}

export function emptyForm(): EndpointForm {
  return {
    ...noBroker,
    url: '',
    title: '',
    description: '',
    accountId: '',
    // Like Svix: a new endpoint hears everything until told otherwise.
    subscribeAll: true,
    eventTypes: [],
    active: true,
    method: 'POST',
    headers: [],
    queryParams: [],
    bodyFormat: 'standard',
    fields: [],
    userParams: [],
    template: '',
    contentType: '',
    retryEnabled: true,
    schedule: 'exponential',
    delays: '',
    intervalSeconds: '',
    maxAttempts: '',
    dropOn4xx: false,
    jitter: true,
    timeoutMs: '15000',
    rateLimitPerSecond: '',
    signing: 'hmac',
    ordering: 'none',
    filterPath: '',
    filterValues: '',
    ...noAuth,
  };
}

const noBroker = {
  destinationType: 'http',
  destinationStoredType: 'http',
  destinationHasPassword: false,
  brokerPassword: '',
  exchange: '',
  routingKey: '',
  subject: '',
  stream: '',
  maxLen: '',
} as const satisfies Partial<EndpointForm>;

export const BROKER_LABEL: Record<Exclude<DestinationType, 'http'>, string> = { rabbitmq: 'RabbitMQ', nats: 'NATS JetStream', redis: 'Redis Streams' };

export function isBrokerType(type: DestinationType): type is Exclude<DestinationType, 'http'> {
  return type !== 'http';
}

function destinationForm(destination: EndpointDestination | undefined): Pick<EndpointForm, keyof typeof noBroker> {
  switch (destination?.type ?? 'http') {
    case 'rabbitmq': {
      const d = destination as Extract<EndpointDestination, { type: 'rabbitmq' }>;
      return { ...noBroker, destinationType: 'rabbitmq', destinationStoredType: 'rabbitmq', destinationHasPassword: d.hasPassword, exchange: d.exchange, routingKey: d.routingKey };
    }
    case 'nats': {
      const d = destination as Extract<EndpointDestination, { type: 'nats' }>;
      return { ...noBroker, destinationType: 'nats', destinationStoredType: 'nats', destinationHasPassword: d.hasPassword, subject: d.subject };
    }
    case 'redis': {
      const d = destination as Extract<EndpointDestination, { type: 'redis' }>;
      return { ...noBroker, destinationType: 'redis', destinationStoredType: 'redis', destinationHasPassword: d.hasPassword, stream: d.stream, maxLen: String(d.maxLen) };
    }
    default:
      return { ...noBroker };
  }
}

/**
 * The URL to send: for a broker, with the password typed in its own field put into it (the server
 * takes it out again and keeps it apart). Left as typed when it does not parse: the server says why.
 */
function sentUrl(form: EndpointForm): string {
  const url = form.url.trim();
  if (!isBrokerType(form.destinationType) || form.brokerPassword === '') return url;
  try {
    const parsed = new URL(url);
    parsed.password = encodeURIComponent(form.brokerPassword);
    return parsed.href;
  } catch {
    return url;
  }
}

function destinationFromForm(form: EndpointForm, problems: Problem[]): Record<string, unknown> {
  const required = (value: string, field: string) => {
    if (value.trim() === '') problems.push({ field: `/destination/${field}`, message: 'is required' });
    return value.trim();
  };
  switch (form.destinationType) {
    case 'http':
      return { type: 'http' };
    case 'rabbitmq':
      // "" is a real exchange (the default one, routing to the queue the key names): not required.
      return { type: 'rabbitmq', exchange: form.exchange.trim(), ...(form.routingKey.trim() === '' ? {} : { routingKey: form.routingKey.trim() }) };
    case 'nats':
      return { type: 'nats', subject: required(form.subject, 'subject') };
    case 'redis': {
      const maxLen = wholeNumber(form.maxLen, '/destination/maxLen', problems);
      return { type: 'redis', stream: required(form.stream, 'stream'), ...(maxLen === undefined ? {} : { maxLen }) };
    }
  }
}

const noAuth = {
  authType: '',
  authStoredType: '',
  authUsername: '',
  authTokenUrl: '',
  authClientId: '',
  authScope: '',
  authAudience: '',
  authCertPem: '',
  authCaPem: '',
  authSecret: '',
} as const satisfies Partial<EndpointForm>;

function authForm(auth: EndpointAuth | null | undefined): Pick<EndpointForm, keyof typeof noAuth> {
  if (auth === null || auth === undefined) return { ...noAuth };
  const form = { ...noAuth, authType: auth.type, authStoredType: auth.type };
  switch (auth.type) {
    case 'basic':
      return { ...form, authUsername: auth.username };
    case 'bearer':
      return form;
    case 'oauth2':
      return { ...form, authTokenUrl: auth.tokenUrl, authClientId: auth.clientId, authScope: auth.scope ?? '', authAudience: auth.audience ?? '' };
    case 'mtls':
      return { ...form, authCertPem: auth.certPem, authCaPem: auth.caPem ?? '' };
  }
}

/** The `auth` to send: without its secret when the field is left empty and the stored kind is kept. */
function authFromForm(form: EndpointForm, problems: Problem[]): Record<string, unknown> | null {
  if (form.authType === '') return null;
  const auth: Record<string, unknown> = { type: form.authType };
  const required = (value: string, field: string, key: string) => {
    if (value.trim() === '') problems.push({ field: `/auth/${field}`, message: 'is required' });
    else auth[key] = value.trim();
  };
  const optional = (value: string, key: string) => {
    if (value.trim() !== '') auth[key] = value.trim();
  };
  switch (form.authType) {
    case 'basic':
      required(form.authUsername, 'username', 'username');
      break;
    case 'oauth2':
      required(form.authTokenUrl, 'tokenUrl', 'tokenUrl');
      required(form.authClientId, 'clientId', 'clientId');
      optional(form.authScope, 'scope');
      optional(form.authAudience, 'audience');
      break;
    case 'mtls':
      required(form.authCertPem, 'certPem', 'certPem');
      optional(form.authCaPem, 'caPem');
      break;
  }
  const secretField = AUTH_SECRET_FIELD[form.authType];
  // Secrets are sent as typed (a password may start with a space); PEMs trimmed like the certificate.
  if (form.authSecret !== '') auth[secretField] = form.authType === 'mtls' ? form.authSecret.trim() : form.authSecret;
  else if (form.authStoredType !== form.authType) problems.push({ field: `/auth/${secretField}`, message: 'is required' });
  return auth;
}

const pairsOf = (record: Record<string, unknown> | undefined): Pair[] =>
  Object.entries(record ?? {}).map(([key, value]) =>
    typeof value === 'string' ? { key, value } : { key, value: JSON.stringify(value), json: true },
  );

/** A pair's value as sent: text, or for a value that was JSON and still parses, that JSON. */
function pairValue(pair: Pair): unknown {
  if (!pair.json) return pair.value;
  try {
    return JSON.parse(pair.value) as unknown;
  } catch {
    return pair.value;
  }
}

function filterValueText(value: string | number | boolean | null): string {
  return typeof value === 'string' && !/^(true|false|null|-?\d+(\.\d+)?)$/.test(value) && !value.includes(',') ? value : JSON.stringify(value);
}

export function formFromEndpoint(endpoint: Endpoint): EndpointForm {
  return {
    ...destinationForm(endpoint.destination),
    url: endpoint.url,
    title: endpoint.title,
    description: endpoint.description,
    accountId: endpoint.accountId ?? '',
    subscribeAll: endpoint.eventTypes.length === 0 || endpoint.eventTypes.includes('*'),
    eventTypes: endpoint.eventTypes.filter((type) => type !== '*'),
    active: endpoint.active,
    method: endpoint.method,
    headers: pairsOf(endpoint.headers),
    queryParams: pairsOf(endpoint.queryParams),
    bodyFormat: endpoint.body.format,
    fields: [...(endpoint.body.fields ?? [])],
    userParams: pairsOf(endpoint.body.userParams),
    template: endpoint.body.template ?? '',
    contentType: endpoint.body.contentType ?? '',
    retryEnabled: endpoint.retry.enabled,
    schedule: endpoint.retry.schedule,
    delays: (endpoint.retry.delaysSeconds ?? []).join(', '),
    intervalSeconds: endpoint.retry.intervalSeconds?.toString() ?? '',
    maxAttempts: endpoint.retry.maxAttempts?.toString() ?? '',
    dropOn4xx: endpoint.retry.dropOn4xx,
    jitter: endpoint.retry.jitter,
    timeoutMs: String(endpoint.timeoutMs),
    rateLimitPerSecond: endpoint.rateLimitPerSecond?.toString() ?? '',
    signing: endpoint.signing,
    ordering: endpoint.ordering,
    filterPath: endpoint.filter?.path ?? '',
    filterValues: (endpoint.filter?.in ?? []).map(filterValueText).join(', '),
    ...authForm(endpoint.auth),
  };
}

function recordOf(pairs: Pair[], field: string, problems: Problem[]): Record<string, string> {
  return recordWith(pairs, field, problems, (pair) => pair.value);
}

function recordWith<T>(pairs: Pair[], field: string, problems: Problem[], valueOf: (pair: Pair) => T): Record<string, T> {
  const record: Record<string, T> = {};
  pairs.forEach((pair, index) => {
    const key = pair.key.trim();
    if (key === '' && pair.value === '') return;
    if (key === '') problems.push({ field: `${field}/${index}`, message: 'needs a name' });
    else if (Object.hasOwn(record, key)) problems.push({ field: `${field}/${index}`, message: `"${key}" is given twice` });
    else record[key] = valueOf(pair);
  });
  return record;
}

function wholeNumber(text: string, field: string, problems: Problem[]): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (!/^\d+$/.test(trimmed)) {
    problems.push({ field, message: 'must be a whole number' });
    return undefined;
  }
  return Number(trimmed);
}

/** Splits on commas outside double quotes. */
function splitList(text: string): string[] {
  return (text.match(/("([^"\\]|\\.)*"|[^,])+/g) ?? []).map((part) => part.trim()).filter((part) => part !== '');
}

export function parseFilterValue(text: string): string | number | boolean | null {
  if (/^(true|false|null)$/.test(text) || /^-?\d+(\.\d+)?$/.test(text) || /^".*"$/.test(text)) {
    try {
      return JSON.parse(text) as string | number | boolean | null;
    } catch {
      return text;
    }
  }
  return text;
}

/**
 * The definition to send (POST /v1/endpoints, PATCH, or the preview's `endpoint`). `includeAccount`
 * is for an admin creating an endpoint; account keys never name one, and an endpoint's account is
 * not changed after creation.
 */
export function definitionFromForm(form: EndpointForm, options: { includeAccount: boolean }): { definition: Record<string, unknown>; problems: Problem[] } {
  const problems: Problem[] = [];
  // A broker gets a message, not a request: no method but POST's (a body), no query string, no
  // receiver auth (the URL's credentials are). The form keeps what was typed for HTTP, so switching
  // back restores it, but does not send it.
  const broker = isBrokerType(form.destinationType);
  const definition: Record<string, unknown> = {
    url: sentUrl(form),
    title: form.title,
    description: form.description,
    eventTypes: form.subscribeAll ? ['*'] : form.eventTypes,
    active: form.active,
    method: sentMethod(form),
    headers: recordOf(form.headers, '/headers', problems),
    queryParams: broker ? {} : recordOf(form.queryParams, '/queryParams', problems),
    destination: destinationFromForm(form, problems),
  };
  if (!form.subscribeAll && form.eventTypes.length === 0) problems.push({ field: '/eventTypes', message: 'choose at least one event type, or all of them' });
  if (options.includeAccount) definition.accountId = form.accountId.trim() === '' ? null : form.accountId.trim();

  const format = sentBodyFormat(form);
  const body: Record<string, unknown> = { format };
  if (format === 'json') {
    if (form.fields.length > 0) body.fields = form.fields;
    const userParams = recordWith(form.userParams, '/body/userParams', problems, pairValue);
    if (Object.keys(userParams).length > 0) body.userParams = userParams;
  }
  if (format === 'text') {
    body.template = form.template;
    if (form.contentType.trim() !== '') body.contentType = form.contentType.trim();
  }
  definition.body = body;

  const retry: Record<string, unknown> = { enabled: form.retryEnabled, schedule: form.schedule, dropOn4xx: form.dropOn4xx, jitter: form.jitter };
  if (form.schedule === 'custom') {
    const delays = splitList(form.delays).map((part) => wholeNumber(part, '/retry/delaysSeconds', problems));
    if (delays.length === 0) problems.push({ field: '/retry/delaysSeconds', message: 'list at least one delay in seconds' });
    else if (delays.every((d) => d !== undefined)) retry.delaysSeconds = delays;
  }
  if (form.schedule === 'fixed') {
    const interval = wholeNumber(form.intervalSeconds, '/retry/intervalSeconds', problems);
    const maxAttempts = wholeNumber(form.maxAttempts, '/retry/maxAttempts', problems);
    if (interval !== undefined) retry.intervalSeconds = interval;
    if (maxAttempts !== undefined) retry.maxAttempts = maxAttempts;
  }
  definition.retry = retry;

  const timeoutMs = wholeNumber(form.timeoutMs, '/timeoutMs', problems);
  if (timeoutMs !== undefined) definition.timeoutMs = timeoutMs;
  definition.rateLimitPerSecond = wholeNumber(form.rateLimitPerSecond, '/rateLimitPerSecond', problems) ?? null;
  definition.signing = form.signing;
  definition.ordering = form.ordering;

  const filterPath = form.filterPath.trim();
  const filterValues = splitList(form.filterValues).map(parseFilterValue);
  if (filterPath === '' && filterValues.length > 0) problems.push({ field: '/filter/path', message: 'name the payload path the values are compared with' });
  if (filterPath !== '' && filterValues.length === 0) problems.push({ field: '/filter/in', message: 'list at least one value' });
  definition.filter = filterPath === '' || filterValues.length === 0 ? null : { path: filterPath, in: filterValues };
  definition.auth = broker ? null : authFromForm(form, problems);

  return { definition, problems };
}

/** The problem to show at a field: exact pointer first, then any pointer inside it. */
export function problemAt(problems: Problem[], field: string): string | null {
  const exact = problems.find((p) => p.field === field);
  if (exact) return exact.message;
  const inside = problems.find((p) => p.field.startsWith(field + '/'));
  return inside ? inside.message : null;
}

/** The method saved: a broker's message always has a body (POST); the one chosen for HTTP stays in the form. */
export function sentMethod(form: Pick<EndpointForm, 'method'> & { destinationType?: DestinationType }): EndpointMethod {
  return form.destinationType !== undefined && isBrokerType(form.destinationType) ? 'POST' : form.method;
}

/**
 * A GET carries no body (src/domain/request.ts): only the JSON format means something for it, its
 * fields going into the query string. A text template or raw payload chosen before switching to
 * GET stays in the form (switching back restores it) but is not saved with a GET.
 */
export function sentBodyFormat(form: Pick<EndpointForm, 'method' | 'bodyFormat'> & { destinationType?: DestinationType }): BodyFormat {
  return sentMethod(form) === 'GET' && form.bodyFormat !== 'json' ? 'standard' : form.bodyFormat;
}

/** Which inputs of the form a problem's pointer is about. */
const FIELD_OWNERS: Array<[pointer: string, keys: Array<keyof EndpointForm>]> = [
  ['/url', ['url', 'brokerPassword']],
  ['/destination', ['destinationType', 'exchange', 'routingKey', 'subject', 'stream', 'maxLen']],
  ['/title', ['title']],
  ['/description', ['description']],
  ['/accountId', ['accountId']],
  ['/method', ['method']],
  ['/eventTypes', ['subscribeAll', 'eventTypes']],
  ['/filter', ['filterPath', 'filterValues']],
  ['/headers', ['headers']],
  ['/queryParams', ['queryParams']],
  ['/body', ['bodyFormat', 'fields', 'userParams', 'template', 'contentType']],
  ['/retry', ['retryEnabled', 'schedule', 'delays', 'intervalSeconds', 'maxAttempts', 'dropOn4xx', 'jitter']],
  ['/timeoutMs', ['timeoutMs']],
  ['/rateLimitPerSecond', ['rateLimitPerSecond']],
  ['/signing', ['signing']],
  ['/ordering', ['ordering']],
  ['/auth', ['authType', 'authUsername', 'authTokenUrl', 'authClientId', 'authScope', 'authAudience', 'authCertPem', 'authCaPem', 'authSecret']],
];

/**
 * The problems to show: all of them once the form was submitted; before that only those of inputs
 * the user has touched (changed, then left), so a new form does not open full of complaints and a
 * URL is not called invalid while it is being typed.
 */
export function shownProblems(problems: Problem[], touched: ReadonlySet<keyof EndpointForm>, submitted: boolean): Problem[] {
  if (submitted) return problems;
  return problems.filter((problem) => {
    const owner = FIELD_OWNERS.find(([pointer]) => problem.field === pointer || problem.field.startsWith(pointer + '/'));
    // A problem no input owns (the whole definition) waits for the submit.
    return owner !== undefined && owner[1].some((key) => touched.has(key));
  });
}
