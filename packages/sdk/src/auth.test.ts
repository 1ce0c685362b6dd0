import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEngines } from '../../server/src/test-support/engines.ts';
import { startGateway, type TestGateway } from '../../server/src/test-support/gateway.ts';
import { TokenManager, type TokenReply, type TokenSet } from './auth.ts';
import { AuthenticationError } from './errors.ts';
import { clientFor, listen, recordingFetch, type TestMerchant } from './testing/support.ts';

/**
 * The session against a real Fawtara: lazy login, one refresh however many calls wait, login
 * again when the refresh token is refused, and one re-authentication after a 401.
 * Time moves on both sides: the server's fixed clock and the client's own.
 */
describeEngines('SDK session', (ctx) => {
  let gw: TestGateway;
  let baseUrl: string;
  let m: TestMerchant;
  const start = Date.parse('2026-11-21T09:00:00Z');
  let now = start;
  const advance = (ms: number) => {
    now += ms;
    gw.clock.advance(ms);
  };

  beforeAll(async () => {
    gw = await startGateway(ctx.db, { now: new Date(start).toISOString() });
    baseUrl = await listen(gw);
    m = await gw.newMerchant();
  });
  afterAll(async () => {
    await gw.close();
  });

  it('logs in lazily, once, and refreshes ahead of expiry with ONE request under 20 concurrent calls', async () => {
    const rec = recordingFetch();
    const sessions: TokenSet[] = [];
    const c = clientFor(baseUrl, m, { fetch: rec.fetch, now: () => now, onTokens: (t) => sessions.push(t) });
    expect(rec.sent).toHaveLength(0);
    expect(c.tokens()).toBeUndefined();

    await Promise.all(Array.from({ length: 5 }, () => c.profile.get()));
    expect(rec.count('POST', '/api/v1/login')).toBe(1);
    expect(c.tokens()).toMatchObject({ expiresAt: now + 900_000, refreshToken: expect.any(String) });

    // 14 min 5 s later: 55 s before expiry, inside the 60 s margin.
    advance(845_000);
    const results = await Promise.all(Array.from({ length: 20 }, () => c.profile.get()));
    expect(results.every((p) => p.username === m.merchantCode)).toBe(true);
    expect(rec.count('POST', '/api/v1/token-refresh')).toBe(1);
    expect(rec.count('POST', '/api/v1/login')).toBe(1);
    const profiles = rec.sent.filter((r) => r.path === '/api/v1/profile');
    expect(profiles).toHaveLength(25);
    const newBearer = new Set(profiles.slice(5).map((r) => r.headers.authorization));
    expect(newBearer.size).toBe(1);
    expect(newBearer.has(profiles[0]!.headers.authorization!)).toBe(false);
    expect(sessions).toHaveLength(2);
    expect(sessions[1]!.accessToken).toBe(c.tokens()!.accessToken);

    // Before the margin nothing is renewed.
    advance(60_000);
    await c.profile.get();
    expect(rec.count('POST', '/api/v1/token-refresh')).toBe(1);
  });

  it('falls back to a login when the refresh token is refused (already used elsewhere)', async () => {
    const rec = recordingFetch();
    const c = clientFor(baseUrl, m, { fetch: rec.fetch, now: () => now });
    await c.profile.get();
    // Someone else uses the refresh token first: the server then refuses it (and its family).
    const stolen = c.tokens()!.refreshToken!;
    const used = await fetch(`${baseUrl}/api/v1/token-refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: stolen }),
    });
    expect(used.status).toBe(200);

    advance(845_000);
    await c.profile.get();
    expect(rec.sent.filter((r) => r.path === '/api/v1/token-refresh').map((r) => r.status)).toEqual([401]);
    expect(rec.count('POST', '/api/v1/login')).toBe(2);
    expect(rec.sent.at(-1)).toMatchObject({ path: '/api/v1/profile', status: 200 });
  });

  it('a 401 mid-session (token expired server-side) re-authenticates once and the calls succeed', async () => {
    const rec = recordingFetch();
    const c = clientFor(baseUrl, m, { fetch: rec.fetch, now: () => now });
    await c.profile.get();
    // The server's clock jumps past the token's expiry; the client's does not notice.
    gw.clock.advance(901_000);
    const results = await Promise.all(Array.from({ length: 10 }, () => c.profile.get()));
    expect(results).toHaveLength(10);
    expect(rec.count('POST', '/api/v1/token-refresh')).toBe(1);
    expect(rec.count('POST', '/api/v1/login')).toBe(1);
    const statuses = rec.sent.filter((r) => r.path === '/api/v1/profile').map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 200)).toHaveLength(11);
    now += 901_000; // both clocks agree again
  });

  it('a second 401 after re-authenticating surfaces as AuthenticationError', async () => {
    const deny = recordingFetch((req) =>
      req.path === '/api/v1/profile'
        ? new Response(JSON.stringify({ status: false, code: 500, message: 'Invalid Token', response: null }), {
            status: 401,
            headers: { 'content-type': 'application/json', 'x-request-id': 'req-401' },
          })
        : undefined,
    );
    const c = clientFor(baseUrl, m, { fetch: deny.fetch, now: () => now });
    const err = await c.profile.get().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err).toMatchObject({ status: 401, wireCode: 500, message: 'Invalid Token', requestId: 'req-401', code: 'authentication_error' });
    expect(deny.count('GET', '/api/v1/profile')).toBe(2);
    expect(deny.count('POST', '/api/v1/login')).toBe(1);
    expect(deny.count('POST', '/api/v1/token-refresh')).toBe(1);
  });

  it('wrong credentials are an AuthenticationError, asked once; an unknown accessCode is not retried with a new token', async () => {
    const rec = recordingFetch();
    const bad = clientFor(baseUrl, m, { fetch: rec.fetch, password: 'wrong password' });
    const err = await bad.invoices.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err).toMatchObject({ status: 401, wireCode: 504, message: 'Invalid Merchant Login Credentials' });
    expect(rec.sent.map((r) => r.path)).toEqual(['/api/v1/login']);

    const noUser = clientFor(baseUrl, m, { fetch: rec.fetch, username: undefined });
    await expect(noUser.profile.get()).rejects.toThrow(/username and password are required/);
    expect(rec.sent).toHaveLength(1);

    const wrongAccess = clientFor(baseUrl, m, { fetch: rec.fetch, accessCode: '00000000-0000-4000-8000-000000000000' });
    await expect(wrongAccess.profile.get()).rejects.toMatchObject({ status: 401, wireCode: 501, message: 'Invalid Merchant' });
    expect(rec.sent.filter((r) => r.path === '/api/v1/profile')).toHaveLength(1);
    // The gateway's enquiry says the same without any login.
    await expect(wrongAccess.transactions.enquire('123')).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('a stored session is reused by a new client: no login', async () => {
    const first = clientFor(baseUrl, m, { now: () => now });
    await first.login();
    const rec = recordingFetch();
    const second = clientFor(baseUrl, m, { fetch: rec.fetch, now: () => now, tokens: first.tokens()! });
    await second.profile.get();
    expect(rec.sent.map((r) => r.path)).toEqual(['/api/v1/profile']);
  });
});

describe('TokenManager', () => {
  function manager(opts: { refreshFails?: boolean; loginFails?: number; expiresIn?: number } = {}) {
    let clock = 1_000_000;
    let n = 0;
    const calls: string[] = [];
    let loginFailures = opts.loginFails ?? 0;
    const reply = (): TokenReply => ({ access_token: `access-${++n}`, refresh_token: `refresh-${n}`, expires_in: opts.expiresIn ?? 900 });
    const tokens = new TokenManager({
      now: () => clock,
      refreshMarginMs: 60_000,
      login: async () => {
        calls.push('login');
        await new Promise((r) => setTimeout(r, 5));
        if (loginFailures-- > 0) throw new AuthenticationError({ message: 'no', status: 401 });
        return reply();
      },
      refresh: async (token) => {
        calls.push(`refresh ${token}`);
        await new Promise((r) => setTimeout(r, 5));
        if (opts.refreshFails) throw new AuthenticationError({ message: 'refresh refused', status: 401 });
        return reply();
      },
    });
    return { tokens, calls, tick: (ms: number) => void (clock += ms) };
  }

  it('shares one login among concurrent callers, then one refresh near expiry', async () => {
    const { tokens, calls, tick } = manager();
    expect(new Set(await Promise.all(Array.from({ length: 50 }, () => tokens.get())))).toEqual(new Set(['access-1']));
    tick(839_000);
    expect(await tokens.get()).toBe('access-1');
    tick(2_000); // 59 s before expiry
    expect(new Set(await Promise.all(Array.from({ length: 50 }, () => tokens.get())))).toEqual(new Set(['access-2']));
    expect(calls).toEqual(['login', 'refresh refresh-1']);
  });

  it('falls back to login when refresh fails; a failed login reaches every waiter and the next call tries again', async () => {
    const { tokens, calls, tick } = manager({ refreshFails: true });
    await tokens.get();
    tick(900_000);
    expect(await tokens.get()).toBe('access-2');
    expect(calls).toEqual(['login', 'refresh refresh-1', 'login']);

    const failing = manager({ loginFails: 1 });
    const outcomes = await Promise.allSettled(Array.from({ length: 3 }, () => failing.tokens.get()));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(await failing.tokens.get()).toBe('access-1');
    expect(failing.calls).toEqual(['login', 'login']);
  });

  it('invalidate() forces one renewal, ignored once the token was already replaced', async () => {
    const { tokens, calls } = manager();
    const first = await tokens.get();
    tokens.invalidate(first);
    tokens.invalidate(first);
    const [a, b] = await Promise.all([tokens.get(), tokens.get()]);
    expect([a, b]).toEqual(['access-2', 'access-2']);
    tokens.invalidate(first); // stale: the current token is access-2
    expect(await tokens.get()).toBe('access-2');
    expect(calls).toEqual(['login', 'refresh refresh-1']);
  });

  it('renews a short-lived token at half-life rather than at every call', async () => {
    const { tokens, calls, tick } = manager({ expiresIn: 30 });
    await tokens.get();
    tick(14_000);
    await tokens.get();
    expect(calls).toEqual(['login']);
    tick(2_000);
    await tokens.get();
    expect(calls).toEqual(['login', 'refresh refresh-1']);
  });
});
