// The server's one logger (both API listeners and the webhook log through it): JSON lines (or, with
// format `text`, sentences for a terminal), credentials never written.
import { pino, type Logger } from 'pino';
import type { LogFormat } from '../../core/config/config-values.ts';
import { textLogStream } from './log-text.ts';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'req.headers["x-forwarded-access-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.proxyToken',
  '*.uploadToken',
  '*.token',
  'proxyToken',
  'uploadToken',
  'token',
];

/** Writes nothing: for parts built without the process's logger (tests). */
export const SILENT_LOG: Logger = pino({ level: 'silent' });

export function createServerLogger(level: string, format: LogFormat = 'json'): Logger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return format === 'text' ? pino(options, textLogStream(process.stdout)) : pino(options);
}
