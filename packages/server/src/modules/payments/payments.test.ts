import { Value } from 'typebox/value';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { InvoiceObject, TransactionEnquiryReply } from '@fawtara/contract';
import { describeEngines } from '../../test-support/engines.ts';
import { createCustomer, payableInvoice, KNET_OK, KNET_WRONG_EXPIRY, VISA_DECLINED, VISA_OK } from '../../test-support/customer.ts';
import { startGateway, type TestGateway } from '../../test-support/gateway.ts';
import { createPaymentsRepo } from './payments.repo.ts';
import { CLAIM_MS } from './payments.service.ts';

type Merchant = Awaited<ReturnType<TestGateway['newMerchant']>>;

const pathOf = (url: string) => new URL(url).pathname;

describeEngines('payments', (ctx) => {
  let gw: TestGateway;
  let m: Merchant;
  let other: Merchant;

  const createInvoice = async (over: Record<string, unknown> = {}) => {
    const res = await gw.call({ url: '/api/v1/invoice', as: m, payload: payableInvoice(m.merchantCode, over) });
    expect(res.status).toBe(200);
    return res.body.response as { id: number; token: string; access_key: string; url: string; reference_number: string | null };
  };

  const createOpenInvoice = async (over: Record<string, unknown> = {}) => {
    const res = await gw.call({
      url: '/api/v1/open-invoice',
      as: m,
      payload: { merchantCode: m.merchantCode, title: 'Donation', amountType: '1', minAmount: '1.000', maxAmount: '100.000', ...over },
    });
    expect(res.status).toBe(200);
    return res.body.response as { id: number; url: string; reference_number: string; qr_code: { svg: string; png: string } };
  };

  const transactionsOf = async (invoiceId: number) =>
    (await ctx.db.executeSql('SELECT * FROM transactions WHERE invoice_id = $1 ORDER BY id', [invoiceId])).rows;

  const invoiceRow = async (id: number) => (await ctx.db.executeSql('SELECT * FROM invoices WHERE id = $1', [id])).rows[0];

  const enquire = (value: string, opts: { accessCode?: string; byReference?: boolean } = {}) =>
    gw.app.inject({
      method: 'GET',
      url: `/api/transaction/${encodeURIComponent(value)}${opts.byReference ? '?isOrderReference=1' : ''}`,
      headers: { accesscode: opts.accessCode ?? m.accessCode, accept: 'application/json' },
    });

  beforeAll(async () => {
    gw = await startGateway(ctx.db, { now: '2026-11-21T09:00:00Z' });
    m = await gw.newMerchant({ paymentMethods: [1, 2, 9, 16] });
    other = await gw.newMerchant();
  });
  afterAll(() => gw.close());

  it('a KNET payment pays the invoice once: transaction recorded masked, details and enquiry show it', async () => {
    const inv = await createInvoice({ referenceNumber: 'ORD-1' });
    const customer = createCustomer(gw.app);
    const res = await customer.payInvoice(pathOf(inv.url), 1, KNET_OK);
    expect(res.status).toBe(303);
    expect(res.location).toMatch(/^\/receipt\/[A-Za-z0-9_-]{22,}\?lang=en$/);

    const [tx, ...rest] = await transactionsOf(inv.id);
    expect(rest).toHaveLength(0);
    expect(tx).toMatchObject({
      status: 'SUCCESSFUL',
      result_code: 'CAPTURED',
      card_type: 'KNET',
      masked_card: '888888******0001',
      amount: 12500n,
      method: 1,
      reference_number: 'ORD-1',
    });
    expect(JSON.stringify(tx, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))).not.toContain('8888880000000001');
    const row = await invoiceRow(inv.id);
    expect(row.status).toBe('paid');
    expect(row.paid_at).not.toBeNull();
    expect(row.payment_locked_until).toBeNull();

    const details = await gw.call({ method: 'GET', url: `/api/v1/invoice/${inv.id}`, as: m, payload: { merchantCode: m.merchantCode }, via: 'query' });
    expect(details.body.response.invoice_status).toBe(1);
    expect(details.body.response.transaction).toMatchObject({
      token: tx.token,
      status: 'SUCCESSFUL',
      amount: '12.500',
      customerCard: '888888******0001',
      payment_type: 'KNET',
    });
    expect(Value.Check(InvoiceObject, details.body.response)).toBe(true);

    const byToken = await enquire(tx.token);
    expect(byToken.statusCode).toBe(200);
    const body = byToken.json();
    expect(Value.Check(TransactionEnquiryReply, body)).toBe(true);
    expect(body).toMatchObject({
      status: true,
      message: 'Transaction found',
      data: {
        token: tx.token,
        status: 'SUCCESSFUL',
        amount: '12.500',
        reference_number: 'ORD-1',
        service_type: 'SMS Payment',
        TrackID: tx.track_id,
        PaymentID: tx.payment_id,
      },
    });
    expect(body.results).toHaveLength(1);

    // Paying again is refused and records nothing.
    const again = await customer.payInvoice(pathOf(inv.url), 1, KNET_OK);
    expect(again.status).toBe(409);
    expect(await transactionsOf(inv.id)).toHaveLength(1);
  });

  it('a declined card leaves the invoice payable and unlocked; an approved one then pays it; enquiry by reference lists both', async () => {
    const inv = await createInvoice({ referenceNumber: 'ORD-2' });
    const customer = createCustomer(gw.app);
    const declined = await customer.payInvoice(pathOf(inv.url), 2, VISA_DECLINED);
    expect(declined.status).toBe(303);
    let txs = await transactionsOf(inv.id);
    expect(txs.map((t) => [t.status, t.result_code, t.failure_reason])).toEqual([['FAILED', 'DECLINED', 'declined']]);
    let row = await invoiceRow(inv.id);
    expect(row.status).toBe('pending');
    expect(row.payment_locked_until).toBeNull();

    const failurePage = await customer.get(declined.location!);
    expect(failurePage.status).toBe(200);
    expect(failurePage.html).toContain(`href="${pathOf(inv.url)}?lang=en"`);

    const paid = await customer.payInvoice(pathOf(inv.url), 2, VISA_OK);
    expect(paid.status).toBe(303);
    txs = await transactionsOf(inv.id);
    expect(txs.map((t) => t.status)).toEqual(['FAILED', 'SUCCESSFUL']);
    expect(txs[1].masked_card).toBe('401200******1112');
    row = await invoiceRow(inv.id);
    expect(row.status).toBe('paid');

    const byRef = (await enquire('ORD-2', { byReference: true })).json();
    expect(byRef.results.map((r: { status: string }) => r.status)).toEqual(['FAILED', 'SUCCESSFUL']);
    expect(byRef.data.token).toBe(txs[1].token);
    // Without the flag, a reference is not a token.
    expect((await enquire('ORD-2')).statusCode).toBe(404);
  });

  it('50 customers paying one invoice at the same moment: exactly one success, one charge', async () => {
    const inv = await createInvoice();
    const customers = Array.from({ length: 50 }, () => createCustomer(gw.app));
    // Every customer reaches the card form first, then all submit together.
    const forms = await Promise.all(
      customers.map(async (c) => {
        const page = await c.get(pathOf(inv.url));
        return c.post(`${pathOf(inv.url)}/method`, { csrf: page.csrf, lang: 'en', method: '1' });
      }),
    );
    const results = await Promise.all(customers.map((c, i) => c.post(`${pathOf(inv.url)}/pay`, { csrf: forms[i]!.csrf, lang: 'en', method: '1', ...KNET_OK })));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 303)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    const txs = await transactionsOf(inv.id);
    expect(txs.filter((t) => t.status === 'SUCCESSFUL')).toHaveLength(1);
    // Refused claims never reached the acquirer: no other attempt exists at all.
    expect(txs).toHaveLength(1);
    expect((await invoiceRow(inv.id)).status).toBe('paid');
  });

  it('expiry is the end of the expiry day in the merchant’s zone, enforced when paying', async () => {
    const inv = await createInvoice({ expiresAt: '2026-11-25' });
    const customer = createCustomer(gw.app);
    const page = await customer.get(pathOf(inv.url));
    const form = await customer.post(`${pathOf(inv.url)}/method`, { csrf: page.csrf, lang: 'en', method: '1' });
    expect(form.status).toBe(200);
    try {
      // 00:00 on Nov 26 in Kuwait (UTC+3) is 21:00 UTC on Nov 25: the card form is already open.
      gw.clock.set('2026-11-25T21:00:00Z');
      const late = await customer.post(`${pathOf(inv.url)}/pay`, { csrf: form.csrf, lang: 'en', method: '1', ...KNET_OK });
      expect(late.status).toBe(409);
      expect(await transactionsOf(inv.id)).toHaveLength(0);
      expect((await customer.get(pathOf(inv.url))).html).not.toContain('name="method"');
      // One second earlier it is still the 25th in Kuwait.
      gw.clock.set('2026-11-25T20:59:59Z');
      const inTime = await customer.post(`${pathOf(inv.url)}/pay`, { csrf: form.csrf, lang: 'en', method: '1', ...KNET_OK });
      expect(inTime.status).toBe(303);
    } finally {
      gw.clock.set('2026-11-21T09:00:00Z');
    }
  });

  it('a payment in progress holds the invoice: cancel and other payers wait; a crash is settled once the claim lapses', async () => {
    const inv = await createInvoice();
    const repo = createPaymentsRepo();
    const now = gw.clock.now();
    // An attempt that claimed the invoice and then lost its process before the acquirer answered.
    const tx = await repo.claimInvoice(ctx.db.db, BigInt(inv.id), '2026-11-21', new Date(now.getTime() + CLAIM_MS), {
      merchantId: BigInt((await invoiceRow(inv.id)).merchant_id),
      token: '17000000000000000000000001',
      receiptKey: 'crashed-attempt-receipt-key-0001',
      trackId: '9000000000000001',
      connector: 'sandbox',
      referenceNumber: inv.token,
      amount: 12500n,
      method: 1,
      customerName: 'Customer',
      customerEmail: null,
      customerMobile: '66666666',
      now,
    });
    expect(tx?.status).toBe('PROCESSING');

    const cancel = await gw.call({ method: 'PUT', url: `/api/v1/invoice/${inv.token}`, as: m, payload: { merchantCode: m.merchantCode, statusId: '3' } });
    expect(cancel.status).toBe(409);
    expect(cancel.body.message).toMatch(/paying it right now/);
    const customer = createCustomer(gw.app);
    expect((await customer.payInvoice(pathOf(inv.url), 1, KNET_OK)).status).toBe(409);

    expect(await gw.services.payments.settleStaleAttempts()).toBe(0); // not stale yet
    gw.clock.advance(CLAIM_MS + 1000);
    try {
      expect(await gw.services.payments.settleStaleAttempts()).toBe(1);
      const [settled] = await transactionsOf(inv.id);
      expect(settled).toMatchObject({ status: 'FAILED', failure_reason: 'timed_out' });
      expect((await invoiceRow(inv.id)).payment_locked_until).toBeNull();
      m.token = await gw.login(m.issued.username, m.issued.password);
      const ok = await gw.call({ method: 'PUT', url: `/api/v1/invoice/${inv.token}`, as: m, payload: { merchantCode: m.merchantCode, statusId: '3' } });
      expect(ok.status).toBe(200);
    } finally {
      gw.clock.set('2026-11-21T09:00:00Z');
      m.token = await gw.login(m.issued.username, m.issued.password);
    }
  });

  it('a method the invoice does not allow, or a bad card, is refused without a transaction', async () => {
    const inv = await createInvoice({ allocatePayType: '1' });
    const customer = createCustomer(gw.app);
    const page = await customer.get(pathOf(inv.url));
    const wrongMethod = await customer.post(`${pathOf(inv.url)}/method`, { csrf: page.csrf, lang: 'en', method: '2' });
    expect(wrongMethod.status).toBe(422);
    const forged = await customer.post(`${pathOf(inv.url)}/pay`, { csrf: page.csrf, lang: 'en', method: '2', ...VISA_OK });
    expect(forged.status).toBe(422);
    const badCard = await customer.payInvoice(pathOf(inv.url), 1, { ...KNET_OK, cardNumber: '1234' });
    expect(badCard.status).toBe(422);
    expect(badCard.html).toContain('aria-invalid');
    expect(badCard.html).not.toContain('1234"');
    expect(await transactionsOf(inv.id)).toHaveLength(0);
    // A KNET refusal is a transaction, though: the acquirer was asked.
    expect((await customer.payInvoice(pathOf(inv.url), 1, KNET_WRONG_EXPIRY)).status).toBe(303);
    expect((await transactionsOf(inv.id)).map((t) => [t.status, t.result_code])).toEqual([['FAILED', 'NOT CAPTURED']]);
  });

  it('an open invoice takes many payments within its limits and keeps its totals', async () => {
    const oi = await createOpenInvoice({ title: 'School trip' });
    const path = pathOf(oi.url);
    const customer = createCustomer(gw.app);
    const details = (amount: string) => ({ amount, customerName: 'Noura', customerMobile: '+965 5555 1234', customerEmail: 'noura@example.com', method: '1' });
    expect((await customer.payOpenInvoice(path, details('5.250'), KNET_OK)).status).toBe(303);
    expect((await customer.payOpenInvoice(path, details('20'), KNET_OK)).status).toBe(303);
    expect((await customer.payOpenInvoice(path, details('3.000'), KNET_WRONG_EXPIRY)).status).toBe(303);

    for (const [amount, problem] of [
      ['0.999', 'below'],
      ['100.001', 'above'],
      ['1.0001', 'invalid'],
      ['', 'required'],
    ] as const) {
      const refused = await customer.payOpenInvoice(path, details(amount), KNET_OK);
      expect(refused.status, `${amount} (${problem})`).toBe(422);
      expect(refused.html).toContain('aria-invalid="true"');
    }
    // Hidden fields changed between the two steps are checked again.
    const page = await customer.get(path);
    const form = await customer.post(`${path}/method`, { csrf: page.csrf, lang: 'en', ...details('10') });
    const tampered = await customer.post(`${path}/pay`, { csrf: form.csrf, lang: 'en', ...details('500'), ...KNET_OK });
    expect(tampered.status).toBe(422);

    const row = (await ctx.db.executeSql('SELECT * FROM open_invoices WHERE id = $1', [oi.id])).rows[0];
    expect(row.total_paid).toBe(25250n);
    expect(row.paid_count).toBe(2);
    expect(row.tried_count).toBe(3);
    const txs = (await ctx.db.executeSql('SELECT status, amount, customer_mobile FROM transactions WHERE open_invoice_id = $1 ORDER BY id', [oi.id])).rows;
    expect(txs).toEqual([
      { status: 'SUCCESSFUL', amount: 5250n, customer_mobile: '55551234' },
      { status: 'SUCCESSFUL', amount: 20000n, customer_mobile: '55551234' },
      { status: 'FAILED', amount: 3000n, customer_mobile: '55551234' },
    ]);

    const list = await gw.call({ method: 'GET', url: '/api/v1/open-invoice', as: m, payload: { merchantCode: m.merchantCode }, via: 'query' });
    const listed = list.body.response.data.find((o: { id: number }) => o.id === oi.id);
    expect(listed).toMatchObject({ total_amount_customer_paid: '25.250', total_customer_paid_count: 2, total_customer_tried_count: 3, paid_status: 1 });
    expect(listed.qr_code).toEqual({ svg: `${oi.url}/qr.svg`, png: `${oi.url}/qr.png` });

    const byRef = (await enquire(oi.reference_number, { byReference: true })).json();
    expect(byRef.results).toHaveLength(3);
    expect(byRef.data.service_type).toBe('Open Invoice');
  });

  it('a fixed-amount open invoice ignores any amount sent; a cancelled one takes nothing', async () => {
    const oi = await createOpenInvoice({ amountType: '0', fixAmount: '7.000', minAmount: '', maxAmount: '' });
    const customer = createCustomer(gw.app);
    const res = await customer.payOpenInvoice(pathOf(oi.url), { amount: '0.001', customerName: 'Ali', customerMobile: '99998888', method: '16' }, {});
    expect(res.status).toBe(303);
    const tx = (await ctx.db.executeSql('SELECT amount, card_type, masked_card FROM transactions WHERE open_invoice_id = $1', [oi.id])).rows;
    expect(tx).toEqual([{ amount: 7000n, card_type: 'GOOGLE PAY', masked_card: null }]);

    const cancel = await gw.call({ method: 'DELETE', url: `/api/v1/open-invoice/${oi.id}`, as: m, payload: { merchantCode: m.merchantCode } });
    expect(cancel.status).toBe(200);
    const refused = await customer.payOpenInvoice(pathOf(oi.url), { customerName: 'Ali', customerMobile: '99998888', method: '16' }, {});
    expect(refused.status).toBe(409);
  });

  it('enquiry: unknown or missing accessCode 401; another merchant’s transaction 404 like an unknown one', async () => {
    const inv = await createInvoice({ allocatePayType: '9' });
    expect((await createCustomer(gw.app).payInvoice(pathOf(inv.url), 9, {})).status).toBe(303);
    const [tx] = await transactionsOf(inv.id);
    expect(tx.card_type).toBe('APPLE PAY');
    const foreign = await enquire(tx.token, { accessCode: other.accessCode });
    const unknown = await enquire('12345678901234567890', { accessCode: other.accessCode });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.body).toBe(unknown.body);
    expect(foreign.json()).toEqual({ status: false, message: 'Transaction not found', data: null, results: [] });
    expect((await enquire(tx.token, { accessCode: 'not-a-real-access-code-000' })).statusCode).toBe(401);
    const noHeader = await gw.app.inject({ method: 'GET', url: `/api/transaction/${tx.token}` });
    expect(noHeader.statusCode).toBe(401);
    // The older POST form and the /enquire/ path answer the same.
    const post = await gw.app.inject({ method: 'POST', url: `/api/transaction/enquire/${tx.token}`, headers: { accesscode: m.accessCode } });
    expect(post.json().data.token).toBe(tx.token);
  });
});
