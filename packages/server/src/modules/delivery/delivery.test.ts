import { afterAll, beforeAll, expect, it } from 'vitest';
import { postJson } from '../../lib/outbound-http.ts';
import { createCustomer } from '../../test-support/customer.ts';
import { describeEngines } from '../../test-support/engines.ts';
import { eventually } from '../../test-support/eventually.ts';
import { startGateway, type TestGateway } from '../../test-support/gateway.ts';
import { startHttpReceiver, type HttpReceiver } from '../../test-support/http-receiver.ts';
import { decodedText, headerOf, startSmtpCatcher, type SmtpCatcher } from '../../test-support/smtp-catcher.ts';
import { startWorkers } from '../jobs/workers.ts';
import { createHttpMessageProvider } from './http-message-provider.ts';
import { createSmtpSender } from './smtp-sender.ts';

type Merchant = Awaited<ReturnType<TestGateway['newMerchant']>>;

/**
 * Invoices reach customers through the real worker (pg-boss on this engine), a real SMTP server
 * and a real HTTP SMS/WhatsApp provider on loopback.
 */
describeEngines('customer messages', (ctx) => {
  let gw: TestGateway;
  let m: Merchant;
  let smtp: SmtpCatcher;
  let provider: HttpReceiver;

  const post = async (url: string, body: string, headers: Record<string, string>) => postJson(url, body, { headers, timeoutMs: 2000, allowPrivate: true });

  const create = async (over: Record<string, unknown>) => {
    const res = await gw.call({
      url: '/api/v1/invoice',
      as: m,
      payload: {
        merchantCode: m.merchantCode,
        mobileNumber: '66554433',
        customerName: 'Maryam',
        amount: '25.750',
        countryCode: '965',
        invoiceType: '1',
        allocatePayType: '',
        expiresAt: '2099-12-31',
        ...over,
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.response as { id: number; url: string; en_sms: string; ar_sms: string };
  };

  const requestsOf = async (invoiceId: number) =>
    (
      await ctx.db.executeSql(
        'SELECT reason, channel, destination, status, attempts, last_error, provider_response FROM delivery_requests WHERE invoice_id = $1 ORDER BY id',
        [invoiceId],
      )
    ).rows;
  const settled = (invoiceId: number) =>
    eventually(
      async () => {
        const rows = await requestsOf(invoiceId);
        return rows.length > 0 && rows.every((r) => r.status !== 'pending') ? rows : undefined;
      },
      { what: `deliveries of invoice ${invoiceId}` },
    );
  const invoiceRow = async (id: number) => (await ctx.db.executeSql('SELECT sms_status, sms_response FROM invoices WHERE id = $1', [id])).rows[0];

  beforeAll(async () => {
    smtp = await startSmtpCatcher();
    provider = await startHttpReceiver();
    gw = await startGateway(ctx.db, {
      now: 'running',
      senders: {
        email: createSmtpSender({ url: smtp.url, from: 'Acme Billing <billing@acme.test>' }),
        sms: createHttpMessageProvider({ name: 'sms', url: `${provider.url}/sms`, post, token: 'sms-secret-token' }),
        whatsapp: createHttpMessageProvider({ name: 'whatsapp', url: `${provider.url}/whatsapp`, post }),
      },
      retryBackoffMs: () => 100,
    });
    m = await gw.newMerchant({ name: 'Acme Trading', paymentMethods: [1, 2, 16] });
    await startWorkers(gw.services, { schedule: false });
  });
  afterAll(async () => {
    await gw.close();
    await smtp.close();
    await provider.close();
  });

  for (const lang of ['en', 'ar'] as const) {
    it(`an e-mail invoice arrives with its link, amount and items in ${lang === 'en' ? 'English' : 'Arabic'}`, async () => {
      const before = smtp.messages.length;
      const inv = await create({
        invoiceSubType: '2',
        customerEmail: `maryam.${lang}@example.com`,
        language: lang,
        referenceNumber: `MAIL-${lang}`,
        itemsList: [{ itemTitle: 'Consulting hours', rate: '25.750', quantity: '1', amount: '25.750' }],
      });
      const [mail] = (await smtp.waitFor(before + 1)).slice(before);
      expect(mail!.to).toEqual([`maryam.${lang}@example.com`]);
      const subject = headerOf(mail!.raw, 'subject')!;
      expect(subject).toContain(`MAIL-${lang}`);
      expect(subject).toContain(lang === 'en' ? 'Acme Trading' : 'من');
      const text = decodedText(mail!.raw);
      expect(text).toContain(inv.url);
      expect(text).toContain('25.750');
      expect(text).toContain('Consulting hours');
      if (lang === 'ar') {
        expect(text).toContain('dir="rtl"');
        expect(text).toMatch(/[\u0600-\u06FF]{3,}/);
      }
      const [req] = await settled(inv.id);
      expect(req).toMatchObject({ reason: 'created', channel: 2, status: 'sent', attempts: 1 });
      expect((await invoiceRow(inv.id)).sms_status).toBe(1);
      const details = await gw.call({ method: 'GET', url: `/api/v1/invoice/${inv.id}`, as: m, payload: { merchantCode: m.merchantCode }, via: 'query' });
      expect(details.body.response.sms_status).toBe(1);
      expect(details.body.response.sms_response).toMatch(/^250 /);
    });
  }

  it('SMS and WhatsApp reach the HTTP provider with the en_sms / ar_sms text and the link', async () => {
    const before = provider.received.length;
    const sms = await create({ invoiceSubType: '0' });
    const whatsapp = await create({ invoiceSubType: '1', language: 'ar', mobileNumber: '99887766' });
    const received = (await provider.waitFor(before + 2)).slice(before);
    const byPath = Object.fromEntries(received.map((r) => [r.path, r]));
    expect(JSON.parse(byPath['/sms']!.rawBody)).toEqual({ to: '96566554433', text: `${sms.en_sms} ${sms.url}`, channel: 'sms' });
    expect(byPath['/sms']!.headers.authorization).toBe('Bearer sms-secret-token');
    expect(JSON.parse(byPath['/whatsapp']!.rawBody)).toEqual({ to: '96599887766', text: `${whatsapp.ar_sms} ${whatsapp.url}`, channel: 'whatsapp' });
    expect((await settled(sms.id))[0]).toMatchObject({ status: 'sent', channel: 0 });
    expect((await settled(whatsapp.id))[0]).toMatchObject({ status: 'sent', channel: 1 });
    // A link-only invoice sends nothing.
    const link = await create({ invoiceSubType: '3', invoiceType: '0' });
    expect(await requestsOf(link.id)).toEqual([]);
  });

  it('a provider that fails twice and then succeeds ends delivered, after three tries', async () => {
    const before = provider.received.length;
    provider.script(503, 'drop');
    const inv = await create({ invoiceSubType: '0' });
    const [req] = await settled(inv.id);
    expect(req).toMatchObject({ status: 'sent', attempts: 3, last_error: null });
    const tries = provider.received.slice(before).filter((r) => r.path === '/sms');
    expect(tries).toHaveLength(3);
    expect(new Set(tries.map((t) => t.rawBody)).size).toBe(1);
    expect((await invoiceRow(inv.id)).sms_status).toBe(1);
  });

  it('a permanent refusal is recorded and visible, without retries', async () => {
    const before = provider.received.length;
    provider.script({ status: 400, body: '{"error":"invalid number"}' });
    const inv = await create({ invoiceSubType: '0' });
    const [req] = await settled(inv.id);
    expect(req).toMatchObject({ status: 'failed', attempts: 1 });
    expect(req.last_error).toContain('400');
    expect(provider.received.slice(before).filter((r) => r.path === '/sms')).toHaveLength(1);
    const row = await invoiceRow(inv.id);
    expect(row.sms_status).toBe(2);
    expect(row.sms_response).toContain('invalid number');
    expect(row.sms_response).not.toContain('sms-secret-token');
  });

  it('resend delivers again, to the number given', async () => {
    const inv = await create({ invoiceSubType: '0' });
    await settled(inv.id);
    const before = provider.received.length;
    const res = await gw.call({
      url: '/api/v1/invoice/resend',
      as: m,
      payload: { merchantCode: m.merchantCode, resendId: String(inv.id), mobileNumber: '55443322', countryCode: '965' },
    });
    expect(res.status).toBe(200);
    const [again] = (await provider.waitFor(before + 1)).slice(before);
    expect(JSON.parse(again!.rawBody).to).toBe('96555443322');
    const rows = await settled(inv.id);
    expect(rows.map((r) => [r.reason, r.status])).toEqual([
      ['created', 'sent'],
      ['resend', 'sent'],
    ]);
  });

  it('a paid invoice sends nothing more; reminders go once, before expiry, through the invoice channel', async () => {
    const today = new Date(gw.clock.now().getTime() + 3 * 3_600_000).toISOString().slice(0, 10); // Kuwait is UTC+3
    const inTwoDays = new Date(Date.parse(`${today}T00:00:00Z`) + 2 * 86_400_000).toISOString().slice(0, 10);
    await ctx.db.executeSql('UPDATE merchants SET reminder_days = 2 WHERE code = $1', [m.merchantCode]);
    const due = await create({ invoiceSubType: '0', expiresAt: inTwoDays });
    const later = await create({ invoiceSubType: '0', expiresAt: '2099-12-31' });
    const paid = await create({ invoiceSubType: '0', expiresAt: inTwoDays, allocatePayType: '16' });
    await createCustomer(gw.app).payInvoice(new URL(paid.url).pathname, 16, {});
    await Promise.all([settled(due.id), settled(later.id), settled(paid.id)]);
    const first = await gw.services.expiry.run();
    expect(first.reminded).toBe(1);
    expect((await gw.services.expiry.run()).reminded).toBe(0);
    const rows = await settled(due.id);
    expect(rows.map((r) => [r.reason, r.status])).toEqual([
      ['created', 'sent'],
      ['reminder', 'sent'],
    ]);
    expect((await requestsOf(later.id)).map((r) => r.reason)).toEqual(['created']);
    expect((await requestsOf(paid.id)).map((r) => r.reason)).toEqual(['created']);
  });
});
