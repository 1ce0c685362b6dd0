import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, OUTBOX_ONLY } from './config.ts';

/** Every variable config.ts reads, each set to a value other than its default. */
const EVERY_VARIABLE = {
  PORT: '8080',
  HOST: '0.0.0.0',
  DATABASE_URL: 'postgres://u@db/fawtara',
  DATABASE_POOL_SIZE: '50',
  DATA_DIR: '/tmp/x',
  PUBLIC_BASE_URL: 'https://pay.example.com/',
  FAWTARA_MODE: 'production',
  LOG_LEVEL: 'warn',
  TRUST_PROXY: 'true',
  FAWTARA_WORKER: 'off',
  SMTP_URL: 'smtps://mailer:secret@mail.example.com:465',
  MAIL_FROM: 'Shop <shop@example.com>',
  SMS_PROVIDER_URL: 'https://sms.example.com/send',
  SMS_PROVIDER_TOKEN: 'sms-token',
  SMS_PROVIDER_TEMPLATE: '{"to":"{{to}}","sms":"{{text}}"}',
  WHATSAPP_PROVIDER_URL: 'http://wa.example.com/send',
  WHATSAPP_PROVIDER_TOKEN: 'wa-token',
  WHATSAPP_PROVIDER_TEMPLATE: '{"to":"{{to}}","wa":"{{text}}"}',
  FAWTARA_METRICS_TOKEN: 'scrape-token-0123456789',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector.example.com:4318',
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.com/otlp/v1/traces',
  OTEL_SERVICE_NAME: 'fawtara-eu',
};

/** The names loadConfig looks up while loading `env`. */
function readVariables(env: Record<string, string>): string[] {
  const read = new Set<string>();
  const watched = new Proxy(env, {
    get(target, key) {
      if (typeof key === 'string') read.add(key);
      return Reflect.get(target, key);
    },
    has(target, key) {
      if (typeof key === 'string') read.add(key);
      return Reflect.has(target, key);
    },
  });
  loadConfig(watched);
  return [...read].sort();
}

/**
 * The names config.ts's source reads, for reads a run does not reach (a branch the values above
 * do not take). It follows the forms config.ts uses: `env.NAME`, a helper called as
 * `helper(env, 'NAME')`, and providerVar's prefix joined to each `${prefix}_SUFFIX` it reads. Any
 * other way of indexing the environment fails, so that a new form gets taught here, not missed.
 */
function variablesInSource(source: string): string[] {
  const names = new Set<string>();
  for (const [, name] of source.matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g)) names.add(name!);
  const suffixes = [...source.matchAll(/\$\{prefix\}(_[A-Z][A-Z0-9_]*)/g)].map(([, suffix]) => suffix!);
  expect(suffixes.length).toBeGreaterThan(0);
  for (const [, helper, name] of source.matchAll(/\b(\w+)\(env, '([A-Z][A-Z0-9_]*)'/g)) {
    if (helper === 'providerVar') for (const suffix of suffixes) names.add(`${name}${suffix}`);
    else names.add(name!);
  }
  const indexing = [...source.matchAll(/\benv\[([^\]]*)\]/g)].map(([, index]) => index);
  expect(indexing.filter((index) => index !== 'name' && !/^`\$\{prefix\}_[A-Z][A-Z0-9_]*`$/.test(index!))).toEqual([]);
  // A read of process.env would bypass `env`; only loadConfig's default parameter may name it.
  expect(source.match(/process\.env/g)).toHaveLength(1);
  return [...names].sort();
}

