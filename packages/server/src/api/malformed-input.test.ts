import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../test-support/engines.ts';
import { countRows, startGateway, type TestGateway } from '../test-support/gateway.ts';
import { installmentsRequestSample, openInvoiceRequestSample } from '../test-support/documented-samples.ts';

/**
 * Property: whatever a client puts in a payload, the gateway answers 200 or a 4xx — never a
 * 500 — and a refusal leaves every table as it was. Payloads are valid ones with random fields
 * replaced by random JSON values (wrong types, nesting, huge strings, Arabic, nulls).
 */
const single = {
  merchantCode: '842217',
  mobileNumber: '66666666',
  customerName: 'A',
  amount: '1.000',
  countryCode: '965',
  invoiceType: '0',
  invoiceSubType: '3',
  allocatePayType: '1,2',
  expiresAt: '2026-12-31',
  itemsList: [{ itemTitle: 'x', rate: '1.000', quantity: 1, amount: '1.000' }],
};

const jsonValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.constantFrom('', ' ', '0', '-1', '1e9', '١٢٣', '99999999999999999999', '2026-02-30', 'NaN', '[', '{"a":', '\u0000', '1,2,,', '+965', 'a'.repeat(5000)),
  fc.double(),
  fc.integer(),
);

function mutate(base: Record<string, unknown>) {
  const keys = Object.keys(base);
  return fc
    .tuple(
      fc.uniqueArray(fc.constantFrom(...keys, 'extra', '__proto__', 'constructor'), { minLength: 1, maxLength: 4 }),
      fc.array(jsonValue, { minLength: 4, maxLength: 4 }),
    )
    .map(([fields, values]) => {
      const out: Record<string, unknown> = JSON.parse(JSON.stringify(base));
      fields.forEach((f, i) => Object.defineProperty(out, f, { value: values[i], enumerable: true, configurable: true, writable: true }));
      return out;
    });
}

describeEngines('malformed input never yields a 500 and never leaves a row', (ctx) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway(ctx.db);
  });
  afterAll(async () => gw.close());

  const endpoints: Array<[string, fc.Arbitrary<unknown>, ('GET' | 'POST' | 'PUT' | 'DELETE')?]> = [
    [
      '/api/v1/invoice-dashboard',
      mutate({ merchantCode: '842217', fromDate: '2026-01-01', toDate: '2026-12-31', page: '1', search: 'abc', invoiceType: '1', perPage: 5 }),
      'GET',
    ],
    ['/api/v1/invoice/resend', mutate({ merchantCode: '842217', resendId: '1', mobileNumber: '66666666', countryCode: '965' })],
    ['/api/v1/invoice/1', mutate({ merchantCode: '842217', statusId: '3' }), 'PUT'],
    ['/api/v1/open-invoice', mutate({ merchantCode: '842217', page: 1, search: 'x', fromDate: '2026-01-01' }), 'GET'],
    ['/api/v1/open-invoice/1', mutate({ merchantCode: '842217', expiryDate: '2027-01-01' }), 'PUT'],
    ['/api/v1/invoice', mutate(single)],
    ['/api/v1/invoice/emi', mutate(installmentsRequestSample('2026-12-31') as unknown as Record<string, unknown>)],
    [
      '/api/v1/invoice/emi',
      mutate({ ...installmentsRequestSample('2026-12-31').invoices[0]! }).map((inv) => ({
        merchantCode: '842217',
        invoices: [installmentsRequestSample('2026-12-31').invoices[0], inv],
      })),
    ],
    ['/api/v1/open-invoice', mutate(openInvoiceRequestSample.json)],
    [
      '/api/v1/open-invoice',
      fc.jsonValue({ maxDepth: 3 }).map((v) => (typeof v === 'object' && v && !Array.isArray(v) ? { merchantCode: '842217', ...v } : v)),
    ],
  ];

  it.each(endpoints)('%s %s', async (url, arb, method) => {
    await fc.assert(
      fc.asyncProperty(arb, async (payload) => {
        const before = await countRows(ctx.db);
        const res = await gw.call({ url, payload, ...(method ? { method } : {}), ...(method === 'GET' ? { via: 'query' as const } : {}) });
        expect(res.status, JSON.stringify(payload).slice(0, 300)).toBeLessThan(500);
        if (res.status === 200) {
          expect(res.body.status).toBe(true);
        } else {
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(res.body.status).toBe(false);
          expect(await countRows(ctx.db)).toEqual(before);
        }
      }),
      { numRuns: 60 },
    );
  });
});
