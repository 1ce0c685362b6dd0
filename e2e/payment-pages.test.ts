import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../packages/server/src/test-support/engines.ts';
import type { Database } from '../packages/server/src/db/database.ts';
import { HAVE_CHROMIUM, CHROMIUM, launchBrowser, sandboxMerchant, screenshot, startServer } from './browser.ts';

/**
 * The customer's side, in Chromium: customers pay invoices by KNET and by card in English and
 * Arabic, a declined card then an approved one, an expired invoice, an open invoice paid twice
 * and an amount outside its limits, and the QR code on the page decodes to the link.
 * No JavaScript runs on these pages; the browser submits plain forms.
 */
if (!HAVE_CHROMIUM) {
  console.warn(`\n*** Browser tests SKIPPED: no Chromium at ${CHROMIUM} (apt-get install -y chromium) ***\n`);
}

const KNET = { bank: 'NBK', cardNumber: '8888880000000001', expiryMonth: '09', expiryYear: '25', pin: '1234' };
const VISA = { cardNumber: '4012001037141112', expiryMonth: '12', expiryYear: '25', cvv: '207', nameOnCard: 'Test Customer' };

describe.skipIf(!HAVE_CHROMIUM)('customer payment pages in Chromium', () => {
  let database: Database;
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let merchant: Awaited<ReturnType<typeof sandboxMerchant>>;

  const merchantCall = (url: string, payload: Record<string, unknown>) => merchant.call(url, payload);
  const createInvoice = (over: Record<string, unknown> = {}) => merchant.invoice(over);

  async function fillKnet(card = KNET) {
    await page.selectOption('select[name=bank]', card.bank);
    await page.fill('input[name=cardNumber]', card.cardNumber);
    await page.selectOption('select[name=expiryMonth]', card.expiryMonth);
    await page.selectOption('select[name=expiryYear]', card.expiryYear);
    await page.fill('input[name=pin]', card.pin);
  }

  async function fillCard(card = VISA) {
    await page.fill('input[name=cardNumber]', card.cardNumber);
    await page.selectOption('select[name=expiryMonth]', card.expiryMonth);
    await page.selectOption('select[name=expiryYear]', card.expiryYear);
    await page.fill('input[name=cvv]', card.cvv);
    await page.fill('input[name=nameOnCard]', card.nameOnCard);
  }

  /** Chooses a method on the invoice or checkout page and submits the choice. */
  async function chooseMethod(code: number) {
    await page.check(`input[name=method][value="${code}"]`);
    await Promise.all([page.waitForLoadState('load'), page.click('form button[type=submit]')]);
  }

  async function submitPayment() {
    await Promise.all([page.waitForURL(/\/receipt\//), page.click('form button[type=submit]')]);
  }

  const dbStatus = async (id: number) => (await database.executeSql('SELECT status FROM invoices WHERE id = $1', [id])).rows[0].status;

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    server = await startServer(database, '2026-11-21T09:00:00Z');
    merchant = await sandboxMerchant(server.baseUrl);
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await database?.close();
  });

  beforeEach(async () => {
    await context?.close();
    // A phone-sized screen: the pages are built for it.
    context = await browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
    page = await context.newPage();
    server.clock.set('2026-11-21T09:00:00Z');
  });

  for (const lang of ['en', 'ar'] as const) {
    it(`pays an invoice by KNET in ${lang === 'en' ? 'English' : 'Arabic'}`, async () => {
      const inv = await createInvoice({ language: lang });
      await page.goto(inv.url);
      expect(await page.getAttribute('html', 'dir')).toBe(lang === 'ar' ? 'rtl' : 'ltr');
      expect(await page.textContent('body')).toContain('12.500');
      expect(await page.textContent('body')).toContain('Books');
      await screenshot(page, `invoice-${lang}`);
      await chooseMethod(1);
      await fillKnet();
      await screenshot(page, `knet-form-${lang}`);
      await submitPayment();
      await screenshot(page, `knet-success-${lang}`);
      expect(await page.textContent('body')).toContain('888888******0001');
      expect(await dbStatus(inv.id)).toBe('paid');
      // The invoice now says so and takes no payment.
      await page.goto(inv.url);
      expect(await page.locator('input[name=method]').count()).toBe(0);
    });

    it(`pays an invoice by card in ${lang === 'en' ? 'English' : 'Arabic'}`, async () => {
      const inv = await createInvoice();
      await page.goto(`${inv.url}?lang=${lang}`);
      expect(await page.getAttribute('html', 'lang')).toBe(lang);
      await chooseMethod(2);
      await fillCard();
      await screenshot(page, `card-form-${lang}`);
      await submitPayment();
      await screenshot(page, `card-success-${lang}`);
      expect(await page.textContent('body')).toContain('401200******1112');
      expect(await dbStatus(inv.id)).toBe('paid');
    });
  }

  it('a declined card, then an approved one', async () => {
    const inv = await createInvoice();
    await page.goto(inv.url);
    await chooseMethod(2);
    await fillCard({ ...VISA, expiryMonth: '11' });
    await submitPayment();
    await screenshot(page, 'card-declined');
    expect(await dbStatus(inv.id)).toBe('pending');
    // The failure page leads back to the invoice.
    await Promise.all([page.waitForURL((u) => u.pathname === new URL(inv.url).pathname), page.click(`a[href^="${new URL(inv.url).pathname}"]`)]);
    await chooseMethod(2);
    await fillCard();
    await submitPayment();
    expect(await dbStatus(inv.id)).toBe('paid');
    const attempts = (await database.executeSql('SELECT status FROM transactions WHERE invoice_id = $1 ORDER BY id', [inv.id])).rows.map((r) => r.status);
    expect(attempts).toEqual(['FAILED', 'SUCCESSFUL']);
  });

  it('an expired invoice refuses payment, even from a card form opened before it expired', async () => {
    const inv = await createInvoice({ expiresAt: '2026-11-21' });
    await page.goto(inv.url);
    await chooseMethod(1);
    await fillKnet();
    // Midnight in Kuwait: the invoice expires while the customer types.
    server.clock.set('2026-11-21T21:00:00Z');
    await Promise.all([page.waitForLoadState('load'), page.click('form button[type=submit]')]);
    await screenshot(page, 'expired-refused');
    expect(page.url()).not.toContain('/receipt/');
    expect(await dbStatus(inv.id)).toBe('pending');
    await page.goto(inv.url);
    expect(await page.locator('input[name=method]').count()).toBe(0);
    await screenshot(page, 'expired-invoice');
    expect((await database.executeSql('SELECT count(*)::int AS n FROM transactions WHERE invoice_id = $1', [inv.id])).rows[0].n).toBe(0);
  });

  it('an open invoice paid twice with different amounts; an amount outside its limits is refused', async () => {
    const oi = (await merchantCall('/api/v1/open-invoice', {
      title: 'Charity drive',
      amountType: '1',
      minAmount: '1.000',
      maxAmount: '50.000',
      description: 'Any amount helps',
    })) as {
      id: number;
      url: string;
    };
    const pay = async (amount: string, name: string) => {
      await page.goto(oi.url);
      await page.fill('input[name=amount]', amount);
      await page.fill('input[name=customerName]', name);
      await page.fill('input[name=customerMobile]', '55551234');
      await chooseMethod(1);
    };
    await pay('75', 'Too Generous');
    expect(page.url()).not.toContain('/receipt/');
    expect(await page.getAttribute('input[name=amount]', 'aria-invalid')).toBe('true');
    await screenshot(page, 'open-invoice-over-limit');

    await pay('5.250', 'Yousef');
    await fillKnet();
    await submitPayment();
    await pay('20', 'Maryam');
    await fillKnet();
    await submitPayment();
    await screenshot(page, 'open-invoice-second-payment');
    const row = (await database.executeSql('SELECT total_paid, paid_count FROM open_invoices WHERE id = $1', [oi.id])).rows[0];
    expect(row).toEqual({ total_paid: 25250n, paid_count: 2 });
  });

  it('the QR code on the checkout page decodes to the link', async () => {
    const oi = (await merchantCall('/api/v1/open-invoice', { title: 'Menu', amountType: '0', fixAmount: '3.500' })) as { url: string };
    await page.goto(oi.url);
    const qr = page.locator(`img[src$="/qr.svg"]`);
    await qr.scrollIntoViewIfNeeded();
    const shot = PNG.sync.read(await qr.screenshot());
    const decoded = jsQR.default(new Uint8ClampedArray(shot.data), shot.width, shot.height);
    expect(decoded?.data).toBe(oi.url);
  });
});
