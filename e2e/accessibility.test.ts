import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../packages/server/src/db/database.ts';
import { createTestDatabase } from '../packages/server/src/test-support/engines.ts';
import { HAVE_CHROMIUM, launchBrowser, sandboxMerchant, screenshot, startServer } from './browser.ts';

/**
 * Every customer page, in English and Arabic, checked by axe-core (WCAG 2.1 A and AA rules:
 * labels, contrast, landmarks, lang, names of controls) in Chromium at phone width. The pages
 * themselves run no script; the check injects axe, so this context enables JavaScript and
 * bypasses our CSP for that one injected script.
 */
const AXE_SOURCE = (await import('node:fs')).readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const KNET = { bank: 'NBK', cardNumber: '8888880000000001', expiryMonth: '09', expiryYear: '25', pin: '1234' };

interface Violation {
  id: string;
  impact: string;
  help: string;
  nodes: Array<{ target: string[] }>;
}

describe.skipIf(!HAVE_CHROMIUM)('accessibility of the customer pages (axe-core, WCAG 2.1 AA)', () => {
  let database: Database;
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let page: Page;
  let merchant: Awaited<ReturnType<typeof sandboxMerchant>>;

  async function violations(name: string): Promise<string[]> {
    await page.addScriptTag({ content: AXE_SOURCE });
    const { found, passed } = (await page.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: unknown[]; passes: unknown[] }> } }).axe;
      const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
      return { found: result.violations, passed: result.passes.length };
    })) as { found: Violation[]; passed: number };
    // axe really looked: labels, contrast, lang, landmarks… each passing rule is counted.
    expect(passed, name).toBeGreaterThan(15);
    if (found.length > 0) await screenshot(page, `a11y-${name}`);
    return found.map((v) => `${name}: ${v.id} (${v.impact}) ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    server = await startServer(database, '2026-11-21T09:00:00Z');
    merchant = await sandboxMerchant(server.baseUrl);
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, bypassCSP: true });
    page = await context.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await database?.close();
  });

  for (const lang of ['en', 'ar'] as const) {
    it(`invoice, payment forms, receipts and errors pass in ${lang}`, async () => {
      const problems: string[] = [];
      const inv = await merchant.invoice({ allocatePayType: '1,2,9', referenceNumber: `A11Y-${lang}` });
      await page.goto(`${inv.url}?lang=${lang}`);
      problems.push(...(await violations(`invoice-${lang}`)));

      for (const method of ['2', '9', '1']) {
        await page.goto(`${inv.url}?lang=${lang}`);
        await page.check(`input[name=method][value="${method}"]`);
        await Promise.all([page.waitForLoadState('load'), page.click('form button[type=submit]')]);
        problems.push(...(await violations(`payment-form-${method}-${lang}`)));
      }
      // A refused KNET form (wrong card number) shows its errors.
      await page.fill('input[name=cardNumber]', '1234');
      await Promise.all([page.waitForLoadState('load'), page.click('form button[type=submit]')]);
      problems.push(...(await violations(`payment-form-errors-${lang}`)));

      // A declined KNET payment, then the receipt of a good one.
      await page.selectOption('select[name=bank]', KNET.bank);
      await page.fill('input[name=cardNumber]', KNET.cardNumber);
      await page.selectOption('select[name=expiryMonth]', '10');
      await page.selectOption('select[name=expiryYear]', KNET.expiryYear);
      await page.fill('input[name=pin]', KNET.pin);
      await Promise.all([page.waitForURL(/\/receipt\//), page.click('form button[type=submit]')]);
      problems.push(...(await violations(`receipt-failed-${lang}`)));
      await page.goto(`${inv.url}?lang=${lang}`);
      await page.check('input[name=method][value="9"]');
      await Promise.all([page.waitForLoadState('load'), page.click('form button[type=submit]')]);
      await Promise.all([page.waitForURL(/\/receipt\//), page.click('form button[type=submit]')]);
      problems.push(...(await violations(`receipt-paid-${lang}`)));
      await page.goto(`${inv.url}?lang=${lang}`);
      problems.push(...(await violations(`invoice-paid-${lang}`)));

      const oi = await merchant.call<{ url: string }>('/api/v1/open-invoice', {
        title: 'Donations',
        amountType: '1',
        minAmount: '1.000',
        maxAmount: '50.000',
        description: 'Thank you',
      });
      await page.goto(`${oi.url}?lang=${lang}`);
      problems.push(...(await violations(`checkout-${lang}`)));
      await Promise.all([page.waitForLoadState('load'), page.click('form button[type=submit]')]);
      problems.push(...(await violations(`checkout-errors-${lang}`)));

      await page.goto(`${server.baseUrl}/s/AAAAAAAAAAAAAAAAAAAAAAAA?lang=${lang}`);
      problems.push(...(await violations(`not-found-${lang}`)));
      expect(problems).toEqual([]);
    });
  }
});
