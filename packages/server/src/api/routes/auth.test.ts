import { decodeJwt } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../../test-support/engines.ts';
import { startGateway, type TestGateway } from '../../test-support/gateway.ts';
import { hashPassword } from '../../modules/auth/passwords.ts';

const FUTURE = '2026-12-31';
const invoice = {
  merchantCode: '842217',
  mobileNumber: '66666666',
  customerName: 'A',
  amount: '1.000',
  countryCode: '965',
  invoiceType: '0',
  invoiceSubType: '3',
  allocatePayType: '1',
  expiresAt: FUTURE,
};

describeEngines('login and token refresh', (ctx) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway(ctx.db, { loginLimits: { windowSeconds: 900, maxFailuresPerUser: 3, maxFailuresPerAddress: 1000 } });
  });
  afterAll(async () => gw.close());

  const login = (body: unknown, remoteAddress = '127.0.0.1') => gw.app.inject({ method: 'POST', url: '/api/v1/login', payload: body as object, remoteAddress });
  const refresh = (refreshToken: unknown) => gw.app.inject({ method: 'POST', url: '/api/v1/token-refresh', payload: { refreshToken } });

  it('logs in with the sandbox panel user (any username case) in Hesabe shape', async () => {
    const res = await login({ username: 'Test', password: 'Test@1234' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toEqual({
      status: true,
      message: 'Success',
      response: { token: { token_type: 'Bearer', expires_in: 900, access_token: expect.any(String), refresh_token: expect.any(String) } },
    });
    const claims = decodeJwt(body.response.token.access_token);
    expect(claims.exp! - claims.iat!).toBe(900);
    expect(Object.keys(claims).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'mid', 'nbf', 'scopes', 'sub']);
  });

  it('accepts a form-encoded login too', async () => {
    const res = await gw.app.inject({
      method: 'POST',
      url: '/api/v1/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'username=test&password=Test%401234',
    });
    expect(res.statusCode).toBe(200);
  });

  it('refuses a wrong password or unknown user with the same 401, and names missing fields', async () => {
    const wrong = await login({ username: 'unknown-user-a', password: 'nope' });
    const unknown = await login({ username: 'unknown-user-b', password: 'nope' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toEqual({ status: false, code: 504, message: 'Invalid Merchant Login Credentials', response: null });
    expect(unknown.body).toBe(wrong.body);
    const missing = await login({ username: '' });
    expect(missing.statusCode).toBe(422);
    expect(Object.keys(missing.json().response).sort()).toEqual(['password', 'username']);
  });

  it('locks a username after repeated failures, even for the right password, then lets it in after the window', async () => {
    const hash = await hashPassword('right-password-1');
    const m = await ctx.db.db.selectFrom('merchants').select('id').where('code', '=', '842217').executeTakeFirstOrThrow();
    await ctx.db.db.insertInto('users').values({ merchant_id: m.id, username: 'locker', password_hash: hash }).execute();
    for (let i = 0; i < 3; i++) expect((await login({ username: 'locker', password: 'bad' })).statusCode).toBe(401);
    const locked = await login({ username: 'LOCKER', password: 'right-password-1' });
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(locked.json().message).toMatch(/Too many failed login attempts/);
    gw.clock.advance(901_000);
    try {
      expect((await login({ username: 'locker', password: 'right-password-1' })).statusCode).toBe(200);
    } finally {
      gw.clock.advance(-901_000);
    }
  });

  it('rotates refresh tokens: a refresh gives a new pair and the old one stops working', async () => {
    const first = (await login({ username: 'test', password: 'Test@1234' })).json().response.token;
    const second = await refresh(first.refresh_token);
    expect(second.statusCode).toBe(200);
    const pair = second.json().response.token;
    expect(pair.refresh_token).not.toBe(first.refresh_token);
    const inv = await gw.call({ url: '/api/v1/invoice', as: { token: pair.access_token }, payload: invoice });
    expect(inv.status).toBe(200);
    // The new refresh token works once more.
    expect((await refresh(pair.refresh_token)).statusCode).toBe(200);
  });

  it('revokes the whole family when a used refresh token is presented again', async () => {
    const first = (await login({ username: 'test', password: 'Test@1234' })).json().response.token;
    const second = (await refresh(first.refresh_token)).json().response.token;
    const reuse = await refresh(first.refresh_token);
    expect(reuse.statusCode).toBe(401);
    expect(reuse.json()).toMatchObject({ status: false, code: 500 });
    // The descendant issued before the reuse is revoked too.
    expect((await refresh(second.refresh_token)).statusCode).toBe(401);
    const { rows } = await ctx.db.executeSql(
      'SELECT count(*)::int AS n FROM refresh_tokens WHERE family_id = (SELECT family_id FROM refresh_tokens ORDER BY id DESC LIMIT 1) AND revoked_at IS NULL',
    );
    expect(rows[0].n).toBe(0);
  });

  it('refuses unknown, empty and expired refresh tokens', async () => {
    expect((await refresh('not-a-token')).statusCode).toBe(401);
    const empty = await refresh('');
    expect(empty.statusCode).toBe(422);
    expect(Object.keys(empty.json().response)).toEqual(['refreshToken']);
    const t = (await login({ username: 'test', password: 'Test@1234' })).json().response.token;
    gw.clock.advance(31 * 86_400_000);
    try {
      expect((await refresh(t.refresh_token)).statusCode).toBe(401);
    } finally {
      gw.clock.advance(-31 * 86_400_000);
    }
  });

  it('expires access tokens after 15 minutes', async () => {
    const t = (await login({ username: 'test', password: 'Test@1234' })).json().response.token;
    gw.clock.advance(14 * 60_000);
    try {
      expect((await gw.call({ url: '/api/v1/invoice', as: { token: t.access_token }, payload: invoice })).status).toBe(200);
      gw.clock.advance(2 * 60_000);
      const late = await gw.call({ url: '/api/v1/invoice', as: { token: t.access_token }, payload: invoice });
      expect(late.status).toBe(401);
      expect(late.raw).toEqual({ status: false, code: 500, message: 'Invalid Token', response: null });
    } finally {
      gw.clock.set('2026-11-21T09:00:00Z');
    }
  });
});

describeEngines('login rate limit per address', (ctx) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway(ctx.db, { loginLimits: { windowSeconds: 900, maxFailuresPerUser: 100, maxFailuresPerAddress: 4 } });
  });
  afterAll(async () => gw.close());

  it('blocks an address that fails across many usernames, without blocking other addresses', async () => {
    for (let i = 0; i < 4; i++) {
      const r = await gw.app.inject({ method: 'POST', url: '/api/v1/login', payload: { username: `spray-${i}`, password: 'x' }, remoteAddress: '10.9.9.9' });
      expect(r.statusCode).toBe(401);
    }
    const blocked = await gw.app.inject({
      method: 'POST',
      url: '/api/v1/login',
      payload: { username: 'test', password: 'Test@1234' },
      remoteAddress: '10.9.9.9',
    });
    expect(blocked.statusCode).toBe(429);
    const other = await gw.app.inject({
      method: 'POST',
      url: '/api/v1/login',
      payload: { username: 'test', password: 'Test@1234' },
      remoteAddress: '10.9.9.10',
    });
    expect(other.statusCode).toBe(200);
  });
});
