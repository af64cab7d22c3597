import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.js';

// Structured JSON logs on stdout, one line per thing worth knowing, with ids — never credentials.
// Nothing in hookd logs a key, a secret or a request's headers on purpose; the redaction below is
// the net under that rule, for whatever a future log line or a library's error carries.

const CREDENTIAL_HEADERS = ['authorization', 'cookie', '["x-api-key"]', '["webhook-signature"]'];
const CREDENTIAL_FIELDS = ['key', 'secret', 'token', 'adminKey', 'metricsToken', 'encryptionKey', 'encryptionOldKeys', 'databaseUrl'];

export const REDACT_PATHS = [
  ...CREDENTIAL_HEADERS.flatMap((header) => {
    const path = header.startsWith('[') ? header : `.${header}`;
    return [`req.headers${path}`, `headers${path}`, `*.headers${path}`];
  }),
  ...CREDENTIAL_FIELDS.flatMap((field) => [field, `*.${field}`]),
];

/**
 * `level` as a word and `time` as ISO-8601, so that the lines read well in any log store without
 * pino's own tools. `destination` is for tests that read what a real server logs.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: 'hookd' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
