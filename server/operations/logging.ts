// pino options for the server: JSON lines (or, with format `text`, sentences for a terminal),
// credentials never written.
import type { FastifyServerOptions } from 'fastify';
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

export function loggerOptions(
  level: string,
  format: LogFormat = 'json',
): NonNullable<FastifyServerOptions['logger']> {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return format === 'text' ? { ...options, stream: textLogStream(process.stdout) } : options;
}
