import { Value } from 'typebox/value';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OpenInvoiceObject } from '@fawtara/contract';
import { describeEngines } from '../../test-support/engines.ts';
import { countRows, startGateway, TEST_BASE_URL, type TestGateway } from '../../test-support/gateway.ts';
import { openInvoiceRequestSample, openInvoiceReplySample, shapeDifferences } from '../../test-support/documented-samples.ts';

describeEngines('POST /api/v1/open-invoice', (ctx) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway(ctx.db);
  });
  afterAll(async () => gw.close());

  it("creates the documented fixed-amount sample from its original encrypted bytes, with the documented reply's fields and types", async () => {
    const res = await gw.call({ url: '/api/v1/open-invoice', data: openInvoiceRequestSample.hex });
    expect(res.status).toBe(200);
    expect(res.body.message).toBe('Open Invoice has been created successfully.');
    expect(shapeDifferences(openInvoiceReplySample.json, res.body)).toEqual([]);
    expect(Value.Errors(OpenInvoiceObject, res.body.response)).toEqual([]);
    const o = res.body.response;
    expect(o).toMatchObject({
      title: 'Test',
      type: '0',
      description: 'testing open invoice',
      fixed_amount: '100.000',
      min_amount: null,
      max_amount: null,
      paid_status: 0,
      status: null,
      expiry_date: '2026-12-05',
      total_amount_customer_paid: '0.000',
      total_customer_tried_count: null,
      total_customer_paid_count: 0,
    });
    expect(o.reference_number).toMatch(/^\d{26}$/);
    // The public link carries a 144-bit random key, not the guessable reference number.
    expect(o.url).toMatch(new RegExp(`^${TEST_BASE_URL}/open-invoice/checkout/[A-Za-z0-9_-]{24}$`));
    expect(o.url).not.toContain(o.reference_number);
  });

  it('creates an open-amount invoice without an expiry', async () => {
    const res = await gw.call({
      url: '/api/v1/open-invoice',
      payload: { merchantCode: '842217', title: 'Donation', amountType: '1', minAmount: '1.000', maxAmount: 250, fixAmount: '' },
    });
    expect(res.status).toBe(200);
    expect(res.body.response).toMatchObject({ type: '1', fixed_amount: null, min_amount: '1.000', max_amount: '250.000', expiry_date: null });
    const { rows } = await ctx.db.executeSql('SELECT min_amount, max_amount, fixed_amount FROM open_invoices WHERE id = $1', [res.body.response.id]);
    expect(rows[0]).toEqual({ min_amount: 1000n, max_amount: 250000n, fixed_amount: null });
  });

  const rules: Array<[string, Record<string, unknown>, string[]]> = [
    ['title missing', { title: undefined }, ['title']],
    ['amountType missing', { amountType: undefined }, ['amountType']],
    ['amountType unknown', { amountType: '2' }, ['amountType']],
    ['fixed without fixAmount', { fixAmount: undefined }, ['fixAmount']],
    ['fixed amount zero', { fixAmount: '0' }, ['fixAmount']],
    ['fixed amount four decimals', { fixAmount: '1.2345' }, ['fixAmount']],
    ['fixed with a min amount', { minAmount: '1.000' }, ['minAmount']],
    ['open without limits', { amountType: '1', fixAmount: undefined }, ['minAmount', 'maxAmount']],
    ['open with min equal to max', { amountType: '1', fixAmount: undefined, minAmount: '5', maxAmount: '5.000' }, ['maxAmount']],
    ['open with min above max', { amountType: '1', fixAmount: undefined, minAmount: '9', maxAmount: '5' }, ['maxAmount']],
    ['open with a fixAmount', { amountType: '1', minAmount: '1', maxAmount: '5' }, ['fixAmount']],
    ['expiry in the past', { expiryDate: '2026-11-20' }, ['expiryDate']],
    ['expiry not a date', { expiryDate: '2026-02-29' }, ['expiryDate']],
  ];

  it.each(rules)('refuses %s, naming the field, and writes nothing', async (_n, change, fields) => {
    const payload: Record<string, unknown> = { ...openInvoiceRequestSample.json, ...change };
    for (const [k, v] of Object.entries(change)) if (v === undefined) delete payload[k];
    const before = await countRows(ctx.db);
    const res = await gw.call({ url: '/api/v1/open-invoice', payload });
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.response).sort()).toEqual([...fields].sort());
    expect(await countRows(ctx.db)).toEqual(before);
  });
});
