import { formatMoney } from '@fawtara/wire';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError, type AppError } from '../lib/app-error.ts';
import { formatTimestamp } from '../lib/merchant-time.ts';
import { qrPng, qrSvg } from '../lib/qr-code.ts';
import { invoicePageUrl } from '../modules/invoices/invoice-view.ts';
import { openInvoiceUrl } from '../modules/open-invoices/open-invoice-view.ts';
import { flowOf, type FailureReason, type FieldProblems, type PaymentCredentials } from '../modules/payments/payment-connector.ts';
import type { PageMerchant } from '../modules/payments/payments.repo.ts';
import {
  problemsOf,
  type InvoiceForCustomer,
  type OpenInvoiceForCustomer,
  type OpenInvoiceForm,
  type PaymentsService,
} from '../modules/payments/payments.service.ts';
import type { Csrf } from './csrf.ts';
import type { ErrorKind, Lang, MethodOption, PageChrome } from './page-models.ts';
import { renderCheckoutPage, renderErrorPage, renderInvoicePage, renderPaymentForm, renderResultPage, STYLESHEET } from './pages.ts';

/**
 * The customer's side (issue 4): the invoice page `/s/<key>`, the open-invoice checkout
 * `/open-invoice/checkout/<key>`, the method form, the payment post, the receipt, QR codes and
 * the stylesheet. HTTP only: the payments service decides, the templates draw.
 *
 * Each payment takes two posts, so that nothing needs JavaScript: choose a method (and for open
 * invoices the amount and contact details), then fill in that method's form. Every post carries
 * the CSRF token; the payment post ends in a 303 to the receipt, so a reload cannot pay twice.
 */
export interface PagesDeps {
  payments: PaymentsService;
  csrf: Csrf;
  publicBaseUrl: string;
}

// Public keys are 18 random bytes in base64url (24 characters); anything else is not a link of ours.
const KEY_RE = /^[A-Za-z0-9_-]{22,64}$/;

/** Strict headers for every hosted page (no framing, no scripts, forms only to ourselves). */
const PAGE_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  // Links carry their secret key: never send it to another site, but keep Origin on our own posts.
  'referrer-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

type Params = { key: string };
/** Customer pages are not part of the API description. */
const HIDDEN = { hide: true };
type FormBody = Record<string, unknown>;

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return '';
}

function langOf(value: unknown, fallback: Lang): Lang {
  const v = text(value);
  return v === 'ar' || v === 'en' ? v : fallback;
}

/** The card fields of the chosen method's form. Kept only for this request. */
function credentialsFrom(method: number, body: FormBody): PaymentCredentials {
  const flow = flowOf(method);
  if (flow === 'knet') {
    return { flow, bank: text(body.bank), cardNumber: text(body.cardNumber), expiryMonth: text(body.expiryMonth), expiryYear: text(body.expiryYear), pin: text(body.pin) };
  }
  if (flow === 'card') {
    return { flow, cardNumber: text(body.cardNumber), expiryMonth: text(body.expiryMonth), expiryYear: text(body.expiryYear), cvv: text(body.cvv), nameOnCard: text(body.nameOnCard) };
  }
  return { flow };
}

/** Fields a refused payment form may show again; never the card number, PIN or CVV. */
function echoable(body: FormBody): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of ['bank', 'expiryMonth', 'expiryYear', 'nameOnCard']) {
    const v = text(body[f]);
    if (v !== '') out[f] = v.slice(0, 100);
  }
  return out;
}

const APPLE_PAY = new Set([9, 10, 11, 12, 13, 14]);

/**
 * The methods a customer chooses from. The six Apple Pay codes differ only in how the gateway
 * routes the payment, so the customer sees one Apple Pay button (the first code allowed).
 */
export function methodOptions(codes: readonly number[]): MethodOption[] {
  let applePay = false;
  const out: MethodOption[] = [];
  for (const code of codes) {
    if (APPLE_PAY.has(code)) {
      if (applePay) continue;
      applePay = true;
    }
    out.push({ code, flow: flowOf(code) });
  }
  return out;
}

function parseMethod(value: unknown): number | undefined {
  const v = text(value);
  return /^\d{1,2}$/.test(v) ? Number(v) : undefined;
}

