import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCodec } from '@fawtara/wire';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHttpReceiver, type HttpReceiver } from '../../server/src/test-support/http-receiver.ts';
import { Client } from './client.ts';
import { SANDBOX_CREDENTIALS, type ClientOptions } from './core.ts';
import { ConnectionError, RateLimitError, ServerError } from './errors.ts';
import { parseRetryAfter, Transport } from './http.ts';
import { invoiceParams, recordingFetch } from './testing/support.ts';

/**
 * The retry rules, proven against real HTTP servers on loopback that fail on purpose: the test
 * receiver (scripted statuses, dropped connections, hangs) and, for Retry-After headers, a
 * small scripted server of our own.
 */
const codec = createCodec({ secretKey: SANDBOX_CREDENTIALS.secretKey, iv: SANDBOX_CREDENTIALS.iv });
/** A successful encrypted reply, as Fawtara frames it. */
const ok = (response: unknown) => ({
  status: 200,
  body: JSON.stringify({ response: codec.encrypt(JSON.stringify({ status: true, message: 'ok', response })) }),
});
const profile = { id: 1, username: '842217', business_name: 'Sandbox', email: null, payment_methods: [] };
const invoice = { id: 7, token: '123', amount: '12.500' };

function client(baseUrl: string, over: Partial<ClientOptions> = {}): Client {
  return new Client({
    baseUrl,
    ...SANDBOX_CREDENTIALS,
    // A stored session: these servers only answer what the test scripts, no login.
    tokens: { accessToken: 'stored-token', refreshToken: undefined, expiresAt: Date.now() + 3_600_000 },
    retryBaseDelayMs: 5,
    ...over,
  });
}

describe('retries (scripted receiver)', () => {
  let receiver: HttpReceiver;
  let c: Client;
  beforeAll(async () => {
    receiver = await startHttpReceiver();
    c = client(receiver.url);
  });
  afterEach(() => {
    receiver.received.length = 0;
    receiver.setFallback(200);
  });
  afterAll(async () => receiver.close());

  it('a GET is retried after 503, 429, 502 and a dropped connection', async () => {
    receiver.script(503, 'drop', 429, ok(profile));
    expect(await c.profile.get({ maxRetries: 3 })).toEqual(profile);
    expect(receiver.received.map((r) => `${r.method} ${r.path.split('?')[0]}`)).toEqual(Array(4).fill('GET /api/v1/profile'));
    receiver.received.length = 0;
    receiver.script(502, ok(profile));
    expect(await c.profile.get()).toEqual(profile);
    expect(receiver.received).toHaveLength(2);
  });

  it('a create with an Idempotency-Key is retried after a dropped connection, with the same key and body', async () => {
    receiver.script('drop', ok(invoice));
    expect(await c.invoices.create(invoiceParams(), { idempotencyKey: 'order-1001' })).toEqual(invoice);
    const [first, second] = receiver.received;
    expect(receiver.received).toHaveLength(2);
    expect(first!.headers['idempotency-key']).toBe('order-1001');
    expect(second!.headers['idempotency-key']).toBe('order-1001');
    expect(second!.rawBody).toBe(first!.rawBody);

    // Without a key of the caller's, the client's own random key is reused on its retry.
    receiver.received.length = 0;
    receiver.script('drop', 503, ok([invoice]));
    await c.invoices.createInstallments({ invoices: [{ ...invoiceParams(), referenceNumber: 'P/1' }] });
    const keys = receiver.received.map((r) => r.headers['idempotency-key']);
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^sdk-/);
  });

  it.each([
    ['resend (POST without a key)', (x: Client) => x.invoices.resend({ resendId: 7, mobileNumber: '66666666' })],
    ['invoice cancel (PUT)', (x: Client) => x.invoices.cancel('123')],
    ['open invoice cancel (DELETE)', (x: Client) => x.openInvoices.cancel(9)],
    ['secret rotation (POST without a key)', (x: Client) => x.webhooks.rotateSecret()],
  ])('%s is NOT retried after a dropped connection', async (_name, call) => {
    // Only what is consumed is scripted: the receiver's queue outlives a test.
    receiver.script('drop');
    const err = await call(c).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err).toMatchObject({ code: 'connection_error', status: undefined });
    expect(receiver.received).toHaveLength(1);
  });

  it('a POST without a key is not retried after a 503 without Retry-After either', async () => {
    receiver.script(503);
    await expect(c.invoices.resend({ resendId: 7, mobileNumber: '66666666' })).rejects.toBeInstanceOf(ServerError);
    expect(receiver.received).toHaveLength(1);
  });

  it('retries stop at maxRetries (default 2; per client; per call)', async () => {
    receiver.setFallback(503);
    const err = await c.profile.get().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect(err).toMatchObject({ status: 503, code: 'server_error' });
    expect(receiver.received).toHaveLength(3);

    receiver.received.length = 0;
    await expect(client(receiver.url, { maxRetries: 4 }).profile.get()).rejects.toBeInstanceOf(ServerError);
    expect(receiver.received).toHaveLength(5);

    receiver.received.length = 0;
    await expect(c.profile.get({ maxRetries: 0 })).rejects.toBeInstanceOf(ServerError);
    expect(receiver.received).toHaveLength(1);

    receiver.received.length = 0;
    receiver.setFallback('drop');
    await expect(c.invoices.create(invoiceParams())).rejects.toBeInstanceOf(ConnectionError);
    expect(receiver.received).toHaveLength(3);
  });

  it('a request that gets no answer times out: a GET is retried, a POST without a key is not', async () => {
    receiver.setFallback('hang');
    const t = client(receiver.url, { timeoutMs: 150, maxRetries: 1 });
    await expect(t.profile.get()).rejects.toMatchObject({ name: 'ConnectionError', code: 'timeout' });
    expect(receiver.received).toHaveLength(2);
    receiver.received.length = 0;
    await expect(t.invoices.resend({ resendId: 1, mobileNumber: '66666666' })).rejects.toMatchObject({ code: 'timeout' });
    expect(receiver.received).toHaveLength(1);
  });

  it('login is retried after a dropped connection; a refresh is not (it falls back to login)', async () => {
    const token = (n: number) => ({
      status: 200,
      body: JSON.stringify({
        status: true,
        message: 'Success',
        response: { token: { token_type: 'Bearer', expires_in: 900, access_token: `a${n}`, refresh_token: `r${n}` } },
      }),
    });
    const fresh = client(receiver.url, { tokens: undefined, username: 'test', password: 'Test@1234' });
    receiver.script('drop', token(1), ok(profile));
    expect(await fresh.profile.get()).toEqual(profile);
    expect(receiver.received.map((r) => r.path.split('?')[0])).toEqual(['/api/v1/login', '/api/v1/login', '/api/v1/profile']);
    expect(receiver.received[2]!.headers.authorization).toBe('Bearer a1');

    receiver.received.length = 0;
    // Presenting a refresh token twice revokes its family: after a drop, log in instead.
    const expiring = client(receiver.url, {
      tokens: { accessToken: 'old', refreshToken: 'r0', expiresAt: Date.now() - 1 },
      username: 'test',
      password: 'Test@1234',
    });
    receiver.script('drop', token(2), ok(profile));
    expect(await expiring.profile.get()).toEqual(profile);
    expect(receiver.received.map((r) => r.path.split('?')[0])).toEqual(['/api/v1/token-refresh', '/api/v1/login', '/api/v1/profile']);
    expect(expiring.tokens()).toMatchObject({ accessToken: 'a2', refreshToken: 'r2' });
  });

  it("the caller's AbortSignal stops the call without retries", async () => {
    receiver.setFallback('hang');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(c.profile.get({ signal: controller.signal })).rejects.toMatchObject({ name: 'ConnectionError', code: 'aborted' });
    expect(receiver.received).toHaveLength(1);
  });
});

