import { Option, type Command } from 'commander';
import { DEFAULT_CONFIG, envNameOf, flagNameOf, type Config } from '../config.js';

// The settings of src/config.ts as command-line flags: `hookd serve --port 8080`. Each flag has a
// description, its default and its environment variable in --help; a boolean setting is a flag
// without a value (`--allow-private-urls`), or `--no-…` where it is on by default. Only what was
// typed on the command line is handed to loadConfig, which applies flag > environment > default.

/** What each setting does, for --help (config.ts documents the same where it is declared). */
const DESCRIPTIONS: { [K in keyof Config]: string } = {
  port: 'the HTTP port (0 picks a free one)',
  host: 'the address to listen on (0.0.0.0 for every interface)',
  databaseUrl: 'sqlite:<path> (embedded) or postgres://user@host:5432/db',
  adminKey: 'an admin key accepted in addition to the stored ones',
  allowPrivateUrls: 'turn the SSRF URL guard off, allowing loopback and private addresses (development only)',
  strictEventTypes: 'accept events and subscriptions of any type, not only catalog types',
  workerConcurrency: 'deliveries this process works on at once',
  endpointConcurrency: 'attempts in flight at once to one endpoint',
  accountMaxEndpoints: 'endpoints one account may have (409 beyond)',
  role: 'all (API and worker), api (HTTP only) or worker (delivers only)',
  logLevel: 'fatal, error, warn, info, debug, trace or silent',
  logFormat: 'json (pino lines), pretty, or auto: pretty on a terminal, JSON otherwise',
  adminKeyFile: 'where the first-start admin key is written (0600) when stderr is not a terminal',
  retentionDays: 'events, deliveries and attempts older than this are purged',
  autoDisableAfter: 'an endpoint failing every attempt for this long (5d, 12h, 90s; 10 attempts at least) is disabled',
  leaseSeconds: 'how long a claimed delivery stays with a worker that stopped renewing it before another may take it',
  encryptionKey: 'base64 of 32 bytes: every secret at rest is sealed with it (required on PostgreSQL)',
  encryptionKeyFile: 'where SQLite keeps the encryption key generated on the first start (0600); back it up with the database',
  insecurePlaintextSecrets: 'let PostgreSQL start without an encryption key, secrets stored in the clear (trials only)',
  encryptionOldKeys: 'comma-separated earlier encryption keys, still accepted during a rotation',
  metricsToken: 'a bearer token that may read /metrics and nothing else',
  metricsPublic: 'serve /metrics without any key',
  publicUrl: 'the origin users reach hookd at (https://hooks.example.com), for the links it hands out',
  portalFrameAncestors: 'pages that may embed the customer portal (CSP frame-ancestors)',
  portalName: 'what the customer portal calls itself (header, sign-in page, tab title)',
  portalLogoUrl: 'an http(s) image shown beside the portal name',
  portalAccent: "the portal's accent colour, #rrggbb",
  portalEventTypes: 'comma-separated catalog types or patterns customers see in the portal (* hides hookd.* types)',
  trustProxy: 'read the client address from X-Forwarded-For (only behind a proxy every request goes through)',
  maxInflightBodyBytes: 'bytes of request bodies received at once; beyond it 503 with Retry-After',
};

/** Defaults that are not plain values, as --help shows them. */
const DEFAULT_SHOWN: Partial<Record<keyof Config, string>> = {
  adminKey: 'none: one is generated on the first start',
  adminKeyFile: 'hookd-admin-key beside the SQLite file, or in the working directory',
  autoDisableAfter: '5d',
  encryptionKey: 'SQLite: the key file, generated on the first start; PostgreSQL: required',
  encryptionKeyFile: 'hookd-encryption-key beside the SQLite file',
  encryptionOldKeys: 'none',
  metricsToken: 'none',
  portalLogoUrl: 'none',
  portalAccent: 'none',
  publicUrl: 'none: links are relative (/portal#token=…)',
  strictEventTypes: 'catalog types only',
};

function optionOf(key: keyof Config): Option {
  const flag = flagNameOf(key);
  const env = envNameOf(key);
  const fallback = DEFAULT_CONFIG[key];
  if (typeof fallback === 'boolean') {
    // Commander shows no default for a flag without a value; the description says it.
    const shown = DEFAULT_SHOWN[key] ?? 'off';
    return fallback
      ? new Option(`--no-${flag}`, `${DESCRIPTIONS[key]} (env ${env}=false) (default: ${shown})`)
      : new Option(`--${flag}`, `${DESCRIPTIONS[key]} (env ${env}=true) (default: ${shown})`);
  }
  const shown = DEFAULT_SHOWN[key] ?? String(fallback);
  return new Option(`--${flag} <value>`, `${DESCRIPTIONS[key]} (env ${env})`).default(fallback, shown);
}

/** Adds a flag for each of these settings. */
export function addSettingOptions(command: Command, keys: readonly (keyof Config)[]): Command {
  for (const key of keys) command.addOption(optionOf(key));
  return command;
}

/** The settings typed on the command line, as the raw text loadConfig parses. */
export function settingFlagsOf(command: Command, keys: readonly (keyof Config)[]): Partial<Record<keyof Config, string>> {
  const flags: Partial<Record<keyof Config, string>> = {};
  for (const key of keys) {
    if (command.getOptionValueSource(key) !== 'cli') continue;
    const value: unknown = command.getOptionValue(key);
    flags[key] = String(value);
  }
  return flags;
}
