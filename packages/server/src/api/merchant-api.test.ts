import { createCodec } from '@fawtara/wire';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../test-support/engines.ts';
import { countRows, startGateway, type TestGateway } from '../test-support/gateway.ts';
import { wireVectors } from '../test-support/documented-samples.ts';

const INVALID_DATA = '{"status":false,"code":506,"message":"Invalid Request Data","response":null}';
const payload = {
  merchantCode: '842217',
  mobileNumber: '66666666',
  customerName: 'A',
  amount: '1.000',
  countryCode: '965',
  invoiceType: '0',
  invoiceSubType: '3',
  allocatePayType: '1',
  expiresAt: '2026-12-31',
};

describeEngines('merchant API gate: credentials, envelope and data sources', (ctx) => {
  let gw: TestGateway;
  let other: Awaited<ReturnType<TestGateway['newMerchant']>>;
  beforeAll(async () => {
    gw = await startGateway(ctx.db);
    other = await gw.newMerchant();
  });
  afterAll(async () => gw.close());

  it('refuses a missing or unknown accessCode with a plain 401, writing nothing', async () => {
    const before = await countRows(ctx.db);
    const missing = await gw.call({ url: '/api/v1/invoice', payload, as: { accessCode: '' } });
    expect(missing.status).toBe(401);
    expect(missing.raw).toEqual({ status: false, code: 501, message: 'Missing accessCode header', response: null });
    const unknown = await gw.call({ url: '/api/v1/invoice', payload, as: { accessCode: '00000000-0000-0000-0000-000000000000' } });
    expect(unknown.status).toBe(401);
    expect(unknown.raw).toEqual({ status: false, code: 501, message: 'Invalid Merchant', response: null });
    expect(await countRows(ctx.db)).toEqual(before);
  });

  it('refuses a missing, malformed or forged bearer token', async () => {
    for (const token of ['', 'garbage', `${gw.sandbox.token.slice(0, -4)}AAAA`]) {
      const res = await gw.call({ url: '/api/v1/invoice', payload, as: { token } });
      expect(res.status).toBe(401);
      expect(res.raw.code).toBe(500);
      expect(res.encrypted).toBe(false);
    }
  });

  it("refuses another merchant's token with this merchant's accessCode, and the reverse", async () => {
    const a = await gw.call({ url: '/api/v1/invoice', payload, as: { token: other.token } });
    expect(a.status).toBe(401);
    expect(a.raw).toEqual({ status: false, code: 500, message: 'Invalid Token', response: null });
    const b = await gw.call({ url: '/api/v1/invoice', payload: { ...payload, merchantCode: other.merchantCode }, as: { ...other, token: gw.sandbox.token } });
    expect(b.status).toBe(401);
  });

  it("refuses a payload whose merchantCode is another merchant's (encrypted reply), or missing", async () => {
    const before = await countRows(ctx.db);
    const res = await gw.call({ url: '/api/v1/invoice', payload: { ...payload, merchantCode: other.merchantCode } });
    expect(res.status).toBe(401);
    expect(res.encrypted).toBe(true);
    expect(res.body).toMatchObject({ status: false, code: 501 });
    // Found by the property test: String() on {"toString": []} throws.
    const hostile = await gw.call({ url: '/api/v1/invoice', payload: { ...payload, merchantCode: { toString: [] } } });
    expect(hostile.status).toBe(422);
    expect(Object.keys(hostile.body.response)).toEqual(['merchantCode']);
    const { merchantCode: _, ...noCode } = payload;
    const missing = await gw.call({ url: '/api/v1/invoice', payload: noCode });
    expect(missing.status).toBe(422);
    expect(Object.keys(missing.body.response)).toEqual(['merchantCode']);
    expect(await countRows(ctx.db)).toEqual(before);
  });

  it('answers every undecryptable payload with the identical plain 400', async () => {
    const before = await countRows(ctx.db);
    const bodies = new Set<string>();
    const cases = [
      ...wireVectors.invalid.map((v) => v.hex),
      createCodec({ secretKey: other.issued.secretKey, iv: other.issued.iv }).encrypt(JSON.stringify(payload)), // another merchant's key
      'a'.repeat(64),
    ];
    for (const data of cases) {
      const res = await gw.call({ url: '/api/v1/invoice', data });
      expect(res.status, data).toBe(400);
      bodies.add(res.rawText);
    }
    const none = await gw.call({ url: '/api/v1/invoice' });
    expect(none.status).toBe(400);
    bodies.add(none.rawText);
    expect([...bodies]).toEqual([INVALID_DATA]);
    expect(await countRows(ctx.db)).toEqual(before);
  });

  it('answers malformed HTTP bodies with the same 400, never a 500', async () => {
    const headers = { accesscode: gw.sandbox.accessCode, authorization: `Bearer ${gw.sandbox.token}` };
    const cases: Array<[string, string]> = [
      ['application/json', '{"data":'],
      ['application/json', '[1,2]'],
      ['application/json', '"just a string"'],
      ['application/json', '{"data": 5}'],
      ['application/x-www-form-urlencoded', 'data[]=1&data[]=2'],
      ['application/xml', '<data/>'],
    ];
    for (const [type, body] of cases) {
      const res = await gw.app.inject({ method: 'POST', url: '/api/v1/invoice', headers: { ...headers, 'content-type': type }, payload: body });
      expect(res.statusCode, `${type} ${body}`).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, `${type} ${body}`).toBeLessThan(500);
      expect(res.body).toBe(INVALID_DATA);
    }
  });

  it.each(['json', 'form', 'multipart', 'text', 'query'] as const)('reads data from a %s request', async (via) => {
    const res = await gw.call({ url: '/api/v1/invoice', payload, via });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe(true);
  });

  it('matches paths with or without a trailing slash', async () => {
    expect((await gw.call({ url: '/api/v1/invoice/', payload })).status).toBe(200);
    expect((await gw.call({ url: '/api/v1/open-invoice/', payload: { merchantCode: '842217', title: 'T', amountType: '0', fixAmount: '1' } })).status).toBe(
      200,
    );
  });

  it("answers unknown paths with Hesabe's 404 text", async () => {
    const res = await gw.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ status: false, message: 'Request not found, Please verify the request data', response: null });
  });

  it('encrypts replies PHP-style (escaped slashes, ASCII only) with 32-byte padding', async () => {
    const res = await gw.call({ url: '/api/v1/invoice', payload: { ...payload, customerName: 'محمد' } });
    const plaintext = gw.sandbox.codec.decrypt(res.raw.response);
    expect(plaintext).toMatch(/^[\x20-\x7e\r\n]*$/);
    expect(plaintext).toContain('"url":"https:\\/\\/');
    expect(plaintext).toContain('\\u0645\\u062d\\u0645\\u062f');
    expect(Buffer.from(res.raw.response, 'hex').length % 32).toBe(0);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("keeps a caller's x-request-id, and replaces one that is not a short printable token", async () => {
    const kept = await gw.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'lb-7f3a:42' } });
    expect(kept.headers['x-request-id']).toBe('lb-7f3a:42');
    for (const bad of ['has space', 'x'.repeat(129), 'tab\there']) {
      const replaced = await gw.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': bad } });
      expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