describe('retries (connection refused)', () => {
  it('a request that never left (connection refused) is retried, even a POST without a key', async () => {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const rec = recordingFetch();
    const c = client(`http://127.0.0.1:${port}`, { fetch: rec.fetch });
    const err = await c.invoices.resend({ resendId: 1, mobileNumber: '66666666' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toMatch(/ECONNREFUSED/);
    expect(rec.sent).toHaveLength(3);
  });
});

describe('Retry-After', () => {
  let server: HttpReceiver;
  beforeAll(async () => {
    server = await startHttpReceiver();
  });
  afterEach(() => {
    server.received.length = 0;
  });
  afterAll(async () => server.close());

  it('is honoured: the retry waits at least as long as asked', async () => {
    server.script({ status: 503, headers: { 'retry-after': '1' } }, ok(profile));
    expect(await client(server.url).profile.get()).toEqual(profile);
    const [a, b] = server.received;
    expect(b!.at - a!.at).toBeGreaterThanOrEqual(990);
  });

  it('lets even a POST without a key be retried: the server refused it and said when to come back', async () => {
    server.script({ status: 429, headers: { 'retry-after': '0' } }, ok(invoice));
    expect(await client(server.url).invoices.resend({ resendId: 7, mobileNumber: '66666666' })).toEqual(invoice);
    expect(server.received.map((r) => r.path)).toEqual(['/api/v1/invoice/resend', '/api/v1/invoice/resend']);
  });

  it('longer than the cap is not waited for: RateLimitError at once, with retryAfter', async () => {
    server.script({
      status: 429,
      headers: { 'retry-after': '120' },
      body: JSON.stringify({ status: false, code: 429, message: 'Too many requests', response: null }),
    });
    const started = Date.now();
    const err = await client(server.url, { maxRetryAfterMs: 5_000 })
      .profile.get()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err).toMatchObject({ status: 429, retryAfter: 120, message: 'Too many requests' });
    expect(server.received).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('reads delta-seconds and HTTP dates', () => {
    const now = Date.parse('2026-11-21T09:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7);
    expect(parseRetryAfter('Sat, 21 Nov 2026 09:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('Sat, 21 Nov 2026 08:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('backoff', () => {
  it('grows exponentially with jitter between half and all of each step, capped', () => {
    const at = (random: number) =>
      new Transport({
        fetch,
        timeoutMs: 1,
        maxRetries: 5,
        retryBaseDelayMs: 500,
        retryMaxDelayMs: 8_000,
        maxRetryAfterMs: 1,
        now: Date.now,
        random: () => random,
      });
    expect([0, 1, 2, 3, 4, 5].map((n) => at(0).backoffMs(n))).toEqual([250, 500, 1000, 2000, 4000, 4000]);
    expect([0, 1, 2, 3, 4, 5].map((n) => at(1).backoffMs(n))).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
  });
});
