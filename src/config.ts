import { EVENT_TYPE_PATTERN } from './domain/subscriptions.js';

// Configuration: defaults, then the environment, then `hookd serve` flags; validated once at
// start. Every setting is documented where it is declared. The environment is passed in so that
// tests control it.

export type Role = 'all' | 'api' | 'worker';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export type LogFormat = 'auto' | 'json' | 'pretty';

export interface Config {
  /** HOOKD_PORT: the HTTP port (0 picks a free one). */
  port: number;
  /** HOOKD_HOST: the address to listen on. */
  host: string;
  /** HOOKD_DATABASE_URL: `sqlite:<path>` (embedded, the default) or `postgres://…`. */
  databaseUrl: string;
  /** HOOKD_ADMIN_KEY: an admin key accepted in addition to the stored ones. */
  adminKey: string | null;
  /** HOOKD_ALLOW_PRIVATE_URLS: turns the SSRF URL guard off (development and tests on loopback). */
  allowPrivateUrls: boolean;
  /** HOOKD_STRICT_EVENT_TYPES: events and subscriptions must name catalog types. */
  strictEventTypes: boolean;
  /**
   * HOOKD_WORKER_CONCURRENCY: deliveries this process's worker holds at once — in flight, waiting in
   * their endpoint's lane, or with results being written. What is in flight to one endpoint is
   * capped by endpointConcurrency, so a hanging endpoint never holds more than its share.
   */
  workerConcurrency: number;
  /** HOOKD_ENDPOINT_CONCURRENCY: attempts in flight at once to one endpoint, so a slow one cannot take every slot. */
  endpointConcurrency: number;
  /**
   * HOOKD_ACCOUNT_MAX_ENDPOINTS: endpoints one account may have (409 `conflict` beyond), so that one
   * account cannot multiply its endpoints' lanes without bound. Provider-level endpoints are not capped.
   */
  accountMaxEndpoints: number;
  /** HOOKD_ROLE: `api` serves HTTP only, `worker` delivers only, `all` both. */
  role: Role;
  /** HOOKD_LOG_LEVEL */
  logLevel: LogLevel;
  /**
   * HOOKD_LOG_FORMAT: `json` (pino's standard lines), `pretty` (for a person at a terminal), or
   * `auto`: pretty when stdout is a terminal, JSON when it is a pipe, a file or a log collector.
   */
  logFormat: LogFormat;
  /**
   * HOOKD_ADMIN_KEY_FILE: where the admin key generated on the first start is written (mode 0600)
   * when stderr is not a terminal, so that it never enters the log stream. Unset: `hookd-admin-key`
   * beside the SQLite file, or in the working directory on PostgreSQL.
   */
  adminKeyFile: string | null;
  /** HOOKD_RETENTION_DAYS: events, deliveries and attempts older than this are purged. */
  retentionDays: number;
  /**
   * HOOKD_AUTO_DISABLE_AFTER: an endpoint whose every attempt has failed for this long (with at
   * least 10 attempts) is disabled. A duration such as `5d`, `12h`, `1d12h`, `90s`; held here in
   * milliseconds.
   */
  autoDisableAfter: number;
  /**
   * HOOKD_LEASE_SECONDS: how long a claimed delivery stays with a worker before another may take
   * it. A live worker renews the leases it still holds with its heartbeat, and the leases of a node
   * whose heartbeat stopped are taken back in seconds (src/queue/liveness.ts): the lease running
   * out is the last resort, for a node that stopped beating but kept its row (a database it could
   * not reach, a clock far off).
   */
  leaseSeconds: number;
  /**
   * HOOKD_ENCRYPTION_KEY: base64 of 32 bytes; every secret at rest (signing secrets and keys, auth
   * secrets, custom header values, the callback secret) is sealed with it (AES-256-GCM). Unset on
   * SQLite: the key of encryptionKeyFile, generated on the first start. Unset on PostgreSQL: hookd
   * refuses to start, unless insecurePlaintextSecrets.
   */
  encryptionKey: string | null;
  /**
   * HOOKD_ENCRYPTION_KEY_FILE: where an SQLite install keeps the key generated on its first start
   * (mode 0600) when HOOKD_ENCRYPTION_KEY is unset; later starts read it. Unset:
   * `hookd-encryption-key` beside the SQLite file. Back it up with the database: without it the
   * secrets in a backup cannot be opened.
   */
  encryptionKeyFile: string | null;
  /**
   * HOOKD_INSECURE_PLAINTEXT_SECRETS: let a PostgreSQL install start without HOOKD_ENCRYPTION_KEY,
   * its secrets stored in the clear (warned at every start). For a trial only.
   */
  insecurePlaintextSecrets: boolean;
  /** HOOKD_ENCRYPTION_OLD_KEYS: comma-separated earlier keys, still used to open secrets during a rotation. */
  encryptionOldKeys: string | null;
  /** HOOKD_METRICS_TOKEN: a bearer token that may read /metrics and nothing else (for Prometheus). */
  metricsToken: string | null;
  /** HOOKD_METRICS_PUBLIC: serve /metrics without any key (only where the port is not reachable from outside). */
  metricsPublic: boolean;
  /**
   * HOOKD_PUBLIC_URL: the origin users reach hookd at (`https://hooks.example.com`), for the links
   * hookd hands out (portal sessions). Unset: links are relative (`/portal#token=…`), never built
   * from the request's Host header, which a client chooses.
   */
  publicUrl: string | null;
  /**
   * HOOKD_PORTAL_FRAME_ANCESTORS: which pages may embed the customer portal in an iframe, as a CSP
   * `frame-ancestors` source list (`https://app.example.com https://*.example.com`); `*` (the
   * default) allows any page. The admin dashboard can never be framed.
   */
  portalFrameAncestors: string;
  /**
   * HOOKD_PORTAL_NAME: what the customer portal calls itself (its header, sign-in page and tab
   * title), e.g. your product's name. Customers never see "hookd".
   */
  portalName: string;
  /** HOOKD_PORTAL_LOGO_URL: an http(s) image shown beside the portal's name; its origin is allowed by the portal's CSP. */
  portalLogoUrl: string | null;
  /** HOOKD_PORTAL_ACCENT: the portal's accent colour, `#rrggbb`; a portal link's `?accent=` still wins. */
  portalAccent: string | null;
  /**
   * HOOKD_PORTAL_EVENT_TYPES: the catalog types customers see in the portal, as a comma-separated
   * list of names and patterns like an endpoint's subscription (`invoice.*, customer.created`).
   * `*` (the default) is every type except hookd's own `hookd.*`, which are shown only when named.
   */
  portalEventTypes: string[];
  /**
   * HOOKD_TRUST_PROXY: hookd runs behind one reverse proxy, so the client's address is read from
   * `X-Forwarded-For`, its right-most entry (and the scheme and host from `X-Forwarded-Proto`/`-Host`). Only set it when
   * every request comes through that proxy: otherwise any client can claim any address and escape
   * the throttle on failed authentication (src/api/auth-throttle.ts).
   */
  trustProxy: boolean;
  /**
   * HOOKD_MAX_INFLIGHT_BODY_BYTES: the bytes of request bodies being received and parsed at once
   * in this process; a request beyond it is answered 503 with Retry-After, so a few concurrent
   * large batches cannot exhaust memory. At least 5 MiB, the largest body a route accepts.
   */
  maxInflightBodyBytes: number;
}