export function registerPageRoutes(app: FastifyInstance, deps: PagesDeps): void {
  const { payments, csrf } = deps;

  function chrome(merchant: PageMerchant, lang: Lang, path: string, title: string): PageChrome {
    return {
      lang,
      digits: merchant.page_digits,
      stylesheet: STYLESHEET.href,
      otherLanguageHref: `${path}?lang=${lang === 'ar' ? 'en' : 'ar'}`,
      merchantName: merchant.name,
      title,
    };
  }

  function html(reply: FastifyReply, status: number, body: string): FastifyReply {
    return reply.code(status).headers(PAGE_HEADERS).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);
  }

  function errorPage(reply: FastifyReply, status: number, kind: ErrorKind, lang: Lang, backHref: string | null, digits: 'latn' | 'arab' = 'latn'): FastifyReply {
    return html(reply, status, renderErrorPage({ lang, digits, stylesheet: STYLESHEET.href, kind, backHref }));
  }

  /** Maps a service refusal to its page; anything unexpected goes to the error handler. */
  function refusal(reply: FastifyReply, err: unknown, lang: Lang, backHref: string): FastifyReply {
    if (isAppError(err) && err.code === 'NOT_FOUND') return errorPage(reply, 404, 'not_found', lang, null);
    if (isAppError(err) && err.code === 'CONFLICT') return errorPage(reply, 409, err.reason === 'in_progress' ? 'in_progress' : 'not_payable', lang, backHref);
    throw err;
  }

  const isValidation = (err: unknown): err is AppError => isAppError(err) && err.code === 'VALIDATION_FAILED';

  /**
   * The start every form post shares: the link exists (else a 404 page), the page language,
   * and the CSRF check (else a 403 page offering to start again). Undefined once a page is sent.
   */
  async function startPost<T extends { merchant: PageMerchant }>(
    request: FastifyRequest<{ Params: Params; Body: FormBody }>,
    reply: FastifyReply,
    load: (key: string) => Promise<T | undefined>,
    defaultLang: (found: T) => Lang,
    path: string,
  ): Promise<{ found: T; lang: Lang; body: FormBody; back: string } | undefined> {
    const body = request.body ?? {};
    const { key } = request.params;
    const found = KEY_RE.test(key) ? await load(key) : undefined;
    if (!found) {
      errorPage(reply, 404, 'not_found', langOf(body.lang, 'en'), null);
      return undefined;
    }
    const lang = langOf(body.lang, defaultLang(found));
    const back = `${path}?lang=${lang}`;
    if (!csrf.verify(request, body.csrf)) {
      errorPage(reply, 403, 'session_expired', lang, back, found.merchant.page_digits);
      return undefined;
    }
    return { found, lang, body, back };
  }

  // ---------------------------------------------------------------- invoice

  function invoicePath(key: string) {
    return `/s/${key}`;
  }

  function invoicePage(request: FastifyRequest, reply: FastifyReply, found: InvoiceForCustomer, lang: Lang, status: number, errors: FieldProblems): FastifyReply {
    const { invoice, merchant } = found;
    const path = invoicePath(invoice.access_key);
    const payable = found.state === 'pending';
    return html(
      reply,
      status,
      renderInvoicePage({
        chrome: chrome(merchant, lang, path, invoice.reference_number ?? invoice.token),
        csrfToken: csrf.tokenFor(request, reply),
        methodAction: `${path}/method`,
        invoice: {
          reference: invoice.reference_number,
          token: invoice.token,
          amount: formatMoney(invoice.amount),
          currency: 'KWD',
          description: invoice.description,
          customerName: invoice.customer_name,
          expiresOn: invoice.expires_on,
          status: found.state,
          paidAt: invoice.paid_at ? formatTimestamp(invoice.paid_at, merchant.time_zone) : null,
          items: found.items.map((it) => ({ title: it.title, rate: formatMoney(it.rate), quantity: it.quantity, amount: formatMoney(it.amount) })),
          installment: found.installment,
        },
        methods: payable ? methodOptions(invoice.payment_methods) : [],
        receiptHref: found.paidBy ? `/receipt/${found.paidBy.receipt_key}?lang=${lang}` : null,
        qrSvgHref: `${path}/qr.svg`,
        errors,
      }),
    );
  }

  function invoicePaymentForm(request: FastifyRequest, reply: FastifyReply, found: InvoiceForCustomer, lang: Lang, method: number, status: number, values: Record<string, string>, errors: FieldProblems) {
    const { invoice, merchant } = found;
    const path = invoicePath(invoice.access_key);
    return html(
      reply,
      status,
      renderPaymentForm({
        chrome: chrome(merchant, lang, path, invoice.reference_number ?? invoice.token),
        csrfToken: csrf.tokenFor(request, reply),
        payAction: `${path}/pay`,
        backHref: `${path}?lang=${lang}`,
        method: { code: method, flow: flowOf(method) },
        amount: formatMoney(invoice.amount),
        hidden: { lang, method: String(method) },
        values,
        errors,
      }),
    );
  }

  app.get<{ Params: Params; Querystring: { lang?: string } }>('/s/:key', { schema: HIDDEN }, async (request, reply) => {
    const { key } = request.params;
    const found = KEY_RE.test(key) ? await payments.invoiceForCustomer(key, { countVisit: request.method === 'GET' }) : undefined;
    if (!found) return errorPage(reply, 404, 'not_found', langOf(request.query.lang, 'en'), null);
    return invoicePage(request, reply, found, langOf(request.query.lang, found.invoice.language), 200, {});
  });

  const loadInvoice = (key: string) => payments.invoiceForCustomer(key, { countVisit: false });

  app.post<{ Params: Params; Body: FormBody }>('/s/:key/method', { schema: HIDDEN }, async (request, reply) => {
    const post = await startPost(request, reply, loadInvoice, (f) => f.invoice.language, invoicePath(request.params.key));
    if (!post) return reply;
    const { found, lang, body } = post;
    if (found.state !== 'pending') return invoicePage(request, reply, found, lang, 409, {});
    const method = parseMethod(body.method);
    if (method === undefined) return invoicePage(request, reply, found, lang, 422, { method: 'required' });
    if (!found.invoice.payment_methods.includes(method)) return invoicePage(request, reply, found, lang, 422, { method: 'not_accepted' });
    return invoicePaymentForm(request, reply, found, lang, method, 200, {}, {});
  });

  app.post<{ Params: Params; Body: FormBody }>('/s/:key/pay', { schema: HIDDEN }, async (request, reply) => {
    const post = await startPost(request, reply, loadInvoice, (f) => f.invoice.language, invoicePath(request.params.key));
    if (!post) return reply;
    const { found, lang, body, back } = post;
    const method = parseMethod(body.method);
    if (method === undefined) return invoicePage(request, reply, found, lang, 422, { method: 'required' });
    try {
      const tx = await payments.payInvoice(request.params.key, method, credentialsFrom(method, body));
      return reply.redirect(`/receipt/${tx.receipt_key}?lang=${lang}`, 303);
    } catch (err) {
      if (isValidation(err)) {
        const problems = problemsOf(err);
        if (problems.method) return invoicePage(request, reply, found, lang, 422, { method: problems.method });
        return invoicePaymentForm(request, reply, found, lang, method, 422, echoable(body), problems);
      }
      return refusal(reply, err, lang, back);
    }
  });

  // ---------------------------------------------------------------- open invoice

  function checkoutPath(key: string) {
    return `/open-invoice/checkout/${key}`;
  }

  function checkoutPage(request: FastifyRequest, reply: FastifyReply, found: OpenInvoiceForCustomer, lang: Lang, status: number, form: OpenInvoiceForm, errors: FieldProblems) {
    const { openInvoice: oi, merchant } = found;
    const path = checkoutPath(oi.public_key);
    const active = found.state === 'active';
    const money = (v: bigint | null) => (v === null ? null : formatMoney(v));
    return html(
      reply,
      status,
      renderCheckoutPage({
        chrome: chrome(merchant, lang, path, oi.title),
        csrfToken: csrf.tokenFor(request, reply),
        methodAction: `${path}/method`,
        openInvoice: {
          title: oi.title,
          description: oi.description,
          amountType: oi.amount_type === 0 ? 'fixed' : 'open',
          fixedAmount: money(oi.fixed_amount),
          minAmount: money(oi.min_amount),
          maxAmount: money(oi.max_amount),
          expiryDate: oi.expiry_date,
          state: found.state,
        },
        methods: active ? methodOptions(merchant.payment_methods) : [],
        values: {
          amount: (form.amount ?? '').slice(0, 30),
          customerName: (form.customerName ?? '').slice(0, 100),
          customerMobile: (form.customerMobile ?? '').slice(0, 30),
          customerEmail: (form.customerEmail ?? '').slice(0, 254),
          method: (form.method ?? '').slice(0, 2),
        },
        errors,
        qrSvgHref: `${path}/qr.svg`,
      }),
    );
  }

  function openForm(body: FormBody): OpenInvoiceForm {
    return {
      amount: text(body.amount),
      customerName: text(body.customerName),
      customerMobile: text(body.customerMobile),
      customerEmail: text(body.customerEmail),
      method: text(body.method),
    };
  }

  const CHECKOUT_FIELDS = new Set(['amount', 'customerName', 'customerMobile', 'customerEmail', 'method']);

  app.get<{ Params: Params; Querystring: { lang?: string } }>('/open-invoice/checkout/:key', { schema: HIDDEN }, async (request, reply) => {
    const { key } = request.params;
    const found = KEY_RE.test(key) ? await payments.openInvoiceForCustomer(key) : undefined;
    if (!found) return errorPage(reply, 404, 'not_found', langOf(request.query.lang, 'en'), null);
    return checkoutPage(request, reply, found, langOf(request.query.lang, found.merchant.default_language), 200, {}, {});
  });

  /** The method form of an open invoice, carrying the accepted amount and contact details. */
  function openPaymentForm(
    request: FastifyRequest,
    reply: FastifyReply,
    found: OpenInvoiceForCustomer,
    lang: Lang,
    status: number,
    p: { method: number; amount: string; customer: Required<Pick<OpenInvoiceForm, 'customerName' | 'customerMobile' | 'customerEmail'>>; values: Record<string, string>; errors: FieldProblems },
  ) {
    const path = checkoutPath(found.openInvoice.public_key);
    return html(
      reply,
      status,
      renderPaymentForm({
        chrome: chrome(found.merchant, lang, path, found.openInvoice.title),
        csrfToken: csrf.tokenFor(request, reply),
        payAction: `${path}/pay`,
        backHref: `${path}?lang=${lang}`,
        method: { code: p.method, flow: flowOf(p.method) },
        amount: p.amount,
        hidden: { lang, method: String(p.method), amount: p.amount, ...p.customer },
        values: p.values,
        errors: p.errors,
      }),
    );
  }

  const loadOpenInvoice = (key: string) => payments.openInvoiceForCustomer(key);

  app.post<{ Params: Params; Body: FormBody }>('/open-invoice/checkout/:key/method', { schema: HIDDEN }, async (request, reply) => {
    const post = await startPost(request, reply, loadOpenInvoice, (f) => f.merchant.default_language, checkoutPath(request.params.key));
    if (!post) return reply;
    const { found, lang, body } = post;
    const form = openForm(body);
    if (found.state !== 'active') return checkoutPage(request, reply, found, lang, 409, form, {});
    let accepted;
    try {
      accepted = payments.acceptOpenInvoiceForm(found, form);
    } catch (err) {
      if (isValidation(err)) return checkoutPage(request, reply, found, lang, 422, form, problemsOf(err));
      throw err;
    }
    return openPaymentForm(request, reply, found, lang, 200, {
      method: accepted.method,
      amount: formatMoney(accepted.amount),
      customer: { customerName: accepted.customerName, customerMobile: accepted.customerMobile, customerEmail: accepted.customerEmail ?? '' },
      values: {},
      errors: {},
    });
  });

  app.post<{ Params: Params; Body: FormBody }>('/open-invoice/checkout/:key/pay', { schema: HIDDEN }, async (request, reply) => {
    const post = await startPost(request, reply, loadOpenInvoice, (f) => f.merchant.default_language, checkoutPath(request.params.key));
    if (!post) return reply;
    const { found, lang, body, back } = post;
    const form = openForm(body);
    const method = parseMethod(body.method);
    try {
      const tx = await payments.payOpenInvoice(request.params.key, form, credentialsFrom(method ?? 0, body));
      return reply.redirect(`/receipt/${tx.receipt_key}?lang=${lang}`, 303);
    } catch (err) {
      if (isValidation(err)) {
        const problems = problemsOf(err);
        // The amount and contact details were accepted one step earlier; a problem with them now
        // means the hidden fields were changed (a missing method is one of them): start again
        // from the checkout page.
        if (method === undefined || Object.keys(problems).some((f) => CHECKOUT_FIELDS.has(f))) return checkoutPage(request, reply, found, lang, 422, form, problems);
        return openPaymentForm(request, reply, found, lang, 422, {
          method,
          amount: form.amount!,
          customer: { customerName: form.customerName!, customerMobile: form.customerMobile!, customerEmail: form.customerEmail! },
          values: echoable(body),
          errors: problems,
        });
      }
      return refusal(reply, err, lang, back);
    }
  });

  // ---------------------------------------------------------------- receipt

  app.get<{ Params: Params; Querystring: { lang?: string } }>('/receipt/:key', { schema: HIDDEN }, async (request, reply) => {
    const { key } = request.params;
    const receipt = KEY_RE.test(key) ? await payments.receipt(key) : undefined;
    if (!receipt) return errorPage(reply, 404, 'not_found', langOf(request.query.lang, 'en'), null);
    const { transaction: tx, merchant } = receipt;
    const lang = langOf(request.query.lang, merchant.default_language);
    const back = receipt.link.kind === 'invoice' ? invoicePath(receipt.link.key) : checkoutPath(receipt.link.key);
    return html(
      reply,
      200,
      renderResultPage({
        chrome: chrome(merchant, lang, `/receipt/${key}`, receipt.title),
        outcome: tx.status === 'SUCCESSFUL' ? 'success' : 'failure',
        receipt: {
          paymentToken: tx.token,
          paymentId: tx.payment_id ?? '',
          trackId: tx.track_id,
          amount: formatMoney(tx.amount),
          method: tx.method,
          cardType: tx.card_type ?? '',
          maskedCard: tx.masked_card,
          datetime: formatTimestamp(tx.completed_at ?? tx.created_at, merchant.time_zone),
          reference: tx.reference_number,
          customerName: tx.customer_name,
        },
        reason: tx.status === 'SUCCESSFUL' ? null : ((tx.failure_reason ?? 'timed_out') as FailureReason),
        retryHref: tx.status !== 'SUCCESSFUL' && receipt.payable ? `${back}?lang=${lang}` : null,
      }),
    );
  });

  // ---------------------------------------------------------------- QR codes and stylesheet

  async function qr(reply: FastifyReply, link: string, format: 'svg' | 'png') {
    reply.headers(PAGE_HEADERS).header('cache-control', 'public, max-age=86400');
    if (format === 'svg') return reply.type('image/svg+xml; charset=utf-8').send(qrSvg(link));
    return reply.type('image/png').send(await qrPng(link));
  }

  for (const format of ['svg', 'png'] as const) {
    app.get<{ Params: Params }>(`/s/:key/qr.${format}`, { schema: HIDDEN }, async (request, reply) => {
      const { key } = request.params;
      const found = KEY_RE.test(key) ? await payments.invoiceForCustomer(key, { countVisit: false }) : undefined;
      if (!found) return errorPage(reply, 404, 'not_found', 'en', null);
      return qr(reply, invoicePageUrl(deps.publicBaseUrl, key), format);
    });
    app.get<{ Params: Params }>(`/open-invoice/checkout/:key/qr.${format}`, { schema: HIDDEN }, async (request, reply) => {
      const { key } = request.params;
      const found = KEY_RE.test(key) ? await payments.openInvoiceForCustomer(key) : undefined;
      if (!found) return errorPage(reply, 404, 'not_found', 'en', null);
      return qr(reply, openInvoiceUrl(deps.publicBaseUrl, key), format);
    });
  }

  app.get(STYLESHEET.href, { schema: HIDDEN }, async (request, reply) => {
    reply.header('cache-control', 'public, max-age=31536000, immutable').header('etag', STYLESHEET.etag).header('x-content-type-options', 'nosniff');
    if (request.headers['if-none-match'] === STYLESHEET.etag) return reply.code(304).send();
    return reply.type('text/css; charset=utf-8').send(STYLESHEET.body);
  });
}
