import type { TokenSet } from './auth.ts';
import { Core, type ApiCall, type ClientOptions } from './core.ts';
import { Invoices } from './resources/invoices.ts';
import { OpenInvoices } from './resources/open-invoices.ts';
import { ProfileResource } from './resources/profile.ts';
import { Transactions } from './resources/transactions.ts';
import { Webhooks } from './resources/webhooks.ts';

/**
 * The Fawtara / Hesabe merchant API client. Works against a Fawtara server and against Hesabe
 * itself (same wire): pick an `environment` preset or give `baseUrl` (and, for Hesabe's
 * separate payment-gateway host, `gatewayUrl`).
 *
 * It logs in lazily with username/password, refreshes the token before it expires (one
 * refresh however many calls wait), encrypts every payload, reads every reply framing,
 * retries only what is safe, and throws one error family (FawtaraError and subclasses).
 *
 * @example
 * import { Client } from '@fawtara/sdk';
 *
 * const client = new Client({
 *   environment: 'local',                 // or 'hesabe-sandbox', 'hesabe-production', or baseUrl: '…'
 *   merchantCode: '842217',
 *   accessCode: 'c333729b-d060-4b74-a49d-7686a8353481',
 *   secretKey: 'PkW64zMe5NVdrlPVNnjo2Jy9nOb7v1Xg',
 *   iv: '5NVdrlPVNnjo2Jy9',
 *   username: 'test',
 *   password: 'Test@1234',
 * });
 * const invoice = await client.invoices.create({
 *   amount: '12.500', customerName: 'Fatima', mobileNumber: '66666666', countryCode: '965',
 *   invoiceType: '0', invoiceSubType: '3', allocatePayType: '1,2', expiresAt: '2026-12-31',
 * });
 * for await (const inv of client.invoices.listAll({ perPage: 100 })) console.log(inv.reference_number, inv.status);
 */
export class Client {
  /** Single invoices and installment plans. */
  readonly invoices: Invoices;
  /** Reusable payment links. */
  readonly openInvoices: OpenInvoices;
  /** The merchant's profile. */
  readonly profile: ProfileResource;
  /** Transaction enquiry (payment gateway). */
  readonly transactions: Transactions;
  /** Webhook verification and management. */
  readonly webhooks: Webhooks;
  private readonly core: Core;

  /**
   * @throws TypeError for a missing baseUrl/environment, merchantCode or accessCode, or keys of
   * the wrong length (secret key 32 bytes, IV 16 bytes).
   */
  constructor(options: ClientOptions) {
    this.core = new Core(options);
    this.invoices = new Invoices(this.core);
    this.openInvoices = new OpenInvoices(this.core);
    this.profile = new ProfileResource(this.core);
    this.transactions = new Transactions(this.core);
    this.webhooks = new Webhooks(this.core);
  }

  /** The merchant API origin in use. */
  get baseUrl(): string {
    return this.core.baseUrl;
  }

  /** The payment gateway origin in use (transaction enquiry). */
  get gatewayUrl(): string {
    return this.core.gatewayUrl;
  }

  /** The merchant code every payload carries. */
  get merchantCode(): string {
    return this.core.merchantCode;
  }

  /**
   * The current session, to store and pass back as `ClientOptions.tokens` later; undefined
   * before the first call.
   *
   * @example
   * await client.profile.get();
   * writeFileSync(sessionFile, JSON.stringify(client.tokens()));
   */
  tokens(): TokenSet | undefined {
    return this.core.tokens.current();
  }

  /**
   * Logs in now (calls log in by themselves when needed): checks the credentials early.
   *
   * @throws AuthenticationError for a wrong username or password.
   * @example
   * await client.login(); // fails fast on bad credentials
   */
  async login(): Promise<TokenSet> {
    return this.core.tokens.login();
  }

  /**
   * A raw merchant-API call through the same machinery (envelope, session, retries, errors),
   * for endpoints the SDK does not wrap yet. Returns the decrypted result (`response`/`data`).
   *
   * @example
   * const refunds = await client.request({ method: 'GET', path: '/api/v1/refund/', query: { page: 1 } });
   */
  request(call: ApiCall): Promise<unknown> {
    return this.core.api(call);
  }
}
