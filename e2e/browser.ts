import { existsSync } from 'node:fs';
import { freePort } from '../packages/server/src/test-support/free-port.ts';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createCodec } from '@fawtara/wire';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildApp } from '../packages/server/src/app.ts';
import { createServices } from '../packages/server/src/composition.ts';
import type { Database } from '../packages/server/src/db/database.ts';
import { fixedClock } from '../packages/server/src/lib/clock.ts';
import { SANDBOX } from '../packages/server/src/modules/merchants/sandbox-credentials.ts';
import { payableInvoice } from '../packages/server/src/test-support/customer.ts';

/**
 * Real-browser test support: Debian's Chromium driven by playwright-core (never a downloaded
 * browser), against the gateway listening on a loopback port. Screenshots land in
 * test-results/screenshots/ as CI artifacts.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
export const SCREENSHOTS = path.resolve(import.meta.dirname, '..', 'test-results', 'screenshots');

// Without the background-networking flags Chromium keeps calling Google's hosts, which this
// machine's closed network refuses.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** The gateway on 127.0.0.1 with the sandbox merchant, its clock under the test's control. */
export async function startServer(database: Database, now: string) {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const clock = fixedClock(now);
  const services = await createServices({ database, clock, config: { publicBaseUrl: baseUrl, logLevel: 'silent', mode: 'sandbox' } });
  await services.merchants.ensureSandboxMerchant();
  const app = await buildApp(services, { publicBaseUrl: baseUrl, trustProxy: false });
  await app.listen({ port, host: '127.0.0.1' });
  return {
    app,
    baseUrl,
    clock,
    close: async () => {
      await app.close();
      await services.close();
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** The sandbox merchant's side over real HTTP, with the encrypted envelope. */
export async function sandboxMerchant(baseUrl: string) {
  const codec = createCodec({ secretKey: SANDBOX.secretKey, iv: SANDBOX.iv });
  const login = await fetch(`${baseUrl}/api/v1/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: SANDBOX.username, password: SANDBOX.password }),
  });
  const token = ((await login.json()) as { response: { token: { access_token: string } } }).response.token.access_token;

  /** POSTs an encrypted payload; returns the decrypted `response`, throwing on anything but 200. */
  async function call<T = any>(url: string, payload: Record<string, unknown>): Promise<T> {
    const res = await fetch(`${baseUrl}${url}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accesscode: SANDBOX.accessCode, authorization: `Bearer ${token}` },
      body: JSON.stringify({ data: codec.encrypt(JSON.stringify({ merchantCode: SANDBOX.merchantCode, ...payload })) }),
    });
    const body = JSON.parse(codec.decrypt(((await res.json()) as { response: string }).response));
    if (res.status !== 200) throw new Error(`${url}: ${res.status} ${JSON.stringify(body)}`);
    return body.response as T;
  }

  const invoice = (over: Record<string, unknown> = {}) =>
    call<{ id: number; url: string }>(
      '/api/v1/invoice',
      payableInvoice(SANDBOX.merchantCode, {
        customerName: 'Fatima Al-Kandari',
        description: 'November tuition',
        // Relative to the server's fixed clock, not to the day the tests run.
        expiresAt: '2026-12-31',
        itemsList: [
          { itemTitle: 'Tuition', rate: '10.000', quantity: '1', amount: '10.000' },
          { itemTitle: 'Books', rate: '1.250', quantity: '2', amount: '2.500' },
        ],
        ...over,
      }),
    );

  return { call, invoice };
}
