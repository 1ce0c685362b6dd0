import { Value } from 'typebox/value';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { InvoiceObject } from '@fawtara/contract';
import { describeEngines } from '../../test-support/engines.ts';
import { countRows, startGateway, TEST_BASE_URL, type TestGateway } from '../../test-support/gateway.ts';
import { invoiceRequestSample, invoiceReplySample, installmentsRequestSample, shapeDifferences } from '../../test-support/documented-samples.ts';

// The fixed clock says 2026-11-21 12:00 in Kuwait.
const FUTURE = '2026-12-31';

describeEngines('POST /api/v1/invoice', (ctx) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway(ctx.db);
  });
  afterAll(async () => gw.close());

  const valid = () => ({ ...invoiceRequestSample.json, expiresAt: FUTURE });

  it('creates the documented sample invoice with every field of the documented reply, same JSON types', async () => {
    const res = await gw.call({ url: '/api/v1/invoice', payload: valid() });
    expect(res.status).toBe(200);
    expect(res.encrypted).toBe(true);
    expect(res.body.status).toBe(true);
    expect(res.body.message).toBe('Invoice generated successfully');
    expect(shapeDifferences(invoiceReplySample.json, res.body)).toEqual([]);
    expect(Value.Errors(InvoiceObject, res.body.response)).toEqual([]);

    const inv = res.body.response;
    expect(inv).toMatchObject({
      invoice_type: 1,
      invoice_sub_type: '3',
      reference_number: '12349899',
      amount: '20.000',
      payment_method: ['1', '2'],
      description: 'Invoice testing',
      invoice_status: null,
      expires_at: FUTURE,
      customer: { name: 'TEST', email: 'test@gmail.com', phone_number: '96566666666' },
      products: [],
      transaction: null,
      status: 'pending',
    });
    expect(inv.en_sms).toBe(invoiceReplySample.json.response.en_sms);
    expect(inv.ar_sms).toBe(invoiceReplySample.json.response.ar_sms);
    expect(inv.url).toBe(`${TEST_BASE_URL}/s/${inv.access_key}`);
    // At least 128 bits of randomness in the public key: 24 base64url characters = 144 bits.
    expect(inv.access_key).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(inv.token).toMatch(/^\d{26}$/);
    expect(inv.created_at).toBe('2026-11-21 12:00:00');
  });

  it('refuses the documented sample exactly as sent only for its past expiry date, and writes nothing', async () => {
    const before = await countRows(ctx.db);
    const res = await gw.call({ url: '/api/v1/invoice', payload: invoiceRequestSample.json });
    expect(res.status).toBe(422);
    expect(res.encrypted).toBe(true);
    expect(res.body.status).toBe(false);
    expect(res.body.code).toBe(422);
    expect(Object.keys(res.body.response)).toEqual(['expiresAt']);
    expect(res.body.response.expiresAt[0]).toContain('2026-11-21');
    expect(await countRows(ctx.db)).toEqual(before);
  });

  it('accepts the original encrypted sample bytes (16-byte padding) and decrypts the reply with the sandbox key', async () => {
    const res = await gw.call({ url: '/api/v1/invoice', data: invoiceRequestSample.hex });
    // Same payload as the documented sample, so only the expiry is refused: proves the sample decrypted.
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.response)).toEqual(['expiresAt']);
  });

  it('stores the invoice with amount in fils and the allowed methods', async () => {
    const res = await gw.call({ url: '/api/v1/invoice', payload: { ...valid(), amount: 12.5, allocatePayType: [2, '1'] } });
    expect(res.status).toBe(200);
    const { rows } = await ctx.db.executeSql('SELECT amount, payment_methods, status, expires_on FROM invoices WHERE id = $1', [res.body.response.id]);
    expect(rows[0]).toEqual({ amount: 12500n, payment_methods: [2, 1], status: 'pending', expires_on: FUTURE });
    expect(res.body.response.payment_method).toEqual(['2', '1']);
  });

  it('accepts an expiry of today in the merchant time zone (Kuwait is already on the 21st)', async () => {
    gw.clock.set('2026-11-20T21:30:00Z'); // 00:30 on the 21st in Kuwait
    try {
      // A token issued "later" (09:00) is not yet valid at 21:30 the day before: log in again.
      const token = await gw.login('test', 'Test@1234');
      const res = await gw.call({ url: '/api/v1/invoice', as: { token }, payload: { ...valid(), expiresAt: '2026-11-21' } });
      expect(res.status).toBe(200);
      const old = await gw.call({ url: '/api/v1/invoice', as: { token }, payload: { ...valid(), expiresAt: '2026-11-20' } });
      expect(old.status).toBe(422);
    } finally {
      gw.clock.set('2026-11-21T09:00:00Z');
    }
  });

  it('takes an empty allocatePayType as every method enabled for the merchant', async () => {
    const res = await gw.call({ url: '/api/v1/invoice', payload: { ...valid(), allocatePayType: '' } });
    expect(res.status).toBe(200);
    expect(res.body.response.payment_method).toEqual(['1', '2', '5', '7', '8', '9', '10', '11', '12', '13', '14', '16']);
  });

  it('stores items and returns them as products', async () => {
    const itemsList = [
      { itemTitle: 'Iphone', rate: '120.000', quantity: '1', amount: '120.000' },
      { itemTitle: 'Iphone 13', rate: '80.000', quantity: 2, amount: '160.000' },
    ];
    const res = await gw.call({ url: '/api/v1/invoice', payload: { ...valid(), amount: '280.000', itemsList: JSON.stringify(itemsList) } });
    expect(res.status).toBe(200);
    expect(res.body.response.products.map((p: any) => [p.item_title, p.rate, p.quantity, p.amount])).toEqual([
      ['Iphone', '120.000', 1, '120.000'],
      ['Iphone 13', '80.000', 2, '160.000'],
    ]);
  });

  it('uses the language and defaults to English', async () => {
    const ar = await gw.call({ url: '/api/v1/invoice', payload: { ...valid(), language: 'ar' } });
    expect(ar.body.response.language).toBe('ar');
    const en = await gw.call({ url: '/api/v1/invoice', payload: valid() });
    expect(en.body.response.language).toBe('en');
  });

  // Each rule: the payload change, the field the error must name.
  const rules: Array<[string, Record<string, unknown>, string]> = [
    ['amount missing', { amount: undefined }, 'amount'],
    ['amount zero', { amount: '0.000' }, 'amount'],
    ['amount negative', { amount: '-1.000' }, 'amount'],
    ['amount with four decimals', { amount: '1.0001' }, 'amount'],
    ['amount as a float with four decimals', { amount: 1.0001 }, 'amount'],
    ['amount with exponent', { amount: '1e3' }, 'amount'],
    ['amount not a number', { amount: 'abc' }, 'amount'],
    ['amount above the ceiling', { amount: '100000.001' }, 'amount'],
    ['amount as an object', { amount: { v: 1 } }, 'amount'],
    ['customerName missing', { customerName: undefined }, 'customerName'],
    ['customerName blank', { customerName: '   ' }, 'customerName'],
    ['customerName too long', { customerName: 'x'.repeat(101) }, 'customerName'],
    ['customerName with a NUL character', { customerName: 'A\u0000B' }, 'customerName'],
    ['description with a control character', { description: 'bell \u0007' }, 'description'],
    ['mobileNumber missing', { mobileNumber: undefined }, 'mobileNumber'],
    ['mobileNumber 7 digits', { mobileNumber: '6666666' }, 'mobileNumber'],
    ['mobileNumber 9 digits', { mobileNumber: '666666666' }, 'mobileNumber'],
    ['mobileNumber with letters', { mobileNumber: '6666666a' }, 'mobileNumber'],
    ['mobileNumber with country code', { mobileNumber: '96566666666' }, 'mobileNumber'],
    ['countryCode missing', { countryCode: undefined }, 'countryCode'],
    ['countryCode not Kuwait', { countryCode: '966' }, 'countryCode'],
    ['invoiceType missing', { invoiceType: undefined }, 'invoiceType'],
    ['invoiceType unknown', { invoiceType: '2' }, 'invoiceType'],
    ['invoiceSubType missing', { invoiceSubType: undefined }, 'invoiceSubType'],
    ['invoiceSubType unknown', { invoiceSubType: '4' }, 'invoiceSubType'],
    ['email delivery without email', { invoiceSubType: '2', customerEmail: undefined }, 'customerEmail'],
    ['email invalid', { customerEmail: 'not-an-email' }, 'customerEmail'],
    ['allocatePayType missing', { allocatePayType: undefined }, 'allocatePayType'],
    ['allocatePayType unknown code', { allocatePayType: '1,99' }, 'allocatePayType'],
    ['allocatePayType subscription code', { allocatePayType: [15] }, 'allocatePayType'],
    ['allocatePayType wrong type', { allocatePayType: { a: 1 } }, 'allocatePayType'],
    ['expiresAt missing', { expiresAt: undefined }, 'expiresAt'],
    ['expiresAt not a date', { expiresAt: 'tomorrow' }, 'expiresAt'],
    ['expiresAt impossible date', { expiresAt: '2026-02-30' }, 'expiresAt'],
    ['expiresAt month 13', { expiresAt: '2026-13-01' }, 'expiresAt'],
    ['expiresAt in the past', { expiresAt: '2026-11-20' }, 'expiresAt'],
    ['language unknown', { language: 'fr' }, 'language'],
    ['webhook not a URL', { webhook: 'not a url' }, 'webhook'],
    ['webhook ftp', { webhook: 'ftp://example.com/x' }, 'webhook'],
    ['itemsList not an array', { itemsList: 5 }, 'itemsList'],
    ['itemsList bad JSON string', { itemsList: '[{' }, 'itemsList'],
    ['item not an object', { itemsList: ['x'] }, 'itemsList.0'],
    ['item title missing', { itemsList: [{ rate: '20.000', quantity: 1, amount: '20.000' }] }, 'itemsList.0.itemTitle'],
    ['item rate invalid', { itemsList: [{ itemTitle: 'a', rate: '2.0005', quantity: 1, amount: '20.000' }] }, 'itemsList.0.rate'],
    ['item quantity zero', { itemsList: [{ itemTitle: 'a', rate: '20.000', quantity: 0, amount: '20.000' }] }, 'itemsList.0.quantity'],
    ['item quantity fractional', { itemsList: [{ itemTitle: 'a', rate: '20.000', quantity: '1.5', amount: '20.000' }] }, 'itemsList.0.quantity'],
    ['item amount above rate x quantity', { itemsList: [{ itemTitle: 'a', rate: '10.000', quantity: 1, amount: '20.000' }] }, 'itemsList.0.amount'],
    ['items total below invoice amount', { itemsList: [{ itemTitle: 'a', rate: '19.999', quantity: 1, amount: '19.999' }] }, 'itemsList'],
  ];

  it.each(rules)('refuses %s, naming the field, and writes nothing', async (_name, change, field) => {
    const payload: Record<string, unknown> = { ...valid(), ...change };
    for (const [k, v] of Object.entries(change)) if (v === undefined) delete payload[k];
    const before = await countRows(ctx.db);
    const res = await gw.call({ url: '/api/v1/invoice', payload });
    expect(res.status).toBe(422);
    expect(res.encrypted).toBe(true);
    expect(res.body).toMatchObject({ status: false, code: 422 });
    expect(Object.keys(res.body.response)).toEqual([field]);
    expect(res.body.message).toBe(res.body.response[field][0]);
    expect(await countRows(ctx.db)).toEqual(before);
  });

  it('reports every bad field at once', async () => {
    const res = await gw.call({ url: '/api/v1/invoice', payload: { merchantCode: '842217' } });
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.response).sort()).toEqual(
      ['allocatePayType', 'amount', 'countryCode', 'customerName', 'expiresAt', 'invoiceSubType', 'invoiceType', 'mobileNumber'].sort(),
    );
    expect(res.body.message).toMatch(/\(and 7 more errors\)$/);
  });

  it('refuses a payment method the merchant has not enabled', async () => {
    const other = await gw.newMerchant({ paymentMethods: [1, 2] });
    const ok = await gw.call({ url: '/api/v1/invoice', as: other, payload: { ...valid(), merchantCode: other.merchantCode, allocatePayType: '' } });
    expect(ok.status).toBe(200);
    expect(ok.body.response.payment_method).toEqual(['1', '2']);
    const res = await gw.call({ url: '/api/v1/invoice', as: other, payload: { ...valid(), merchantCode: other.merchantCode, allocatePayType: '1,7' } });
    expect(res.status).toBe(422);
    expect(res.body.response.allocatePayType[0]).toMatch(/7 \(AMEX\) is not enabled/);
  });
});

