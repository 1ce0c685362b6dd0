import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DashboardReply, InvoiceObject } from '@fawtara/contract';
import { describeEngines } from '../../test-support/engines.ts';
import { countRows, startGateway, type TestGateway } from '../../test-support/gateway.ts';
import { installmentsRequestSample } from '../../test-support/documented-samples.ts';
import { createInvoicesRepo } from './invoices.repo.ts';

type Merchant = Awaited<ReturnType<TestGateway['newMerchant']>>;

const invoice = (code: string, over: Record<string, unknown> = {}) => ({
  merchantCode: code,
  mobileNumber: '66666666',
  customerName: 'Customer',
  amount: '10.000',
  countryCode: '965',
  invoiceType: '1',
  invoiceSubType: '0',
  allocatePayType: '',
  expiresAt: '2027-06-30',
  ...over,
});

describeEngines('invoice management', (ctx) => {
  let gw: TestGateway;
  let m: Merchant; // a merchant of our own, so counts are exact
  let other: Merchant;
  const created: Record<string, any> = {};

  /** Moves the clock forward and logs the merchant in again (tokens live 15 minutes). */
  async function at(iso: string) {
    gw.clock.set(iso);
    m.token = await gw.login(m.issued.username, m.issued.password);
    other.token = await gw.login(other.issued.username, other.issued.password);
  }
  const as = () => m;
  const create = async (over: Record<string, unknown>) => {
    const res = await gw.call({ url: '/api/v1/invoice', as: as(), payload: invoice(m.merchantCode, over) });
    expect(res.status).toBe(200);
    return res.body.response;
  };
  const dashboard = (filters: Record<string, unknown> = {}, query = '') =>
    gw.call({ method: 'GET', url: `/api/v1/invoice-dashboard${query}`, as: as(), payload: { merchantCode: m.merchantCode, ...filters }, via: 'query' });

  beforeAll(async () => {
    gw = await startGateway(ctx.db, { now: '2026-11-01T09:00:00Z' });
    m = await gw.newMerchant();
    other = await gw.newMerchant();
    // Kuwait days: Nov 1 (2 invoices), Nov 2 (2 + a 2-installment plan), Nov 3 (1).
    created.a = await create({ customerName: 'Aisha Al-Sabah', referenceNumber: 'INV-1001', customerEmail: 'aisha@example.com' });
    created.b = await create({ customerName: 'Bader', referenceNumber: 'INV-1002', mobileNumber: '55512345' });
    await at('2026-11-02T09:00:00Z');
    created.c = await create({ customerName: 'Khalid', referenceNumber: 'ORD-77' });
    created.d = await create({ customerName: 'Dana', referenceNumber: 'ORD-78', invoiceSubType: '1' });
    const plan = installmentsRequestSample('2027-06-30');
    plan.merchantCode = m.merchantCode;
    for (const i of plan.invoices) (i as any).merchantCode = m.merchantCode;
    const emi = await gw.call({ url: '/api/v1/invoice/emi', as: as(), payload: plan });
    expect(emi.status).toBe(200);
    created.plan = emi.body.response;
    await at('2026-11-03T09:00:00Z');
    created.e = await create({ customerName: 'Eman 100%_off', referenceNumber: 'X-1' });
    // Another merchant's invoice that must never show up.
    const foreign = await gw.call({ url: '/api/v1/invoice', as: other, payload: invoice(other.merchantCode, { customerName: 'Aisha Foreign' }) });
    created.foreign = foreign.body.response;
  });
  afterAll(async () => gw.close());

  describe('GET /api/v1/invoice/{id}', () => {
    it('returns the invoice in the create reply shape, products and transaction included', async () => {
      const res = await gw.call({ method: 'GET', url: `/api/v1/invoice/${created.a.id}`, as: as(), payload: { merchantCode: m.merchantCode }, via: 'query' });
      expect(res.status).toBe(200);
      expect(Value.Errors(InvoiceObject, res.body.response)).toEqual([]);
      expect(res.body.response).toEqual({ ...created.a, transaction: null });
    });

    it('reads the payload from a GET body too (as some Hesabe samples send it)', async () => {
      const res = await gw.call({ method: 'GET', url: `/api/v1/invoice/${created.a.id}`, as: as(), payload: { merchantCode: m.merchantCode } });
      expect(res.status).toBe(200);
      expect(res.body.response.id).toBe(created.a.id);
    });

    it("shows an installment's plan and its aggregate status", async () => {
      const res = await gw.call({
        method: 'GET',
        url: `/api/v1/invoice/${created.plan[1].id}`,
        as: as(),
        payload: { merchantCode: m.merchantCode },
        via: 'query',
      });
      expect(res.body.response).toMatchObject({
        plan_id: created.plan[0].plan_id,
        installment_number: 2,
        plan: { installments_count: 2, paid_count: 0, status: 'pending' },
      });
    });

    it("answers another merchant's id exactly like a missing one", async () => {
      const foreign = await gw.call({
        method: 'GET',
        url: `/api/v1/invoice/${created.foreign.id}`,
        as: as(),
        payload: { merchantCode: m.merchantCode },
        via: 'query',
      });
      const missing = await gw.call({ method: 'GET', url: '/api/v1/invoice/999999999', as: as(), payload: { merchantCode: m.merchantCode }, via: 'query' });
      const garbage = await gw.call({ method: 'GET', url: '/api/v1/invoice/abc', as: as(), payload: { merchantCode: m.merchantCode }, via: 'query' });
      for (const r of [foreign, missing, garbage]) {
        expect(r.status).toBe(404);
        expect(r.body).toEqual({ status: false, code: 404, message: 'Request not found, Please verify the request data', response: null });
      }
    });
  });

  describe('GET /api/v1/invoice-dashboard', () => {
    const refs = (res: any) => res.body.response.invoices.data.map((i: any) => i.reference_number);

    it('lists newest first with stats and pagination metadata', async () => {
      const res = await dashboard();
      expect(res.status).toBe(200);
      expect(res.body.message).toBe('Invoice Dashboard');
      expect(Value.Errors(DashboardReply, res.body.response)).toEqual([]);
      expect(refs(res)).toEqual(['X-1', '88445604', '8849404', 'ORD-78', 'ORD-77', 'INV-1002', 'INV-1001']);
      expect(res.body.response.stats).toEqual({ total_invoice_count: 7, invoice_paid: '0', invoice_not_paid: '7', invoice_cancelled: '0' });
      expect(res.body.response.invoices).toMatchObject({ current_page: 1, last_page: 1, per_page: 20, total: 7, from: 1, to: 7 });
    });

    it('filters by merchant-local dates, from the payload or the query string', async () => {
      const inPayload = await dashboard({ fromDate: '2026-11-02', toDate: '2026-11-02' });
      expect(refs(inPayload)).toEqual(['88445604', '8849404', 'ORD-78', 'ORD-77']);
      expect(inPayload.body.response.stats.total_invoice_count).toBe(4);
      const inQuery = await dashboard({}, '?fromDate=2026-11-03');
      expect(refs(inQuery)).toEqual(['X-1']);
    });

    it('filters by invoice type: 1 single, 7 installments, 0 and 6 (not offered) empty', async () => {
      expect(refs(await dashboard({ invoiceType: '7' }))).toEqual(['88445604', '8849404']);
      const single = await dashboard({ invoiceType: 1 });
      expect(refs(single)).toHaveLength(5);
      expect(single.body.response.stats.total_invoice_count).toBe(5);
      for (const t of ['0', '6']) {
        const none = await dashboard({ invoiceType: t });
        expect(none.body.response.invoices).toMatchObject({ data: [], total: 0, last_page: 1 });
        expect(none.body.response.stats.total_invoice_count).toBe(0);
      }
    });

    it.each([
      ['a reference number', 'inv-100', ['INV-1002', 'INV-1001']],
      ['part of a customer name, any case', 'SABAH', ['INV-1001']],
      ['a phone number', '5551234', ['INV-1002']],
      ['a phone number typed with its country code', '+965 5551-2345', ['INV-1002']],
      ['an e-mail', 'aisha@exa', ['INV-1001']],
      ['LIKE wildcards as plain characters', '100%_', ['X-1']],
      ['nothing', 'zzzzzz', []],
    ])('searches %s', async (_what, search, expected) => {
      const res = await dashboard({ search });
      expect(refs(res)).toEqual(expected);
      expect(res.body.response.invoices.total).toBe(expected.length);
    });

    it('pages: page 2 of 3, last page, beyond the last page, empty merchant', async () => {
      const p2 = await dashboard({ perPage: 3, page: 2 });
      expect(refs(p2)).toEqual(['ORD-78', 'ORD-77', 'INV-1002']);
      expect(p2.body.response.invoices).toMatchObject({ current_page: 2, last_page: 3, per_page: 3, total: 7, from: 4, to: 6 });
      const last = await dashboard({ perPage: 3, page: 3 });
      expect(refs(last)).toEqual(['INV-1001']);
      const beyond = await dashboard({ perPage: 3, page: 9 });
      expect(beyond.body.response.invoices).toMatchObject({ data: [], current_page: 9, last_page: 3, total: 7, from: null, to: null });
      const empty = await gw.newMerchant();
      const none = await gw.call({ method: 'GET', url: '/api/v1/invoice-dashboard', as: empty, payload: { merchantCode: empty.merchantCode }, via: 'query' });
      expect(none.body.response.invoices).toMatchObject({ data: [], total: 0, last_page: 1 });
      expect(none.body.response.stats.total_invoice_count).toBe(0);
    });

    it('pages a search from one scan below the cap, and reports a capped total above it', async () => {
      const repo = createInvoicesRepo({ database: ctx.db });
      const mid = BigInt(created.a.merchant_id);
      const below = await repo.searchPage(ctx.db.db, { merchantId: mid, search: 'inv-100' }, 1, 1, 3);
      expect(below.total).toBe(2);
      expect(below.rows!.map((r) => r.reference_number)).toEqual(['INV-1001']);
      const empty = await repo.searchPage(ctx.db.db, { merchantId: mid, search: 'inv-100' }, 20, 40, 3);
      expect(empty).toEqual({ total: 2, rows: [] });
      const capped = await repo.searchPage(ctx.db.db, { merchantId: mid, search: 'inv-100' }, 20, 0, 2);
      expect(capped).toEqual({ total: 2, rows: undefined });
    });

    it('never shows another merchant', async () => {
      const res = await dashboard({ search: 'aisha' });
      expect(refs(res)).toEqual(['INV-1001']);
    });

    it.each([
      [{ fromDate: '2026-13-01' }, 'fromDate'],
      [{ fromDate: '2026-11-03', toDate: '2026-11-01' }, 'toDate'],
      [{ page: 0 }, 'page'],
      [{ page: 'x' }, 'page'],
      [{ perPage: 101 }, 'perPage'],
      [{ search: 'ab' }, 'search'],
      [{ invoiceType: '9' }, 'invoiceType'],
    ])('refuses %o naming %s', async (filters, field) => {
      const res = await dashboard(filters);
      expect(res.status).toBe(422);
      expect(Object.keys(res.body.response)).toEqual([field]);
    });
  });

  describe('PUT /api/v1/invoice/{token} (cancel)', () => {
    const cancel = (token: string, payload: Record<string, unknown> = { statusId: '3' }, who = as()) =>
      gw.call({ method: 'PUT', url: `/api/v1/invoice/${token}`, as: who, payload: { merchantCode: who.merchantCode, ...payload } });

    it('cancels a payable invoice once, updates the stats, and refuses a second time', async () => {
      const res = await cancel(created.b.token);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: true, message: 'Invoice status update successful', response: null });
      const { rows } = await ctx.db.executeSql('SELECT status, cancelled_at FROM invoices WHERE id = $1', [created.b.id]);
      expect(rows[0].status).toBe('cancelled');
      expect(rows[0].cancelled_at).toBeInstanceOf(Date);
      const stats = (await dashboard()).body.response.stats;
      expect(stats).toEqual({ total_invoice_count: 7, invoice_paid: '0', invoice_not_paid: '6', invoice_cancelled: '1' });
      const again = await cancel(created.b.token);
      expect(again.status).toBe(409);
      expect(again.body.message).toBe('Invoice status update failed: it is already cancelled.');
      const details = await gw.call({
        method: 'GET',
        url: `/api/v1/invoice/${created.b.id}`,
        as: as(),
        payload: { merchantCode: m.merchantCode },
        via: 'query',
      });
      expect(details.body.response).toMatchObject({ status: 'cancelled', invoice_status: 3 });
    });

    it('refuses a paid invoice and leaves it paid', async () => {
      await ctx.db.executeSql("UPDATE invoices SET status = 'paid', paid_at = now() WHERE id = $1", [created.c.id]);
      const res = await cancel(created.c.token);
      expect(res.status).toBe(409);
      expect(res.body.message).toBe('Invoice status update failed: it is already paid.');
      const { rows } = await ctx.db.executeSql('SELECT status FROM invoices WHERE id = $1', [created.c.id]);
      expect(rows[0].status).toBe('paid');
      expect((await dashboard()).body.response.stats.invoice_paid).toBe('1');
    });

    it('refuses an invoice past its expiry day', async () => {
      const short = await create({ referenceNumber: 'SHORT', expiresAt: '2026-11-03' });
      await at('2026-11-03T21:30:00Z'); // 00:30 on the 4th in Kuwait
      try {
        const res = await cancel(short.token);
        expect(res.status).toBe(409);
        expect(res.body.message).toBe('Invoice status update failed: it has expired.');
      } finally {
        await at('2026-11-03T09:00:00Z');
      }
    });

    it("refuses another statusId, and another merchant's token like a missing one", async () => {
      const wrong = await cancel(created.d.token, { statusId: '1' });
      expect(wrong.status).toBe(422);
      expect(Object.keys(wrong.body.response)).toEqual(['statusId']);
      const foreign = await cancel(created.foreign.token);
      const missing = await cancel('1234567890123456789');
      expect(foreign.status).toBe(404);
      expect(foreign.body).toEqual(missing.body);
      const { rows } = await ctx.db.executeSql('SELECT status FROM invoices WHERE id = $1', [created.foreign.id]);
      expect(rows[0].status).toBe('pending');
    });
  });

  describe('POST /api/v1/invoice/resend', () => {
    const resend = (payload: Record<string, unknown>, who = as()) =>
      gw.call({ url: '/api/v1/invoice/resend', as: who, payload: { merchantCode: who.merchantCode, ...payload } });

    it('records a delivery request and returns the invoice', async () => {
      const res = await resend({ resendId: String(created.d.id), mobileNumber: '99998888', countryCode: '+965' });
      expect(res.status).toBe(200);
      expect(res.body.message).toBe('Invoice Resent Successfully');
      expect(res.body.response.id).toBe(created.d.id);
      const { rows } = await ctx.db.executeSql('SELECT reason, channel, destination, status FROM delivery_requests WHERE invoice_id = $1 ORDER BY id', [
        created.d.id,
      ]);
      // Invoice d is a WhatsApp invoice: it went by WhatsApp when created, and the resend goes the same way, to the new number.
      expect(rows).toEqual([
        { reason: 'created', channel: 1, destination: '96566666666', status: 'pending' },
        { reason: 'resend', channel: 1, destination: '96599998888', status: 'pending' },
      ]);
      const jobs = await ctx.db.executeSql("SELECT data->>'requestId' AS id FROM pgboss.job WHERE name = 'delivery.send'");
      expect(jobs.rows.length).toBeGreaterThanOrEqual(2);
    });

    it.each([
      [{}, ['countryCode', 'mobileNumber', 'resendId']],
      [{ resendId: 'x', mobileNumber: '999', countryCode: '966' }, ['countryCode', 'mobileNumber', 'resendId']],
      [{ resendId: { a: 1 }, mobileNumber: '99998888', countryCode: '965' }, ['resendId']],
    ])('refuses %o, writing nothing', async (payload, fields) => {
      const before = await countRows(ctx.db);
      const res = await resend(payload);
      expect(res.status).toBe(422);
      expect(Object.keys(res.body.response).sort()).toEqual(fields);
      expect(await countRows(ctx.db)).toEqual(before);
    });

    it("refuses a cancelled invoice and another merchant's", async () => {
      const cancelled = await resend({ resendId: created.b.id, mobileNumber: '99998888', countryCode: '965' });
      expect(cancelled.status).toBe(409);
      expect(cancelled.body.message).toBe('The invoice cannot be resent: it is cancelled.');
      const foreign = await resend({ resendId: created.foreign.id, mobileNumber: '99998888', countryCode: '965' });
      expect(foreign.status).toBe(404);
    });
  });
});
