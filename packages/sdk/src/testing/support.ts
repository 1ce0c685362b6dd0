/**
 * Test support for the SDK's suites (not exported by the package): a real Fawtara listening on
 * loopback, a client for one of its merchants, and a fetch that records what goes over the wire.
 */
import type { AddressInfo } from 'node:net';
import { payableInvoice } from '../../../server/src/test-support/customer.ts';
import type { TestGateway } from '../../../server/src/test-support/gateway.ts';
import { Client } from '../client.ts';
import type { ClientOptions } from '../core.ts';
import type { InstallmentParams, InvoiceCreateParams } from '../types.ts';

export type TestMerchant = Awaited<ReturnType<TestGateway['newMerchant']>>;

/**
 * Puts the gateway on 127.0.0.1:<free port>; returns its origin.
 *
 * @example
 * const baseUrl = await listen(await startGateway(ctx.db)); // 'http://127.0.0.1:43127'
 */
export async function listen(gw: TestGateway): Promise<string> {
  await gw.app.listen({ port: 0, host: '127.0.0.1' });
  const address = gw.app.server.address() as AddressInfo;
  return `http://127.0.0.1:${address.port}`;
}

export interface SentRequest {
  method: string;
  path: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
  status?: number;
}

/**
 * A fetch that records every request (and its reply status) before passing it to `inner`
 * (the real fetch by default). `intercept` may answer instead (return a Response) or throw.
 *
 * @example
 * const wire = recordingFetch();
 * const client = clientFor(baseUrl, merchant, { fetch: wire.fetch });
 * await client.profile.get();
 * wire.count('POST', '/api/v1/login'); // 1
 */
export function recordingFetch(
  intercept?: (req: SentRequest, n: number) => Promise<Response | undefined> | Response | undefined,
  inner: typeof fetch = globalThis.fetch,
): { fetch: typeof fetch; sent: SentRequest[]; count(method: string, path: string): number } {
  const sent: SentRequest[] = [];
  const wrapped: typeof fetch = async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, key) => (headers[key] = value));
    const req: SentRequest = {
      method: init?.method ?? 'GET',
      path: url.pathname,
      url: url.href,
      headers,
      body: typeof init?.body === 'string' ? init.body : undefined,
    };
    sent.push(req);
    const answer = intercept ? await intercept(req, sent.length) : undefined;
    const res = answer ?? (await inner(input, init));
    req.status = res.status;
    return res;
  };
  return {
    fetch: wrapped,
    sent,
    count: (method, path) => sent.filter((r) => r.method === method && (r.path === path || r.path.replace(/\/$/, '') === path)).length,
  };
}

/**
 * A client for `m` on the gateway at `baseUrl` (short retry backoff).
 *
 * @example
 * const client = clientFor(baseUrl, await gw.newMerchant(), { maxRetries: 0 });
 */
export function clientFor(baseUrl: string, m: TestMerchant, over: Partial<ClientOptions> = {}): Client {
  return new Client({
    baseUrl,
    merchantCode: m.merchantCode,
    accessCode: m.accessCode,
    secretKey: m.issued.secretKey,
    iv: m.issued.iv,
    username: m.issued.username,
    password: m.issued.password,
    retryBaseDelayMs: 5,
    ...over,
  });
}

/**
 * A payable URL-only invoice of 12.500 KWD, as the SDK takes it: the server suites' own
 * (`payableInvoice`) without the merchantCode the client adds.
 *
 * @example
 * await client.invoices.create(invoiceParams({ amount: 5000n }));
 */
export function invoiceParams(over: Partial<InvoiceCreateParams> = {}): InvoiceCreateParams {
  const { merchantCode: _, ...params } = payableInvoice('', over);
  return params as InvoiceCreateParams;
}

/**
 * One installment (a reference number is required), otherwise as {@link invoiceParams}.
 *
 * @example
 * await client.invoices.createInstallments({ invoices: [installmentParams('P/1'), installmentParams('P/2')] });
 */
export function installmentParams(referenceNumber: string, over: Partial<InvoiceCreateParams> = {}): InstallmentParams {
  return { ...invoiceParams(over), referenceNumber };
}