describe('loadConfig', () => {
  it('has working defaults: sandbox, embedded database in ./data, localhost links, outbox only', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      databasePoolSize: 20,
      dataDir: path.resolve('data'),
      publicBaseUrl: 'http://localhost:3000',
      mode: 'sandbox',
      logLevel: 'info',
      trustProxy: false,
      inlineWorker: true,
      messaging: OUTBOX_ONLY,
      metricsToken: undefined,
      tracing: undefined,
    });
  });

  it('reads every variable config.ts reads, each into its setting', () => {
    // Every value differs from its default (and SMS's from WhatsApp's), so a variable ignored
    // or read into another setting changes the result.
    const c = loadConfig(EVERY_VARIABLE);
    expect(c).toEqual({
      port: 8080,
      host: '0.0.0.0',
      databaseUrl: 'postgres://u@db/fawtara',
      databasePoolSize: 50,
      dataDir: '/tmp/x',
      publicBaseUrl: 'https://pay.example.com',
      mode: 'production',
      logLevel: 'warn',
      trustProxy: true,
      inlineWorker: false,
      messaging: {
        smtpUrl: 'smtps://mailer:secret@mail.example.com:465',
        mailFrom: 'Shop <shop@example.com>',
        sms: { url: 'https://sms.example.com/send', token: 'sms-token', bodyTemplate: '{"to":"{{to}}","sms":"{{text}}"}' },
        whatsapp: { url: 'http://wa.example.com/send', token: 'wa-token', bodyTemplate: '{"to":"{{to}}","wa":"{{text}}"}' },
      },
      metricsToken: 'scrape-token-0123456789',
      // The traces endpoint, when given, is used as is; the general one is then not used.
      tracing: { tracesUrl: 'https://traces.example.com/otlp/v1/traces', serviceName: 'fawtara-eu' },
    });
  });

  it('turns tracing on with the general OTLP endpoint alone, posting to its /v1/traces as service "fawtara"', () => {
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318/' }).tracing).toEqual({
      tracesUrl: 'http://127.0.0.1:4318/v1/traces',
      serviceName: 'fawtara',
    });
    expect(loadConfig({ OTEL_SERVICE_NAME: 'only-a-name' }).tracing).toBeUndefined();
  });

  it('knows every variable config.ts reads, by running it and by reading its source', async () => {
    const known = Object.keys(EVERY_VARIABLE).sort();
    expect(readVariables(EVERY_VARIABLE)).toEqual(known);

    const source = await readFile(fileURLToPath(new URL('./config.ts', import.meta.url)), 'utf8');
    expect(variablesInSource(source)).toEqual(known);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ FAWTARA_MODE: 'prod' }, 'FAWTARA_MODE'],
    [{ PUBLIC_BASE_URL: 'pay.example.com' }, 'PUBLIC_BASE_URL'],
    [{ PUBLIC_BASE_URL: 'ftp://pay.example.com' }, 'PUBLIC_BASE_URL'],
    [{ PUBLIC_BASE_URL: 'https://pay.example.com/?a=1' }, 'PUBLIC_BASE_URL'],
    [{ FAWTARA_MODE: 'production' }, 'PUBLIC_BASE_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ TRUST_PROXY: 'maybe' }, 'TRUST_PROXY'],
    [{ DATABASE_POOL_SIZE: '0' }, 'DATABASE_POOL_SIZE'],
    [{ FAWTARA_WORKER: 'maybe' }, 'FAWTARA_WORKER'],
    [{ SMTP_URL: 'http://mail.example.com' }, 'SMTP_URL'],
    [{ SMS_PROVIDER_URL: 'sms.example.com' }, 'SMS_PROVIDER_URL'],
    [{ WHATSAPP_PROVIDER_URL: 'ftp://wa.example.com' }, 'WHATSAPP_PROVIDER_URL'],
    [{ FAWTARA_METRICS_TOKEN: 'short' }, 'FAWTARA_METRICS_TOKEN'],
    [{ FAWTARA_METRICS_TOKEN: 'has a space in it, long enough' }, 'FAWTARA_METRICS_TOKEN'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, 'OTEL_EXPORTER_OTLP_ENDPOINT'],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'grpc://collector:4317' }, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'],
  ])('refuses %o naming %s', (env, variable) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message.startsWith(`${variable}: `)).toBe(true);
  });
});
