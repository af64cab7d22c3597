import { createRequire } from 'node:module';
import pino, { type DestinationStream, type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';
import type { LogFormat, LogLevel } from './config.js';

// Structured logs on stdout, one line per thing worth knowing, with ids — never credentials.
// Nothing in hookd logs a key, a secret or a request's headers on purpose; the redaction below is
// the net under that rule, for whatever a future log line or a library's error carries.

const CREDENTIAL_HEADERS = ['authorization', 'cookie', '["x-api-key"]', '["webhook-signature"]'];
const CREDENTIAL_FIELDS = ['key', 'secret', 'token', 'adminKey', 'metricsToken', 'encryptionKey', 'encryptionOldKeys', 'databaseUrl'];

/** Receiver-auth secrets (an endpoint's `auth`), wherever an endpoint or its auth is logged. */
const AUTH_SECRET_FIELDS = ['password', 'clientSecret', 'keyPem'];

export const REDACT_PATHS = [
  ...CREDENTIAL_HEADERS.flatMap((header) => {
    const path = header.startsWith('[') ? header : `.${header}`;
    return [`req.headers${path}`, `headers${path}`, `*.headers${path}`];
  }),
  ...CREDENTIAL_FIELDS.flatMap((field) => [field, `*.${field}`]),
  ...AUTH_SECRET_FIELDS.flatMap((field) => [field, `*.${field}`]),
  ...[...AUTH_SECRET_FIELDS, 'token'].flatMap((field) => [`auth.${field}`, `*.auth.${field}`]),
];

/** `auto` is pretty on a terminal and JSON anywhere else (a pipe, a file, a log collector). */
export function resolveLogFormat(format: LogFormat, stdoutIsTerminal: boolean = process.stdout.isTTY === true): 'json' | 'pretty' {
  if (format !== 'auto') return format;
  return stdoutIsTerminal ? 'pretty' : 'json';
}

/**
 * pino's own format — numeric `level`, `time` in epoch milliseconds, `pid`, `hostname`, `name` —
 * so that the pino ecosystem reads hookd's logs as they are (`hookd serve | pino-pretty -L warn`,
 * pino transports, log stores' pino parsers). `pretty` renders the same lines for a person at a
 * terminal. `destination` is for tests that read what a real server logs.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream, format: 'json' | 'pretty' = 'json'): Logger {
  const options = { level, name: 'hookd', redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  if (format === 'pretty') {
    // Loaded only for a terminal: the ~200 ms it takes to load are not every server's to pay.
    const pretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
    const colorize = destination === undefined && process.stdout.isTTY === true;
    return pino(
      options,
      pretty({
        sync: true,
        colorize,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname,name',
        ...(destination === undefined ? {} : { destination }),
      }),
    );
  }
  return pino(options, destination);
}
