import { createCodec, type Codec } from '@fawtara/wire';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../app.ts';
import { createServices, type Services } from '../composition.ts';
import type { Database } from '../db/database.ts';
import { fixedClock, runningClock, type Clock } from '../lib/clock.ts';
import type { MessageChannel, MessageSender } from '../modules/delivery/message-sender.ts';
import type { LoginLimits } from '../modules/auth/auth.service.ts';
import type { IssuedMerchant, NewMerchantInput } from '../modules/merchants/merchants.service.ts';
import { SANDBOX } from '../modules/merchants/sandbox-credentials.ts';

export const TEST_BASE_URL = 'https://pay.fawtara.test';

/** Merchant-side identity a test speaks as. */
export interface Caller {
  merchantCode: string;
  accessCode: string;
  codec: Codec;
  token: string;
}

export interface CallOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  /** Encrypted with the caller's codec unless `data` is given. */
  payload?: unknown;
  /** Raw value for the data field (to send garbage). */
  data?: string;
  as?: Partial<Caller>;
  /** Where the data goes: JSON body (default), form, multipart, text, query. */
  via?: 'json' | 'form' | 'multipart' | 'text' | 'query';
  headers?: Record<string, string>;
}

export interface CallResult {
  status: number;
  headers: LightMyRequestResponse['headers'];
  /** The reply as sent (plain JSON), or the raw text when not JSON. */
  raw: any;
  rawText: string;
  /** Decrypted reply when the body was `{"response":"<hex>"}`; otherwise the plain reply. */
  body: any;
  encrypted: boolean;
}

export interface TestGateway {
  app: FastifyInstance;
  /** The services the app was built from (job workers, maintenance steps). */
  services: Services;
  database: Database;
  clock: ReturnType<typeof fixedClock>;
  sandbox: Caller;
  login(username: string, password: string): Promise<string>;
  call(opts: CallOptions): Promise<CallResult>;
  /** A fresh merchant with its own credentials and a logged-in token. */
  newMerchant(input?: Partial<NewMerchantInput>): Promise<Caller & { issued: IssuedMerchant }>;
  close(): Promise<void>;
}

let merchantSeq = 0;

/**
 * The gateway on a test database, with the sandbox merchant logged in, driven through
 * `app.inject` (no socket). The clock is fixed at `now` and can be moved.
 */
export interface GatewayOptions {
  /** The frozen clock's time; `'running'` for a clock that follows real time (job tests). */
  now?: string | 'running';
  loginLimits?: LoginLimits;
  logLines?: string[];
  mode?: 'sandbox' | 'production';
  senders?: Partial<Record<MessageChannel, MessageSender>>;
  retryBackoffMs?: (failures: number) => number;
  /** Turns request tracing on, exporting to this OTLP endpoint. */
  tracing?: { tracesUrl: string; serviceName: string };
}

