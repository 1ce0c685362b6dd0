import { pino, type Logger } from 'pino';

export type { Logger };

/** Secrets and card data never reach the log, whatever a future log line includes. */
export const LOG_REDACT = [
  'req.headers.authorization',
  'req.headers.accesscode',
  '*.password',
  '*.secretKey',
  '*.secret_key',
  '*.iv',
  '*.iv_key',
  '*.refreshToken',
  '*.refresh_token',
  '*.access_token',
  '*.cardNumber',
  '*.card_number',
  '*.pan',
  '*.cvv',
  '*.pin',
];

export interface LoggerOptions {
  level: string;
  /** Where log lines go (stdout by default); tests read them to prove what is never logged. */
  stream?: { write(line: string): void };
}

/**
 * The one logger of a process: the HTTP server logs its requests through it and the services
 * and job workers their own events, with the same redaction everywhere.
 */
export function createLogger(opts: LoggerOptions): Logger {
  const options = { level: opts.level, redact: { paths: LOG_REDACT, censor: '[Redacted]' } };
  return opts.stream ? pino(options, opts.stream) : pino(options);
}
