import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEngines } from '../test-support/engines.ts';
import { createCustomer, KNET_OK, payableInvoice } from '../test-support/customer.ts';
import { startGateway, TEST_BASE_URL, type TestGateway } from '../test-support/gateway.ts';
import { STYLESHEET } from './pages.ts';
import { methodOptions } from './pages.routes.ts';

type Merchant = Awaited<ReturnType<TestGateway['newMerchant']>>;

const XSS = '<script>alert("x")</script>';
const pathOf = (url: string) => new URL(url).pathname;

describeEngines('hosted pages', (ctx) => {
  let gw: TestGateway;
  let m: Merchant;

  const createInvoice = async (over: Record<string, unknown> = {}) => {
    const res = await gw.call({
      url: '/api/v1/invoice',
      as: m,
      payload: payableInvoice(m.merchantCode, over),
    });
    expect(res.status).toBe(200);
    return res.body.response as { id: number; url: string; access_key: string };
  };

  const visits = async (id: number) => (await ctx.db.executeSql('SELECT visited_count FROM invoices WHERE id = $1', [id])).rows[0].visited_count;
  const transactionCount = async () => Number((await ctx.db.executeSql('SELECT count(*)::int AS n FROM transactions')).rows[0].n);

  beforeAll(async () => {
    gw = await startGateway(ctx.db, { now: '2026-11-21T09:00:00Z' });
    m = await gw.newMerchant({ name: `Shop ${XSS}`, paymentMethods: [1, 2, 16] });
  });
  afterAll(() => gw.close());

  it('the invoice page: UTF-8 HTML with strict headers, only allowed methods, every GET counted as a visit', async () => {
    const inv = await createInvoice({ allocatePayType: '1', description: 'Rent for November' });
    expect(await visits(inv.id)).toBeNull();
    const customer = createCustomer(gw.app);
    const page = await customer.get(pathOf(inv.url));
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['referrer-policy']).toBe('same-origin');
    expect(page.html).toMatch(/^<!doctype html>/i);
    expect(page.html).toContain('<meta charset="utf-8"');
    expect(page.html).toContain('12.500');
    expect(page.html).toContain('Rent for November');
    // No reference of the merchant's: the heading says what it is; the token is in the details.
    expect(page.html).toMatch(/<h1[^>]*>Invoice<\/h1>/);
    expect(page.html).not.toContain('<script');
    expect(page.html.match(/name="method"/g)).toHaveLength(1);
    expect(page.html).toContain('value="1"');
    expect(page.csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(customer.cookie).toMatch(/^fawtara_csrf=/);
    await customer.get(pathOf(inv.url));
    await customer.get(pathOf(inv.url), 'HEAD');
    expect(await visits(inv.id)).toBe(2);
  });

  it('Arabic: right to left with Arabic labels; Arabic-Indic digits only when the merchant chose them', async () => {
    const inv = await createInvoice({ language: 'ar' });
    const customer = createCustomer(gw.app);
    const ar = await customer.get(pathOf(inv.url));
    expect(ar.html).toMatch(/<html[^>]*lang="ar"[^>]*dir="rtl"|<html[^>]*dir="rtl"[^>]*lang="ar"/);
    expect(ar.html).toContain('12.500');
    expect(ar.html).toContain(`href="${pathOf(inv.url)}?lang=en"`);
    const en = await customer.get(`${pathOf(inv.url)}?lang=en`);
    expect(en.html).toMatch(/<html[^>]*lang="en"/);

    await ctx.db.executeSql("UPDATE merchants SET page_digits = 'arab' WHERE code = $1", [m.merchantCode]);
    try {
      const indic = await customer.get(pathOf(inv.url));
      expect(indic.html).toContain('١٢٫٥٠٠');
      expect(indic.html).not.toContain('>12.500');
    } finally {
      await ctx.db.executeSql("UPDATE merchants SET page_digits = 'latn' WHERE code = $1", [m.merchantCode]);
    }
  });

  it('merchant and customer text is escaped everywhere it is shown', async () => {
    const inv = await createInvoice({ customerName: `Fahad ${XSS}`, description: XSS, referenceNumber: 'R<b>1</b>', allocatePayType: '16' });
    const customer = createCustomer(gw.app);
    const page = await customer.get(pathOf(inv.url));
    expect(page.html).not.toContain(XSS);
    expect(page.html).not.toContain('<b>1</b>');
    expect(page.html).toContain('Fahad &lt;script>');
    // The merchant's name (set to contain a script tag in beforeAll) too.
    expect(page.html).toContain('Shop &lt;script>');
    const paidInvoice = await customer.payInvoice(pathOf(inv.url), 16, {});
    const invoiceReceipt = await customer.get(paidInvoice.location!);
    expect(invoiceReceipt.html).toContain('Fahad &lt;script>');
    expect(invoiceReceipt.html).not.toContain(XSS);

    const oi = await gw.call({
      url: '/api/v1/open-invoice',
      as: m,
      payload: { merchantCode: m.merchantCode, title: `Gift ${XSS}`, amountType: '0', fixAmount: '5.000' },
    });
    const oiPath = pathOf(oi.body.response.url);
    const checkout = await customer.get(oiPath);
    expect(checkout.html).not.toContain(XSS);
    // A name with markup is refused as a name; one that passes is still only text.
    const refused = await customer.payOpenInvoice(oiPath, { customerName: XSS, customerMobile: '55551234', method: '16' }, {});
    expect(refused.status).toBe(422);
    expect(refused.html).not.toContain(XSS);
    const paid = await customer.payOpenInvoice(oiPath, { customerName: 'Sara & Co (Q8)', customerMobile: '55551234', method: '16' }, {});
    expect(paid.status).toBe(303);
    const receipt = await customer.get(paid.location!);
    expect(receipt.html).toContain('Sara &amp; Co (Q8)');
    expect(receipt.html).not.toContain(XSS);
  });

  it('forms need this browser’s CSRF token and a same-site request; refusals record nothing', async () => {
    const inv = await createInvoice();
    const path = pathOf(inv.url);
    const customer = createCustomer(gw.app);
    const page = await customer.get(path);
    const before = await transactionCount();

    const noToken = await customer.post(`${path}/pay`, { lang: 'en', method: '1', ...KNET_OK });
    expect(noToken.status).toBe(403);
    expect(noToken.html).toContain(`href="${path}?lang=en"`);
    const forged = await customer.post(`${path}/pay`, { csrf: 'A'.repeat(43), lang: 'en', method: '1', ...KNET_OK });
    expect(forged.status).toBe(403);
    const crossSite = await customer.post(`${path}/method`, { csrf: page.csrf, lang: 'en', method: '1' }, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    const foreignOrigin = await customer.post(`${path}/method`, { csrf: page.csrf, lang: 'en', method: '1' }, { origin: 'https://evil.example' });
    expect(foreignOrigin.status).toBe(403);
    // Another browser's token does not fit this browser's cookie.
    const stranger = createCustomer(gw.app);
    await stranger.get(path);
    const stolen = await stranger.post(`${path}/method`, { csrf: page.csrf, lang: 'en', method: '1' });
    expect(stolen.status).toBe(403);
    expect(await transactionCount()).toBe(before);

    const sameOrigin = await customer.post(`${path}/method`, { csrf: page.csrf, lang: 'en', method: '1' }, { origin: TEST_BASE_URL });
    expect(sameOrigin.status).toBe(200);
  });

  it('paid, cancelled and expired invoices show their state and offer no payment', async () => {
    const customer = createCustomer(gw.app);
    const paid = await createInvoice({ allocatePayType: '16' });
    expect((await customer.payInvoice(pathOf(paid.url), 16, {})).status).toBe(303);
    const paidPage = await customer.get(pathOf(paid.url));
    expect(paidPage.html).not.toContain('name="method"');
    expect(paidPage.html).toMatch(/href="\/receipt\/[A-Za-z0-9_-]+/);

    const cancelled = await createInvoice();
    const token = (await ctx.db.executeSql('SELECT token FROM invoices WHERE id = $1', [cancelled.id])).rows[0].token;
    expect((await gw.call({ method: 'PUT', url: `/api/v1/invoice/${token}`, as: m, payload: { merchantCode: m.merchantCode, statusId: '3' } })).status).toBe(
      200,
    );
    expect((await customer.get(pathOf(cancelled.url))).html).not.toContain('name="method"');

    const expired = await createInvoice({ expiresAt: '2026-11-21' });
    gw.clock.set('2026-11-22T06:00:00Z');
    try {
      const page = await customer.get(pathOf(expired.url));
      expect(page.status).toBe(200);
      expect(page.html).not.toContain('name="method"');
    } finally {
      gw.clock.set('2026-11-21T09:00:00Z');
    }
  });

  it('card numbers, PINs and CVVs never reach the log, whatever the outcome', async () => {
    const lines: string[] = [];
    const logged = await startGateway(ctx.db, { now: '2026-11-21T09:00:00Z', logLines: lines });
    try {
      const merchant = await logged.newMerchant({ paymentMethods: [1, 2] });
      const res = await logged.call({
        url: '/api/v1/invoice',
        as: merchant,
        payload: payableInvoice(merchant.merchantCode),
      });
      const path = pathOf(res.body.response.url);
      const customer = createCustomer(logged.app);
      const secrets = { cardNumber: '4012001037141112', cvv: '207', pin: '9876' };
      expect((await customer.payInvoice(path, 2, { ...secrets, expiryMonth: '11', expiryYear: '25', nameOnCard: 'A B' })).status).toBe(303); // declined
      expect(
        (await customer.payInvoice(path, 2, { ...secrets, cardNumber: '4012001037141113', expiryMonth: '12', expiryYear: '25', nameOnCard: 'A B' })).status,
      ).toBe(422); // refused form
      expect((await customer.payInvoice(path, 1, { ...KNET_OK, pin: secrets.pin })).status).toBe(303); // KNET refusal
      expect((await customer.payInvoice(path, 2, { ...secrets, expiryMonth: '12', expiryYear: '25', nameOnCard: 'A B' })).status).toBe(303); // paid
      expect(lines.length).toBeGreaterThan(10);
      const log = lines.join('');
      // A 4-digit PIN alone could occur inside any timestamp or id: look for it as a value.
      for (const secret of ['4012001037141112', '4012001037141113', '8888880000000001', 'cvv', 'pin', '"9876"', '=9876']) expect(log).not.toContain(secret);
    } finally {
      await logged.close();
    }
  });

  it('unknown links answer 404 pages without touching anything', async () => {
    const customer = createCustomer(gw.app);
    for (const url of [
      '/s/AAAAAAAAAAAAAAAAAAAAAAAA',
      '/s/short',
      '/open-invoice/checkout/AAAAAAAAAAAAAAAAAAAAAAAA',
      '/receipt/AAAAAAAAAAAAAAAAAAAAAAAA',
      '/s/AAAAAAAAAAAAAAAAAAAAAAAA/qr.png',
    ]) {
      const res = await customer.get(url);
      expect(res.status, url).toBe(404);
      expect(res.headers['content-type'], url).toBe('text/html; charset=utf-8');
    }
  });

  it('QR codes of the link as SVG and PNG; the PNG decodes to the link', async () => {
    const inv = await createInvoice();
    const customer = createCustomer(gw.app);
    const svg = await gw.app.inject({ method: 'GET', url: `${pathOf(inv.url)}/qr.svg` });
    expect(svg.statusCode).toBe(200);
    expect(svg.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    expect(svg.body).toMatch(/^<svg/);
    const png = await gw.app.inject({ method: 'GET', url: `${pathOf(inv.url)}/qr.png` });
    expect(png.headers['content-type']).toBe('image/png');
    const image = PNG.sync.read(png.rawPayload);
    const decoded = jsQR.default(new Uint8ClampedArray(image.data), image.width, image.height);
    expect(decoded?.data).toBe(inv.url);
    expect(await visits(inv.id)).toBeNull();
    expect((await customer.get(`${pathOf(inv.url)}`)).html).toContain(`${pathOf(inv.url)}/qr.svg`);
  });

  it('the stylesheet is cacheable forever under its hash, and a page with it stays under 50 KB', async () => {
    const css = await gw.app.inject({ method: 'GET', url: STYLESHEET.href });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.headers['cache-control']).toContain('immutable');
    const again = await gw.app.inject({ method: 'GET', url: STYLESHEET.href, headers: { 'if-none-match': String(css.headers.etag) } });
    expect(again.statusCode).toBe(304);
    const inv = await createInvoice({
      description: 'x'.repeat(500),
      itemsList: Array.from({ length: 20 }, (_, i) => ({ itemTitle: `Item ${i + 1}`, rate: '1.000', quantity: '1', amount: '1.000' })),
      amount: '20.000',
    });
    const page = await createCustomer(gw.app).get(pathOf(inv.url));
    expect(page.status).toBe(200);
    expect(Buffer.byteLength(page.html) + Buffer.byteLength(css.body)).toBeLessThan(50 * 1024);
  });
});

describe('method choice', () => {
  it('shows one Apple Pay choice for the six Apple Pay routes, keeping every other method in order', () => {
    expect(methodOptions([1, 9, 2, 10, 11, 16, 12])).toEqual([
      { code: 1, flow: 'knet' },
      { code: 9, flow: 'wallet' },
      { code: 2, flow: 'card' },
      { code: 16, flow: 'wallet' },
    ]);
    expect(methodOptions([13, 7])).toEqual([
      { code: 13, flow: 'wallet' },
      { code: 7, flow: 'card' },
    ]);
  });
});
