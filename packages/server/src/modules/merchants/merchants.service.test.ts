import { createCodec } from '@fawtara/wire';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../../test-support/engines.ts';
import { startGateway, type TestGateway } from '../../test-support/gateway.ts';
import { systemClock } from '../../lib/clock.ts';
import { createMerchantsService } from './merchants.service.ts';
import { SANDBOX } from './sandbox-credentials.ts';

describeEngines('merchants', (ctx) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway(ctx.db);
  });
  afterAll(async () => gw.close());

  it('creates the sandbox merchant once, with the public Hesabe sandbox credentials', async () => {
    const svc = createMerchantsService({ database: ctx.db, clock: systemClock });
    expect(await svc.ensureSandboxMerchant()).toEqual({ created: false });
    const { rows } = await ctx.db.executeSql(
      "SELECT m.code, m.is_sandbox, c.access_code, c.secret_key, c.iv_key, u.username, u.password_hash FROM merchants m JOIN api_credentials c ON c.merchant_id = m.id JOIN users u ON u.merchant_id = m.id WHERE m.code = '842217'",
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      code: SANDBOX.merchantCode,
      is_sandbox: true,
      access_code: SANDBOX.accessCode,
      secret_key: SANDBOX.secretKey,
      iv_key: SANDBOX.iv,
      username: 'test',
    });
    expect(rows[0].password_hash).toMatch(/^\$argon2id\$/);
  });

  it('creates a merchant with fresh random credentials that work end to end', async () => {
    const svc = createMerchantsService({ database: ctx.db, clock: systemClock });
    const m = await svc.createMerchant({ name: 'Acme Trading', username: `acme-${Math.random()}`, paymentMethods: [1] });
    expect(m.merchantCode).toMatch(/^[1-9]\d{5}$/);
    expect(m.accessCode).toMatch(/^[0-9a-f-]{36}$/);
    expect(Buffer.byteLength(m.secretKey)).toBe(32);
    expect(Buffer.byteLength(m.iv)).toBe(16);
    expect(m.password.length).toBeGreaterThanOrEqual(20);
    expect(m.secretKey).not.toBe(SANDBOX.secretKey);
    const token = await gw.login(m.username, m.password);
    const res = await gw.call({
      url: '/api/v1/open-invoice',
      as: { merchantCode: m.merchantCode, accessCode: m.accessCode, token, codec: createCodec({ secretKey: m.secretKey, iv: m.iv }) },
      payload: { merchantCode: m.merchantCode, title: 'Acme', amountType: '0', fixAmount: '5' },
    });
    expect(res.status).toBe(200);
    expect(res.body.response.merchant_id).toBe(Number(m.id));
  });

  it('refuses bad merchant input and a taken username', async () => {
    const svc = createMerchantsService({ database: ctx.db, clock: systemClock });
    await expect(svc.createMerchant({ name: '', username: 'x' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', fields: { name: expect.any(Array) } });
    await expect(svc.createMerchant({ name: 'A', username: 'y', paymentMethods: [15] })).rejects.toMatchObject({
      fields: { paymentMethods: expect.any(Array) },
    });
    await expect(svc.createMerchant({ name: 'A', username: 'TEST' })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('refuses production while a merchant holds the public sandbox credentials, and allows it after rotation', async () => {
    const svc = createMerchantsService({ database: ctx.db, clock: systemClock });
    await expect(svc.assertNoPublicCredentials()).rejects.toThrow(/842217.*public sandbox credentials/);
    const rotated = await svc.rotateCredentials(SANDBOX.merchantCode);
    expect(rotated.secretKey).not.toBe(SANDBOX.secretKey);
    await expect(svc.assertNoPublicCredentials()).resolves.toBeUndefined();
    // The old public access code stops authenticating once the 5-second credential cache ages out.
    gw.clock.advance(5_001);
    const res = await gw.call({ url: '/api/v1/open-invoice', payload: { merchantCode: '842217', title: 'x', amountType: '0', fixAmount: '1' } });
    expect(res.status).toBe(401);
    gw.clock.advance(-5_001);
  });
});
