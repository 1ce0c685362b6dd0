import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../test-support/engines.ts';
import { createCustomer, KNET_OK } from '../test-support/customer.ts';
import { startGateway, type CallOptions, type TestGateway } from '../test-support/gateway.ts';
import { invoiceRequestSample, installmentsRequestSample, openInvoiceRequestSample } from '../test-support/documented-samples.ts';

/**
 * The exact bytes of the decrypted replies to the documented sample requests, compared with
 * replies recorded before a restructuring: a refactor that changes one character of a reply
 * (a field's order, a number's type, an escaped slash) fails here. Random identifiers (tokens,
 * public keys, track and payment ids) are replaced by numbered placeholders in order of first
 * appearance, so the comparison is still byte for byte everywhere else.
 *
 * `RECORD_REPLIES=1 npx vitest run packages/server/src/api/recorded-replies.test.ts` writes the
 * file anew; do that only for a deliberate change of the wire, and say so in the commit.
 */
const RECORDED = new URL('./recorded-replies.json', import.meta.url);
const FUTURE = '2026-12-31';

/** Keys whose values are random per run. */
const RANDOM_VALUE_KEYS = new Set([
  'token',
  'access_key',
  'TrackID',
  'PaymentID',
  'track_id',
  'payment_id',
  'auth',
  'Auth',
  'auth_code',
  'TranID',
  'tran_id',
  'reference',
  'Ref',
  'bank_reference',
]);
/** A public key inside a link (`/s/<key>`, `/checkout/<key>`, `/receipt/<key>`), escaped or not. */
/** Tokens and generated references: unix seconds then 16 random digits. */
const NUMERIC_TOKEN = /(?<![0-9])[0-9]{26}(?![0-9])/g;
const KEY_IN_URL = /(?:\\?\/(?:s|checkout|receipt)\\?\/)([A-Za-z0-9_-]{20,})/g;

function normalise(plaintext: string): string {
  const found: string[] = [];
  const visit = (v: unknown, key?: string) => {
    if (Array.isArray(v)) v.forEach((x) => visit(x));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) visit(x, k);
    else if ((typeof v === 'string' || typeof v === 'number') && key !== undefined && RANDOM_VALUE_KEYS.has(key) && String(v).length >= 6)
      found.push(String(v));
  };
  visit(JSON.parse(plaintext));
  for (const m of plaintext.matchAll(KEY_IN_URL)) found.push(m[1]!);
  for (const m of plaintext.matchAll(NUMERIC_TOKEN)) found.push(m[0]);
  const names = new Map<string, string>();
  for (const value of found) if (!names.has(value)) names.set(value, `<random#${names.size + 1}>`);
  // Longest first, so that a value that contains another is replaced whole.
  let out = plaintext;
  for (const [value, name] of [...names].sort((a, b) => b[0].length - a[0].length)) out = out.split(value).join(name);
  return out;
}

describeEngines('replies to the documented samples, byte for byte', (ctx) => {
  let gw: TestGateway;
  const replies: Record<string, { status: number; plaintext: string }> = {};

  async function record(name: string, opts: CallOptions) {
    const res = await gw.call(opts);
    const plaintext = res.encrypted ? gw.sandbox.codec.decrypt(res.raw.response) : res.rawText;
    replies[name] = { status: res.status, plaintext: normalise(plaintext) };
    return res;
  }

  beforeAll(async () => {
    gw = await startGateway(ctx.db, { now: '2026-11-21T09:00:00Z' });
  });
  afterAll(() => gw.close());

  it('match the recorded replies', async () => {
    const single = await record('create single invoice', { url: '/api/v1/invoice', payload: { ...invoiceRequestSample.json, expiresAt: FUTURE } });
    await record('create single invoice from the sample bytes', { url: '/api/v1/invoice', data: invoiceRequestSample.hex });
    await record('create installment plan', { url: '/api/v1/invoice/emi', payload: installmentsRequestSample(FUTURE) });
    await record('create open invoice', { url: '/api/v1/open-invoice', payload: openInvoiceRequestSample.json });
    await record('refused invoice', {
      url: '/api/v1/invoice',
      payload: { ...invoiceRequestSample.json, amount: '1.2345', mobileNumber: '12', expiresAt: FUTURE },
    });
    const merchantOnly = { merchantCode: gw.sandbox.merchantCode };
    const id = single.body.response.id;
    await record('invoice details', { method: 'GET', url: `/api/v1/invoice/${id}`, payload: merchantOnly });
    await record('invoice dashboard', { method: 'GET', url: '/api/v1/invoice-dashboard', payload: merchantOnly });
    await record('open invoice list', { method: 'GET', url: '/api/v1/open-invoice/', payload: merchantOnly });
    await record('profile', { method: 'GET', url: '/api/v1/profile', payload: merchantOnly });

    const payable = await gw.call({
      url: '/api/v1/invoice',
      payload: { ...invoiceRequestSample.json, expiresAt: FUTURE, invoiceSubType: '3', allocatePayType: '1,2', referenceNumber: 'REC-1' },
    });
    const paid = await createCustomer(gw.app).payInvoice(new URL(payable.body.response.url).pathname, 1, KNET_OK);
    expect(paid.status).toBe(303);
    await record('paid invoice details', { method: 'GET', url: `/api/v1/invoice/${payable.body.response.id}`, payload: merchantOnly });
    const enquiry = await gw.app.inject({ method: 'GET', url: '/api/transaction/REC-1?isOrderReference=1', headers: { accesscode: gw.sandbox.accessCode } });
    replies['transaction enquiry by reference'] = { status: enquiry.statusCode, plaintext: normalise(enquiry.body) };
    await record('cancel', { method: 'PUT', url: `/api/v1/invoice/${single.body.response.token}`, payload: { ...merchantOnly, statusId: '3' } });

    if (process.env.RECORD_REPLIES === '1' && ctx.engine === 'pglite') writeFileSync(RECORDED, `${JSON.stringify(replies, null, 2)}\n`);
    expect(existsSync(RECORDED), 'recorded-replies.json is missing: record it with RECORD_REPLIES=1').toBe(true);
    const recorded = JSON.parse(readFileSync(RECORDED, 'utf8')) as typeof replies;
    expect(Object.keys(replies)).toEqual(Object.keys(recorded));
    for (const name of Object.keys(recorded)) expect(replies[name], name).toEqual(recorded[name]);
  });
});