describeEngines('POST /api/v1/invoice/emi', (ctx) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway(ctx.db);
  });
  afterAll(async () => gw.close());

  it("creates the documented sample's two installments as one plan, in order", async () => {
    const res = await gw.call({ url: '/api/v1/invoice/emi', payload: installmentsRequestSample(FUTURE) });
    expect(res.status).toBe(200);
    const list = res.body.response;
    expect(Array.isArray(list)).toBe(true);
    expect(list).toHaveLength(2);
    for (const inv of list) {
      expect(shapeDifferences(invoiceReplySample.json.response, inv)).toEqual([]);
      expect(Value.Errors(InvoiceObject, inv)).toEqual([]);
    }
    expect(list.map((i: any) => [i.installment_number, i.amount, i.reference_number, i.invoice_type, i.installments_count])).toEqual([
      [1, '100.000', '8849404', 2, 2],
      [2, '150.000', '88445604', 2, 2],
    ]);
    expect(list[0].plan_id).toBe(list[1].plan_id);
    expect(list[0].access_key).not.toBe(list[1].access_key);
    const { rows } = await ctx.db.executeSql('SELECT installments_count, total_amount FROM installment_plans WHERE id = $1', [list[0].plan_id]);
    expect(rows[0]).toEqual({ installments_count: 2, total_amount: 250000n });
  });

  it('creates nothing when one installment is bad, and names it', async () => {
    const payload = installmentsRequestSample(FUTURE);
    (payload.invoices[1] as any).amount = '150.0001';
    const before = await countRows(ctx.db);
    const res = await gw.call({ url: '/api/v1/invoice/emi', payload });
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.response)).toEqual(['invoices.1.amount']);
    expect(await countRows(ctx.db)).toEqual(before);
  });

  it('requires a referenceNumber per installment, and a non-empty list', async () => {
    const payload = installmentsRequestSample(FUTURE);
    delete (payload.invoices[0] as any).referenceNumber;
    const res = await gw.call({ url: '/api/v1/invoice/emi', payload });
    expect(Object.keys(res.body.response)).toEqual(['invoices.0.referenceNumber']);
    const empty = await gw.call({ url: '/api/v1/invoice/emi', payload: { merchantCode: '842217', invoices: [] } });
    expect(empty.status).toBe(422);
    expect(Object.keys(empty.body.response)).toEqual(['invoices']);
    const notArray = await gw.call({ url: '/api/v1/invoice/emi', payload: { merchantCode: '842217', invoices: 'x' } });
    expect(Object.keys(notArray.body.response)).toEqual(['invoices']);
    const notObject = await gw.call({ url: '/api/v1/invoice/emi', payload: { merchantCode: '842217', invoices: [1] } });
    expect(Object.keys(notObject.body.response)).toEqual(['invoices.0']);
  });

  it("refuses an installment whose merchantCode is another merchant's", async () => {
    const payload = installmentsRequestSample(FUTURE);
    (payload.invoices[1] as any).merchantCode = '999999';
    const res = await gw.call({ url: '/api/v1/invoice/emi', payload });
    expect(Object.keys(res.body.response)).toEqual(['invoices.1.merchantCode']);
  });

  it('creates a plan of 100 installments in one request', async () => {
    const one = installmentsRequestSample(FUTURE).invoices[0]!;
    const invoices = Array.from({ length: 100 }, (_, i) => ({ ...one, referenceNumber: `R-${i + 1}` }));
    const res = await gw.call({ url: '/api/v1/invoice/emi', payload: { merchantCode: '842217', invoices } });
    expect(res.status).toBe(200);
    expect(res.body.response.map((i: any) => i.installment_number)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });
});