export class ConfigError extends Error {}

export const DEFAULT_CONFIG: Config = {
  port: 8080,
  host: '127.0.0.1',
  databaseUrl: 'sqlite:./hookd.db',
  adminKey: null,
  allowPrivateUrls: false,
  strictEventTypes: true,
  workerConcurrency: 256,
  endpointConcurrency: 16,
  accountMaxEndpoints: 100,
  role: 'all',
  logLevel: 'info',
  logFormat: 'auto',
  adminKeyFile: null,
  retentionDays: 30,
  autoDisableAfter: 5 * 86_400_000,
  leaseSeconds: 120,
  encryptionKey: null,
  encryptionKeyFile: null,
  insecurePlaintextSecrets: false,
  encryptionOldKeys: null,
  metricsToken: null,
  metricsPublic: false,
  publicUrl: null,
  portalFrameAncestors: '*',
  portalName: 'Webhooks',
  portalLogoUrl: null,
  portalAccent: null,
  portalEventTypes: ['*'],
  trustProxy: false,
  maxInflightBodyBytes: 64 * 1024 * 1024,
};

type Parser<T> = (raw: string, name: string) => T;

const integer =
  (min: number, max: number): Parser<number> =>
  (raw, name) => {
    if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
    const value = Number(raw);
    if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
    return value;
  };

