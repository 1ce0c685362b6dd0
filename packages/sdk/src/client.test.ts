import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCustomer } from '../../server/src/test-support/customer.ts';
import { describeEngines } from '../../server/src/test-support/engines.ts';
import { countRows, startGateway, type TestGateway } from '../../server/src/test-support/gateway.ts';
import { Client } from './client.ts';
import { ConflictError, NotFoundError, ValidationError } from './errors.ts';
import { clientFor, installmentParams, invoiceParams, listen, recordingFetch, type TestMerchant } from './testing/support.ts';
import type { Invoice } from './types.ts';

/**
 * Every resource against a real Fawtara listening on loopback, through the SDK's own HTTP path
 * (fetch, envelope, session, retries, errors).
 */
describeEngines('SDK against a running Fawtara', (ctx) => {
  let gw: TestGateway;
  let baseUrl: string;
  let m: TestMerchant;
  let client: Client;
  let wire: ReturnType<typeof recordingFetch>;

  beforeAll(async () => {
    gw = await startGateway(ctx.db);
    baseUrl = await listen(gw);
    m = await gw.newMerchant({ paymentMethods: [1, 2, 16] });
    wire = recordingFetch();
    client = clientFor(baseUrl, m, { fetch: wire.fetch });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('creates an invoice with string money and with bigint fils, normalised to three decimals', async () => {
    const fromString = await client.invoices.create(invoiceParams({ amount: '12.5', referenceNumber: 'SDK-STR' }));
    expect(fromString).toMatchObject({ amount: '12.500', reference_number: 'SDK-STR', status: 'pending', currency: 'KWD' });
    const fromBigint = await client.invoices.create(
      invoiceParams({
        amount: 12500n,
        referenceNumber: 'SDK-BIG',
        itemsList: [
          { itemTitle: 'Tuition', rate: 10000n, quantity: 1, amount: '10' },
          { itemTitle: 'Books', rate: '1.25', quantity: '2', amount: 2500n },
        ],
      }),
    );
    expect(fromBigint.amount).toBe('12.500');
    expect(fromBigint.products.map((p) => [p.item_title, p.rate, p.quantity, p.amount])).toEqual([
      ['Tuition', '10.000', 1, '10.000'],
      ['Books', '1.250', 2, '2.500'],
    ]);
    // The first call logged in once; both went out as encrypted {"data": hex} with a fresh key each.
    expect(wire.count('POST', '/api/v1/login')).toBe(1);
    const creates = wire.sent.filter((r) => r.path === '/api/v1/invoice');
    expect(creates).toHaveLength(2);
    for (const r of creates) {
      expect(JSON.parse(r.body!)).toEqual({ data: expect.stringMatching(/^[0-9a-f]+$/) });
      expect(r.headers.accesscode).toBe(m.accessCode);
      expect(r.headers.authorization).toMatch(/^Bearer \S+$/);
    }
    expect(creates[0]!.headers['idempotency-key']).toMatch(/^sdk-[0-9a-f-]{36}$/);
    expect(creates[0]!.headers['idempotency-key']).not.toBe(creates[1]!.headers['idempotency-key']);
  });

  it('refuses bad money before sending anything: numbers, NaN, negatives, more than three decimals', async () => {
    const before = wire.sent.length;
    const cases: Array<[unknown, RegExp]> = [
      [12.5, /JS numbers are binary floats/],
      [Number.NaN, /not NaN/],
      ['1.2345', /at most three decimals/],
      ['-1', /must not be negative/],
      [-1n, /must not be negative/],
      ['12,5', /amount such as/],
      ['1e3', /amount such as/],
      [null, /must be a string/],
    ];
    for (const [amount, message] of cases) {
      const err = await client.invoices.create(invoiceParams({ amount: amount as string })).catch((e: unknown) => e);
      expect(err, String(amount)).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).status).toBeUndefined();
      expect((err as ValidationError).fields.amount?.[0]).toMatch(message);
    }
    // Every bad field of one call at once, by path, items and installments included.
    const many = await client.invoices
      .createInstallments({
        invoices: [
          installmentParams('P/1', { amount: '1.0001' }),
          installmentParams('P/2', { itemsList: [{ itemTitle: 'x', rate: 1 as unknown as string, quantity: 1, amount: '1' }] }),
        ],
      })
      .catch((e: unknown) => e);
    expect(many).toBeInstanceOf(ValidationError);
    expect(Object.keys((many as ValidationError).fields).sort()).toEqual(['invoices.0.amount', 'invoices.1.itemsList.0.rate']);
    const open = await client.openInvoices
      .create({ title: 'x', amountType: '1', minAmount: '0.5', maxAmount: 2.5 as unknown as string })
      .catch((e: unknown) => e);
    expect(Object.keys((open as ValidationError).fields)).toEqual(['maxAmount']);
    expect(wire.sent.length).toBe(before);
  });

  it("reports the server's validation errors with field paths, status 422 and the request id", async () => {
    const err = await client.invoices.create(invoiceParams({ mobileNumber: 'abc', expiresAt: '2020-01-01' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    const v = err as ValidationError;
    expect(v.status).toBe(422);
    expect(v.wireCode).toBe(422);
    expect(v.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Object.keys(v.fields).sort()).toEqual(['expiresAt', 'mobileNumber']);
    const emi = await client.invoices
      .createInstallments({ invoices: [installmentParams('E/1'), installmentParams('E/2', { mobileNumber: '123' })] })
      .catch((e: unknown) => e);
    expect(Object.keys((emi as ValidationError).fields)).toEqual(['invoices.1.mobileNumber']);
  });

  it('creates installments, gets an invoice, and answers NotFoundError for an unknown one', async () => {
    const plan = await client.invoices.createInstallments({
      invoices: [
        installmentParams('PLAN/1', { amount: '50', expiresAt: '2026-12-01' }),
        installmentParams('PLAN/2', { amount: 50000n, expiresAt: '2026-12-31' }),
      ],
    });
    expect(plan.map((i) => [i.invoice_type, i.installment_number, i.installments_count, i.amount])).toEqual([
      [2, 1, 2, '50.000'],
      [2, 2, 2, '50.000'],
    ]);
    const got = await client.invoices.get(plan[1]!.id);
    expect(got).toMatchObject({ id: plan[1]!.id, reference_number: 'PLAN/2', plan_id: plan[0]!.plan_id });
    await expect(client.invoices.get(987654321)).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.invoices.get(987654321)).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });

  it('resends and cancels; a second cancel is a ConflictError', async () => {
    const inv = await client.invoices.create(invoiceParams({ referenceNumber: 'SDK-CANCEL' }));
    const resent = await client.invoices.resend({ resendId: inv.id, mobileNumber: '99999999' });
    expect(resent.id).toBe(inv.id);
    await client.invoices.cancel(inv.token);
    expect((await client.invoices.get(inv.id)).status).toBe('cancelled');
    const again = await client.invoices.cancel(inv.token).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ConflictError);
    expect(again).toMatchObject({ status: 409, code: 'conflict' });
    await expect(client.invoices.resend({ resendId: inv.id, mobileNumber: '99999999' })).rejects.toBeInstanceOf(ConflictError);
  });

  it('lists one page with its stats, and walks every page with listAll / listPages', async () => {
    const lister = await gw.newMerchant();
    const rec = recordingFetch();
    const c = clientFor(baseUrl, lister, { fetch: rec.fetch });
    const created: Invoice[] = [];
    for (let i = 0; i < 23; i++) created.push(await c.invoices.create(invoiceParams({ referenceNumber: `LIST-${i}` })));
    await c.invoices.cancel(created[0]!.token);

    const first = await c.invoices.list({ perPage: 7 });
    expect(first).toMatchObject({ currentPage: 1, lastPage: 4, perPage: 7, total: 23, from: 1, to: 7, hasMore: true, totalIsCapped: false });
    expect(first.data).toHaveLength(7);
    expect(first.stats).toEqual({ total_invoice_count: 23, invoice_paid: '0', invoice_not_paid: '22', invoice_cancelled: '1' });
    const last = await c.invoices.list({ perPage: 7, page: 4 });
    expect(last).toMatchObject({ currentPage: 4, data: expect.any(Array), hasMore: false, from: 22, to: 23 });

    const before = rec.count('GET', '/api/v1/invoice-dashboard');
    const ids: number[] = [];
    for await (const invoice of c.invoices.listAll({ perPage: 7 })) ids.push(invoice.id);
    expect(ids).toHaveLength(23);
    expect(new Set(ids)).toEqual(new Set(created.map((i) => i.id)));
    expect(rec.count('GET', '/api/v1/invoice-dashboard') - before).toBe(4);

    const pages: number[] = [];
    for await (const page of c.invoices.listPages({ perPage: 10, page: 2 })) pages.push(page.currentPage);
    expect(pages).toEqual([2, 3]);
    // Filters travel as plain query parameters beside the encrypted data.
    const search = await c.invoices.list({ search: 'LIST-1', perPage: 100 });
    expect(search.data.map((i) => i.reference_number).sort()).toEqual([
      'LIST-1',
      'LIST-10',
      'LIST-11',
      'LIST-12',
      'LIST-13',
      'LIST-14',
      'LIST-15',
      'LIST-16',
      'LIST-17',
      'LIST-18',
      'LIST-19',
    ]);
    const lastList = rec.sent.filter((r) => r.path === '/api/v1/invoice-dashboard').at(-1)!;
    expect(new URL(lastList.url).searchParams.get('search')).toBe('LIST-1');
  });

  it('open invoices: fixed and open, list with auto-pagination, update, cancel', async () => {
    const fixed = await client.openInvoices.create({ title: 'Membership', amountType: '0', fixAmount: 25000n, expiryDate: '2027-06-30' });
    expect(fixed).toMatchObject({ type: '0', fixed_amount: '25.000', expiry_date: '2027-06-30', state: 'active' });
    const open = await client.openInvoices.create({ title: 'Donation', amountType: '1', minAmount: '0.5', maxAmount: 500000n, description: 'Any amount' });
    expect(open).toMatchObject({ type: '1', min_amount: '0.500', max_amount: '500.000', expiry_date: null });

    const page = await client.openInvoices.list({ perPage: 1 });
    expect(page).toMatchObject({ currentPage: 1, perPage: 1, total: 2, lastPage: 2, hasMore: true });
    const all: number[] = [];
    for await (const link of client.openInvoices.listAll({ perPage: 1 })) all.push(link.id);
    expect(all).toEqual([open.id, fixed.id]);

    const updated = await client.openInvoices.update(fixed.id, { expiryDate: '2027-12-31' });
    expect(updated).toMatchObject({ id: fixed.id, expiry_date: '2027-12-31' });
    await client.openInvoices.cancel(open.id);
    const after = await client.openInvoices.list();
    expect(after.data.find((l) => l.id === open.id)?.state).toBe('cancelled');
    await expect(client.openInvoices.cancel(open.id)).rejects.toBeInstanceOf(ConflictError);
    await expect(client.openInvoices.update(999999999, { expiryDate: '2027-12-31' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('reads the profile', async () => {
    const profile = await client.profile.get();
    expect(profile.username).toBe(m.merchantCode); // as Hesabe's sample: the merchant code
    expect(profile.payment_methods.map((p) => p.id).sort()).toEqual(['1', '16', '2']);
  });

  it('enquires a paid transaction by token and by order reference; unknown ones are NotFoundError', async () => {
    const inv = await client.invoices.create(invoiceParams({ referenceNumber: 'SDK-PAY', allocatePayType: '16' }));
    const paid = await createCustomer(gw.app).payInvoice(new URL(inv.url).pathname, 16, {});
    expect(paid.status).toBe(303);
    const token = (await client.invoices.get(inv.id)).transaction!.token;

    const byToken = await client.transactions.enquire(token);
    expect(byToken.status).toBe(true);
    expect(byToken.data).toMatchObject({
      token,
      amount: '12.500',
      status: 'SUCCESSFUL',
      reference_number: 'SDK-PAY',
      invoice_id: inv.id,
      payment_method: '16',
    });
    expect(byToken.results).toHaveLength(1);
    const byReference = await client.transactions.enquireByReference('SDK-PAY');
    expect(byReference.data?.token).toBe(token);
    expect(byReference.results.map((t) => t.token)).toEqual([token]);
    // Enquiry needs the accessCode only: no bearer token goes to the gateway.
    const enquiry = wire.sent.filter((r) => r.path.startsWith('/api/transaction/'));
    expect(enquiry.every((r) => r.headers.authorization === undefined && r.headers.accesscode === m.accessCode)).toBe(true);
    expect(new URL(enquiry.at(-1)!.url).searchParams.get('isOrderReference')).toBe('1');

    await expect(client.transactions.enquire('12345678901234567890')).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.transactions.enquireByReference('NO-SUCH-REF')).rejects.toMatchObject({ status: 404, code: 'not_found' });
    // Another merchant's transaction is unknown to this one.
    const other = clientFor(baseUrl, await gw.newMerchant());
    await expect(other.transactions.enquire(token)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('two creates with the same Idempotency-Key return the same invoice and create one', async () => {
    const key = `order-${Math.random().toString(36).slice(2)}`;
    const first = await client.invoices.create(invoiceParams({ referenceNumber: 'IDEM-1' }), { idempotencyKey: key });
    const rows = await countRows(ctx.db);
    const second = await client.invoices.create(invoiceParams({ referenceNumber: 'IDEM-1' }), { idempotencyKey: key });
    expect(second.id).toBe(first.id);
    expect(second).toEqual(first);
    expect((await countRows(ctx.db)).invoices).toBe(rows.invoices);
    const sent = wire.sent.filter((r) => r.headers['idempotency-key'] === key);
    expect(sent).toHaveLength(2);
    // A key the server would refuse is refused before sending.
    await expect(client.invoices.create(invoiceParams(), { idempotencyKey: 'has space' })).rejects.toMatchObject({
      name: 'ValidationError',
      fields: { 'Idempotency-Key': [expect.any(String)] },
    });
    expect(wire.sent.filter((r) => r.headers['idempotency-key'] === 'has space')).toHaveLength(0);
    // The same key with another payload is refused by the server.
    await expect(client.invoices.create(invoiceParams({ referenceNumber: 'IDEM-2' }), { idempotencyKey: key })).rejects.toBeInstanceOf(ValidationError);
  });

  it('a create whose reply is lost after the server acted is retried with the same key: one invoice, not two', async () => {
    // The request reaches the server and the invoice is created; the reply never comes back.
    let lost = 0;
    const lossy = recordingFetch(async (req) => {
      if (req.path === '/api/v1/open-invoice' && req.method === 'POST' && lost === 0) {
        lost += 1;
        const real = await fetch(req.url, { method: 'POST', headers: req.headers, body: req.body! });
        await real.text();
        throw new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
      }
      return undefined;
    });
    const c = clientFor(baseUrl, m, { fetch: lossy.fetch, tokens: client.tokens()! });
    const before = (await countRows(ctx.db)).open_invoices;
    const link = await c.openInvoices.create({ title: 'Lost reply', amountType: '0', fixAmount: '3' });
    const posts = lossy.sent.filter((r) => r.path === '/api/v1/open-invoice');
    expect(posts).toHaveLength(2);
    expect(posts[0]!.headers['idempotency-key']).toBe(posts[1]!.headers['idempotency-key']);
    expect(posts[0]!.body).toBe(posts[1]!.body);
    expect((await countRows(ctx.db)).open_invoices).toBe(before + 1);
    expect((await client.openInvoices.list({ perPage: 100 })).data.filter((l) => l.title === 'Lost reply').map((l) => l.id)).toEqual([link.id]);
  });

  it('webhook management: secrets, rotation, events list, redelivery of an unknown event', async () => {
    const secrets = await client.webhooks.secrets();
    expect(secrets).toEqual([expect.stringMatching(/^whsec_/)]);
    const rotated = await client.webhooks.rotateSecret();
    expect(rotated.secrets).toEqual([expect.stringMatching(/^whsec_/), secrets[0]]);
    expect(rotated.previous_valid_until).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    const events = await client.webhooks.listEvents({ perPage: 5 });
    expect(events).toMatchObject({ currentPage: 1, perPage: 5 });
    // The cancels and the payment above each recorded an event, even without a webhook URL.
    expect(events.data.map((e) => e.type)).toContain('invoice.cancelled');
    await expect(client.webhooks.redeliver('evt_AAAAAAAAAAAAAAAAAAAAAAAA')).rejects.toBeInstanceOf(NotFoundError);
    const settings = await client.webhooks.updateSettings({ reminderDays: 3 });
    expect(settings).toEqual({ webhook_url: null, reminder_days: 3 });
  });

  it('works with the sandbox merchant and the public credentials, as a Hesabe sandbox client would', async () => {
    const { SANDBOX_CREDENTIALS } = await import('./core.ts');
    const sandbox = new Client({ baseUrl, ...SANDBOX_CREDENTIALS });
    const profile = await sandbox.profile.get();
    expect(profile.username).toBeTruthy();
    // Presets: Hesabe's two hosts; Fawtara one.
    expect(new Client({ environment: 'hesabe-sandbox', ...SANDBOX_CREDENTIALS })).toMatchObject({
      baseUrl: 'https://merchantapisandbox.hesabe.com',
      gatewayUrl: 'https://sandbox.hesabe.com',
    });
    expect(new Client({ environment: 'hesabe-production', ...SANDBOX_CREDENTIALS })).toMatchObject({
      baseUrl: 'https://merchantapi.hesabe.com',
      gatewayUrl: 'https://api.hesabe.com',
    });
    expect(new Client({ environment: 'local', ...SANDBOX_CREDENTIALS }).gatewayUrl).toBe('http://localhost:3000');
    expect(new Client({ baseUrl: 'https://pay.example.kw/fawtara/', ...SANDBOX_CREDENTIALS }).gatewayUrl).toBe('https://pay.example.kw/fawtara');
    expect(
      new Client({ environment: 'hesabe-sandbox', baseUrl: 'https://proxy.example', gatewayUrl: 'https://gw.example', ...SANDBOX_CREDENTIALS }),
    ).toMatchObject({
      baseUrl: 'https://proxy.example',
      gatewayUrl: 'https://gw.example',
    });
    expect(() => new Client({ ...SANDBOX_CREDENTIALS } as never)).toThrow(/baseUrl or environment/);
    expect(() => new Client({ baseUrl, ...SANDBOX_CREDENTIALS, secretKey: 'short' })).toThrow(TypeError);
  });
});
