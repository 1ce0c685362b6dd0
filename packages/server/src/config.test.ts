import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('has working defaults: sandbox, embedded database in ./data, localhost links', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, host: '127.0.0.1', databaseUrl: undefined, mode: 'sandbox', publicBaseUrl: 'http://localhost:3000', logLevel: 'info', trustProxy: false });
    expect(c.dataDir).toBe(path.resolve('data'));
  });

  it('reads every variable', () => {
    const c = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://u@db/fawtara',
      DATA_DIR: '/tmp/x',
      PUBLIC_BASE_URL: 'https://pay.example.com/',
      FAWTARA_MODE: 'production',
      LOG_LEVEL: 'warn',
      TRUST_PROXY: 'true',
      DATABASE_POOL_SIZE: '50',
    });
    expect(c).toMatchObject({ port: 8080, host: '0.0.0.0', databaseUrl: 'postgres://u@db/fawtara', dataDir: '/tmp/x', publicBaseUrl: 'https://pay.example.com', mode: 'production', logLevel: 'warn', trustProxy: true, databasePoolSize: 50 });
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