const DURATION_UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `5d`, `12h`, `1d12h`, `90s`, `500ms` → milliseconds, within [min, max]. A bare number has no unit, so it is refused. */
const duration =
  (minMs: number, maxMs: number, shown: string): Parser<number> =>
  (raw, name) => {
    const value = raw.trim();
    if (!/^(\d+(ms|s|m|h|d))+$/.test(value)) {
      throw new ConfigError(`${name} must be a duration such as 5d, 12h, 30m or 90s, got "${raw}"`);
    }
    let ms = 0;
    for (const [, amount, unit] of value.matchAll(/(\d+)(ms|s|m|h|d)/g)) ms += Number(amount) * DURATION_UNIT_MS[unit!]!;
    if (ms < minMs || ms > maxMs) throw new ConfigError(`${name} must be between ${shown}, got "${raw}"`);
    return ms;
  };

const boolean: Parser<boolean> = (raw, name) => {
  const value = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(value)) return true;
  if (['false', '0', 'no', 'off'].includes(value)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
};

const oneOf =
  <T extends string>(values: readonly T[]): Parser<T> =>
  (raw, name) => {
    if (!(values as readonly string[]).includes(raw)) {
      throw new ConfigError(`${name} must be one of ${values.join(', ')}, got "${raw}"`);
    }
    return raw as T;
  };

const text: Parser<string> = (raw, name) => {
  if (raw.trim() === '') throw new ConfigError(`${name} must not be empty`);
  return raw;
};

/** A shared secret typed into a config file: long enough that it cannot be guessed. */
const secretOfAtLeast =
  (minLength: number): Parser<string> =>
  (raw, name) => {
    if (raw.trim().length < minLength) throw new ConfigError(`${name} must be at least ${minLength} characters`);
    return raw.trim();
  };

const databaseUrl: Parser<string> = (raw, name) => {
  if (!/^(sqlite:|postgres:\/\/|postgresql:\/\/)/.test(raw)) {
    throw new ConfigError(`${name} must start with sqlite: or postgres://, got "${raw}"`);
  }
  return raw;
};

