import pino, { type Logger } from 'pino';
import type { LogLevel } from './config.js';

// Structured JSON logs, one line per thing worth knowing. Credentials are redacted wherever they
// could appear: request authorization headers, keys and secrets in bodies.
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  '*.key',
  '*.secret',
  '*.adminKey',
];

export function createLogger(level: LogLevel): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service: 'hookd' } });
}