export async function startGateway(database: Database, opts: GatewayOptions = {}): Promise<TestGateway> {
  const clock = opts.now === 'running' ? runningClock() : fixedClock(opts.now ?? '2026-11-21T09:00:00Z');
  const services = await createServices({
    database,
    clock: clock as Clock,
    config: {
      publicBaseUrl: TEST_BASE_URL,
      logLevel: opts.logLines ? 'trace' : 'silent',
      mode: opts.mode ?? 'sandbox',
      ...(opts.tracing ? { tracing: opts.tracing } : {}),
    },
    ...(opts.senders ? { senders: opts.senders } : {}),
    ...(opts.retryBackoffMs ? { retryBackoffMs: opts.retryBackoffMs } : {}),
    ...(opts.logLines ? { logStream: { write: (line: string) => void opts.logLines!.push(line) } } : {}),
    loginLimits: opts.loginLimits ?? { windowSeconds: 900, maxFailuresPerUser: 1000, maxFailuresPerAddress: 1000 },
  });
  const { merchants } = services;
  await merchants.ensureSandboxMerchant();
  const app = await buildApp(services, { publicBaseUrl: TEST_BASE_URL, trustProxy: false });

  async function login(username: string, password: string): Promise<string> {
    const res = await app.inject({ method: 'POST', url: '/api/v1/login', payload: { username, password } });
    if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
    return res.json().response.token.access_token;
  }

  const sandbox: Caller = {
    merchantCode: SANDBOX.merchantCode,
    accessCode: SANDBOX.accessCode,
    codec: createCodec({ secretKey: SANDBOX.secretKey, iv: SANDBOX.iv }),
    token: await login(SANDBOX.username, SANDBOX.password),
  };

  async function call(o: CallOptions): Promise<CallResult> {
    const who = { ...sandbox, ...o.as };
    const data = o.data ?? (o.payload === undefined ? undefined : who.codec.encrypt(JSON.stringify(o.payload)));
    const headers: Record<string, string> = { accept: 'application/json', ...o.headers };
    if (who.accessCode) headers.accesscode = who.accessCode;
    if (who.token) headers.authorization = `Bearer ${who.token}`;
    let url = o.url;
    let payload: string | undefined;
    const via = o.via ?? 'json';
    if (data !== undefined) {
      if (via === 'json') {
        headers['content-type'] = 'application/json';
        payload = JSON.stringify({ data });
      } else if (via === 'form') {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        payload = `data=${encodeURIComponent(data)}`;
      } else if (via === 'text') {
        headers['content-type'] = 'text/plain';
        payload = data;
      } else if (via === 'multipart') {
        const boundary = '----fawtara-test-boundary';
        headers['content-type'] = `multipart/form-data; boundary=${boundary}`;
        payload = `--${boundary}\r\nContent-Disposition: form-data; name="data"\r\n\r\n${data}\r\n--${boundary}--\r\n`;
      } else {
        url += `${url.includes('?') ? '&' : '?'}data=${encodeURIComponent(data)}`;
      }
    }
    const res = await app.inject({ method: o.method ?? 'POST', url, headers, ...(payload === undefined ? {} : { payload }) });
    let raw: any;
    try {
      raw = JSON.parse(res.body);
    } catch {
      raw = res.body;
    }
    const encrypted = raw !== null && typeof raw === 'object' && Object.keys(raw).length === 1 && typeof raw.response === 'string';
    const body = encrypted ? JSON.parse(who.codec.decrypt(raw.response)) : raw;
    return { status: res.statusCode, headers: res.headers, raw, rawText: res.body, body, encrypted };
  }

  async function newMerchant(input: Partial<NewMerchantInput> = {}) {
    merchantSeq += 1;
    const issued = await merchants.createMerchant({
      name: `Merchant ${merchantSeq}`,
      username: `merchant-${process.pid}-${merchantSeq}-${Math.random().toString(36).slice(2, 8)}`,
      password: 'correct horse battery',
      ...input,
    });
    return {
      issued,
      merchantCode: issued.merchantCode,
      accessCode: issued.accessCode,
      codec: createCodec({ secretKey: issued.secretKey, iv: issued.iv }),
      token: await login(issued.username, issued.password),
    };
  }

  return {
    app,
    services,
    database,
    clock,
    sandbox,
    login,
    call,
    newMerchant,
    close: async () => {
      await app.close();
      await services.close();
    },
  };
}

/** Row counts of the tables a request can write, to assert that a refusal changed nothing. */
const COUNTED = ['invoices', 'invoice_items', 'installment_plans', 'open_invoices', 'idempotency_keys', 'merchants', 'refresh_tokens'] as const;
export type RowCounts = Record<(typeof COUNTED)[number], number>;

export async function countRows(database: Database): Promise<RowCounts> {
  const tables = COUNTED;
  const out = {} as RowCounts;
  for (const t of tables) {
    const { rows } = await database.executeSql(`SELECT count(*)::int AS n FROM ${t}`);
    out[t] = Number(rows[0].n);
  }
  return out;
}
