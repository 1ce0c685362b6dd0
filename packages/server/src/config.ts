import path from 'node:path';
import type { OpenDatabaseOptions } from './db/database.ts';
import { OUTBOX_ONLY, type HttpProviderConfig, type MessagingConfig } from './modules/delivery/messaging-config.ts';

export { OUTBOX_ONLY, type HttpProviderConfig, type MessagingConfig } from './modules/delivery/messaging-config.ts';

/**
 * Configuration comes only from environment variables (README lists them). Every problem stops
 * start-up with a message naming the variable, so a typo never runs with a silent default.
 */
export type Mode = 'sandbox' | 'production';

export interface Config {
  port: number;
  host: string;
  /** Absent: embedded PGlite in `dataDir`. */
  databaseUrl: string | undefined;
  databasePoolSize: number;
  dataDir: string;
  /** Origin (and optional path prefix) put in the links the API returns, without trailing slash. */
  publicBaseUrl: string;
  mode: Mode;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Trust X-Forwarded-For (only behind a proxy you control): login rate limits key on the client address. */
  trustProxy: boolean;
  /** Run the job workers (delivery, webhooks, expiry) inside the server process. */
  inlineWorker: boolean;
  messaging: MessagingConfig;
  /**
   * When set, `GET /metrics` answers only `Authorization: Bearer <token>`. The metrics carry no
   * merchant data (counts by route pattern, outcome and queue, never ids or amounts), so
   * without it they are open, as Prometheus endpoints usually are: keep the port off the
   * internet (or behind the proxy's own rule) or set a token.
   */
  metricsToken: string | undefined;
  /** OpenTelemetry tracing; undefined (the default) loads no tracing code at all. */
  tracing: TracingConfig | undefined;
}

export interface TracingConfig {
  /** Where spans are posted (OTLP over HTTP, JSON), e.g. `http://collector:4318/v1/traces`. */
  tracesUrl: string;
  /** The `service.name` resource attribute. */
  serviceName: string;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = intVar(env, 'PORT', 3000, 0, 65535);
  const host = (env.HOST ?? '127.0.0.1').trim();
  if (!host) throw new ConfigError('HOST', 'must not be empty');

  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL', 'must be a postgres:// or postgresql:// URL (leave it unset for the embedded database)');
  }

  const mode = (env.FAWTARA_MODE ?? 'sandbox').trim();
  if (mode !== 'sandbox' && mode !== 'production') {
    throw new ConfigError('FAWTARA_MODE', `must be "sandbox" or "production", got "${mode}"`);
  }

  const publicBaseUrl = baseUrlVar(env, port, mode);

  const logLevel = (env.LOG_LEVEL ?? 'info').trim();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  }

  return {
    port,
    host,
    databaseUrl,
    databasePoolSize: intVar(env, 'DATABASE_POOL_SIZE', 20, 1, 1000),
    dataDir: path.resolve(env.DATA_DIR?.trim() || 'data'),
    publicBaseUrl,
    mode,
    logLevel: logLevel as Config['logLevel'],
    trustProxy: boolVar(env, 'TRUST_PROXY', false),
    inlineWorker: workerVar(env),
    messaging: {
      smtpUrl: urlVar(env, 'SMTP_URL', ['smtp:', 'smtps:']),
      mailFrom: env.MAIL_FROM?.trim() || OUTBOX_ONLY.mailFrom,
      sms: providerVar(env, 'SMS'),
      whatsapp: providerVar(env, 'WHATSAPP'),
    },
    metricsToken: metricsTokenVar(env),
    tracing: tracingVar(env),
  };
}

function metricsTokenVar(env: NodeJS.ProcessEnv): string | undefined {
  const token = env.FAWTARA_METRICS_TOKEN?.trim();
  if (!token) return undefined;
  // A header value: printable ASCII without spaces, and long enough not to be guessed.
  if (!/^[\x21-\x7e]{16,}$/.test(token)) throw new ConfigError('FAWTARA_METRICS_TOKEN', 'must be at least 16 printable characters without spaces');
  return token;
}

/**
 * The standard OpenTelemetry variables: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is the traces URL as
 * is; OTEL_EXPORTER_OTLP_ENDPOINT is a base that gets `/v1/traces`. Either one turns tracing on.
 */
function tracingVar(env: NodeJS.ProcessEnv): TracingConfig | undefined {
  const tracesUrl = urlVar(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', ['http:', 'https:']);
  const base = urlVar(env, 'OTEL_EXPORTER_OTLP_ENDPOINT', ['http:', 'https:']);
  const serviceName = env.OTEL_SERVICE_NAME?.trim() || 'fawtara';
  if (tracesUrl) return { tracesUrl, serviceName };
  if (base) return { tracesUrl: `${base.replace(/\/+$/, '')}/v1/traces`, serviceName };
  return undefined;
}

function workerVar(env: NodeJS.ProcessEnv): boolean {
  const raw = (env.FAWTARA_WORKER ?? 'inline').trim();
  if (raw !== 'inline' && raw !== 'off')
    throw new ConfigError('FAWTARA_WORKER', `must be "inline" (jobs run in the server) or "off" (run \`npm run worker\` separately), got "${raw}"`);
  return raw === 'inline';
}

function urlVar(env: NodeJS.ProcessEnv, name: string, protocols: string[]): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be an absolute ${protocols.map((p) => p.slice(0, -1)).join(' or ')} URL, got "${raw}"`);
  }
  if (!protocols.includes(url.protocol)) throw new ConfigError(name, `must use ${protocols.join(' or ')}`);
  return raw;
}

function providerVar(env: NodeJS.ProcessEnv, prefix: 'SMS' | 'WHATSAPP'): HttpProviderConfig | undefined {
  const url = urlVar(env, `${prefix}_PROVIDER_URL`, ['http:', 'https:']);
  if (!url) return undefined;
  return { url, token: env[`${prefix}_PROVIDER_TOKEN`]?.trim() || undefined, bodyTemplate: env[`${prefix}_PROVIDER_TEMPLATE`]?.trim() || undefined };
}

function intVar(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function boolVar(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'no'].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function baseUrlVar(env: NodeJS.ProcessEnv, port: number, mode: Mode): string {
  const raw = env.PUBLIC_BASE_URL?.trim();
  if (!raw) {
    // Production links go to customers' phones: a localhost default would be a silent bug.
    if (mode === 'production') throw new ConfigError('PUBLIC_BASE_URL', 'is required in production mode (the origin customers open payment links on)');
    return `http://localhost:${port}`;
  }
  const url = new URL(urlVar(env, 'PUBLIC_BASE_URL', ['http:', 'https:'])!);
  if (url.search || url.hash) throw new ConfigError('PUBLIC_BASE_URL', 'must not contain a query string or fragment');
  return raw.replace(/\/+$/, '');
}

/** Where a configuration keeps its data, for messages ("PostgreSQL" or "embedded PGlite in <dir>"). */
export function describeDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir'>): string {
  return config.databaseUrl ? 'PostgreSQL' : `embedded PGlite in ${config.dataDir}`;
}

/** Where the configured database is: PostgreSQL when DATABASE_URL is set, else the PGlite folder. */
export function databaseOptions(config: Pick<Config, 'databaseUrl' | 'dataDir'>, poolSize: number): OpenDatabaseOptions {
  return config.databaseUrl ? { databaseUrl: config.databaseUrl, poolSize } : { dataDir: config.dataDir };
}