/** An origin only: links are built as `<origin>/portal`, and hookd serves its API and UI from `/`. */
const publicUrl: Parser<string> = (raw, name) => {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(`${name} must be a URL such as https://hooks.example.com, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`${name} must be an http or https URL, got "${raw}"`);
  if (url.username !== '' || url.password !== '' || url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    throw new ConfigError(`${name} must be an origin only (scheme, host and port, no path), got "${raw}"`);
  }
  return url.origin;
};

/**
 * A CSP source list for `frame-ancestors`. Each entry is `*`, `'self'`, `'none'` or an http(s)
 * origin whose host may start with `*.`; anything else could break out of the header's directive.
 */
const FRAME_ANCESTOR = /^(\*|'self'|'none'|https?:\/\/(\*\.)?[A-Za-z0-9.-]+(:(\d{1,5}|\*))?)$/;
const frameAncestors: Parser<string> = (raw, name) => {
  const sources = raw.trim().split(/\s+/);
  const bad = sources.find((source) => !FRAME_ANCESTOR.test(source));
  if (raw.trim() === '' || bad !== undefined) {
    throw new ConfigError(`${name} must be space-separated origins (https://app.example.com), 'self' or *, got "${bad ?? raw}"`);
  }
  if (sources.includes("'none'") && sources.length > 1) throw new ConfigError(`${name}: 'none' must stand alone`);
  return sources.join(' ');
};

const portalName: Parser<string> = (raw, name) => {
  const value = raw.trim();
  if (value === '' || value.length > 80) throw new ConfigError(`${name} must be 1 to 80 characters, got "${raw}"`);
  return value;
};

const imageUrl: Parser<string> = (raw, name) => {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(`${name} must be an image URL such as https://cdn.example.com/logo.svg, got "${raw}"`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '') {
    throw new ConfigError(`${name} must be an http or https URL without credentials, got "${raw}"`);
  }
  return url.href;
};

const hexColour: Parser<string> = (raw, name) => {
  const value = raw.trim();
  if (!/^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(value)) throw new ConfigError(`${name} must be a colour like #4f46e5, got "${raw}"`);
  const hex = value.slice(1).toLowerCase();
  return '#' + (hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex);
};

const eventTypePatterns: Parser<string[]> = (raw, name) => {
  const patterns = raw.split(/[\s,]+/).filter((pattern) => pattern !== '');
  const bad = patterns.find((pattern) => !EVENT_TYPE_PATTERN.test(pattern));
  if (patterns.length === 0 || bad !== undefined) {
    throw new ConfigError(`${name} must be comma-separated event type names or patterns (invoice.*, *), got "${bad ?? raw}"`);
  }
  return patterns;
};

const SETTINGS: { [K in keyof Config]: Parser<Config[K]> } = {
  port: integer(0, 65535),
  host: text,
  databaseUrl,
  // The admin key opens everything and may be tried from the network: 24 characters at least.
  adminKey: secretOfAtLeast(24),
  allowPrivateUrls: boolean,
  strictEventTypes: boolean,
  workerConcurrency: integer(1, 10_000),
  endpointConcurrency: integer(1, 10_000),
  accountMaxEndpoints: integer(1, 1_000_000),
  role: oneOf(['all', 'api', 'worker'] as const),
  logLevel: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
  logFormat: oneOf(['auto', 'json', 'pretty'] as const),
  adminKeyFile: text,
  retentionDays: integer(1, 36_500),
  autoDisableAfter: duration(1000, 365 * 86_400_000, '1s and 365d'),
  leaseSeconds: integer(5, 86_400),
  encryptionKey: text,
  encryptionKeyFile: text,
  insecurePlaintextSecrets: boolean,
  encryptionOldKeys: text,
  metricsToken: secretOfAtLeast(16),
  metricsPublic: boolean,
  publicUrl,
  portalFrameAncestors: frameAncestors,
  portalName,
  portalLogoUrl: imageUrl,
  portalAccent: hexColour,
  portalEventTypes: eventTypePatterns,
  trustProxy: boolean,
  // Below the batch route's 5 MiB limit, a batch that every other check accepts could never be received.
  maxInflightBodyBytes: integer(5 * 1024 * 1024, Number.MAX_SAFE_INTEGER),
};

/** `workerConcurrency` → `HOOKD_WORKER_CONCURRENCY`. */
export function envNameOf(key: keyof Config): string {
  return 'HOOKD_' + key.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase();
}

/** `workerConcurrency` → `worker-concurrency`, the `hookd serve` flag. */
export function flagNameOf(key: keyof Config): string {
  return key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

export const CONFIG_KEYS = Object.keys(SETTINGS) as (keyof Config)[];

/**
 * Builds the configuration. `flags` holds raw strings keyed like Config (commander's camelCase);
 * a flag wins over the environment, which wins over the default.
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  flags: Partial<Record<keyof Config, string>> = {},
): Config {
  const config: Record<string, unknown> = { ...DEFAULT_CONFIG };
  for (const key of CONFIG_KEYS) {
    const fromFlag = flags[key];
    const fromEnv = env[envNameOf(key)];
    const [raw, name] = fromFlag !== undefined ? [fromFlag, `--${flagNameOf(key)}`] : [fromEnv, envNameOf(key)];
    if (raw === undefined || (raw === '' && fromFlag === undefined)) continue;
    config[key] = (SETTINGS[key] as Parser<unknown>)(raw, name);
  }
  return config as unknown as Config;
}
