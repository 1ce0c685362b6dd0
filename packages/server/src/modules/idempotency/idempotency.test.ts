import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../../test-support/engines.ts';
import { countRows, startGateway, type TestGateway } from '../../test-support/gateway.ts';
import { installmentsRequestSample, openInvoiceRequestSample } from '../../test-support/documented-samples.ts';

const invoice = {
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

describeEngines('Idempotency-Key on creating POSTs', (ctx) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway(ctx.db);
  });
  afterAll(async () => gw.close());

  const post = (url: string, payload: unknown, key: string) => gw.call({ url, payload, headers: { 'idempotency-key': key } });

  it.each([
    ['/api/v1/invoice', invoice, 'invoices'],
    ['/api/v1/invoice/emi', installmentsRequestSample('2026-12-31'), 'invoices'],
    ['/api/v1/open-invoice', openInvoiceRequestSample.json, 'open_invoices'],
  ] as const)('%s: a repeat returns the first result and creates nothing more', async (url, payload, table) => {
    const key = `key-${url}-${Math.random()}`;
    const first = await post(url, payload, key);
    expect(first.status).toBe(200);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const after = await countRows(ctx.db);
    const again = await post(url, payload, key);
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await countRows(ctx.db)).toEqual(after);
    expect(after[table]).toBeGreaterThan(0);
  });

  it('refuses the same key with a different payload, changing nothing', async () => {
    const key = `key-mismatch-${Math.random()}`;
    expect((await post('/api/v1/invoice', invoice, key)).status).toBe(200);
    const before = await countRows(ctx.db);
    const res = await post('/api/v1/invoice', { ...invoice, amount: '2.000' }, key);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ status: false, code: 422, message: 'Idempotency-Key was already used with a different request' });
    // The same key on another endpoint is a different request too.
    const elsewhere = await post('/api/v1/open-invoice', openInvoiceRequestSample.json, key);
    expect(elsewhere.status).toBe(422);
    expect(await countRows(ctx.db)).toEqual(before);
  });

  it('treats the same payload with keys in another order as the same request', async () => {
    const key = `key-order-${Math.random()}`;
    const first = await post('/api/v1/invoice', invoice, key);
    const reordered = Object.fromEntries(Object.entries(invoice).reverse());
    const again = await post('/api/v1/invoice', reordered, key);
    expect(again.body.response.id).toBe(first.body.response.id);
  });

  it('does not store failures: the key can be used again after a validation error', async () => {
    const key = `key-fail-${Math.random()}`;
    const bad = await post('/api/v1/invoice', { ...invoice, amount: '0' }, key);
    expect(bad.status).toBe(422);
    const good = await post('/api/v1/invoice', invoice, key);
    expect(good.status).toBe(200);
  });

  it('creates exactly one invoice when the same key arrives many times at once', async () => {
    const key = `key-race-${Math.random()}`;
    const before = await countRows(ctx.db);
    const results = await Promise.all(Array.from({ length: 10 }, () => post('/api/v1/invoice', invoice, key)));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(new Set(results.map((r) => r.body.response.id)).size).toBe(1);
    const after = await countRows(ctx.db);
    expect(after.invoices - before.invoices).toBe(1);
    expect(after.idempotency_keys - before.idempotency_keys).toBe(1);
  });

  it('refuses a malformed key', async () => {
    const res = await post('/api/v1/invoice', invoice, 'x'.repeat(256));
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.response)).toEqual(['Idempotency-Key']);
  });

  it('keeps keys per merchant: another merchant may use the same key', async () => {
    const key = `key-shared-${Math.random()}`;
    const other = await gw.newMerchant();
    const a = await post('/api/v1/invoice', invoice, key);
    const b = await gw.call({
      url: '/api/v1/invoice',
      as: other,
      payload: { ...invoice, merchantCode: other.merchantCode },
      headers: { 'idempotency-key': key },
    });
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.body.response.id).not.toBe(a.body.response.id);
  });
});
