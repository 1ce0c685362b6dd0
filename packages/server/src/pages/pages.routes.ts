import { formatMoney } from '@fawtara/wire';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError, type AppError } from '../lib/app-error.ts';
import { formatTimestamp } from '../lib/merchant-time.ts';
import { qrPng, qrSvg } from '../lib/qr-code.ts';
import { invoicePageUrl } from '../modules/invoices/invoice-view.ts';
import { moneyOrNull, openInvoiceUrl } from '../modules/open-invoices/open-invoice-view.ts';
import { flowOf, WALLETS, type FailureReason, type FieldProblems, type PaymentCredentials } from '../modules/payments/payment-connector.ts';
import type { PageMerchant } from '../modules/payments/payments.repo.ts';
import {
  problemsOf,
  type InvoiceForCustomer,
  type OpenInvoiceForCustomer,
  type OpenInvoiceForm,
  type PaymentsService,
} from '../modules/payments/payments.service.ts';
import { transactionTime } from '../modules/payments/transaction-view.ts';
import type { Csrf } from './csrf.ts';
import { otherLang } from './i18n.ts';
import type { DigitStyle, ErrorKind, Lang, MethodOption, PageChrome } from './page-models.ts';
import { renderCheckoutPage, renderErrorPage, renderInvoicePage, renderPaymentForm, renderResultPage, STYLESHEET } from './pages.ts';

/**
 * The customer's side: the invoice page `/s/<key>`, the open-invoice checkout
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
  'content-security-policy': "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
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
    return {
      flow,
      bank: text(body.bank),
      cardNumber: text(body.cardNumber),
      expiryMonth: text(body.expiryMonth),
      expiryYear: text(body.expiryYear),
      pin: text(body.pin),
    };
  }
  if (flow === 'card') {
    return {
      flow,
      cardNumber: text(body.cardNumber),
      expiryMonth: text(body.expiryMonth),
      expiryYear: text(body.expiryYear),
      cvv: text(body.cvv),
      nameOnCard: text(body.nameOnCard),
    };
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

/**
 * The methods a customer chooses from. The six Apple Pay codes differ only in how the gateway
 * routes the payment, so the customer sees one Apple Pay button (the first code allowed).
 */
export function methodOptions(codes: readonly number[]): MethodOption[] {
  let applePay = false;
  const out: MethodOption[] = [];
  for (const code of codes) {
    if (WALLETS.get(code) === 'Apple Pay') {
      if (applePay) continue;
      applePay = true;
    }
    out.push({ code, flow: flowOf(code) });
  }
  return out;
}

/** The checkout's own fields (besides the card): posted by its form, carried hidden by the method form. */
const CHECKOUT_FIELDS = new Set(['amount', 'customerName', 'customerMobile', 'customerEmail', 'method']);

function openForm(body: FormBody): OpenInvoiceForm {
  return {
    amount: text(body.amount),
    customerName: text(body.customerName),
    customerMobile: text(body.customerMobile),
    customerEmail: text(body.customerEmail),
    method: text(body.method),
  };
}

function parseMethod(value: unknown): number | undefined {
  const v = text(value);
  return /^\d{1,2}$/.test(v) ? Number(v) : undefined;
}

const invoicePath = (key: string) => `/s/${key}`;
const checkoutPath = (key: string) => `/open-invoice/checkout/${key}`;
const receiptPath = (key: string, lang: Lang) => `/receipt/${key}?lang=${lang}`;

/** What the page chrome and the payment form need of the invoice or open invoice being paid. */
interface Payee {
  merchant: PageMerchant;
  /** The page's path, `/s/<key>` or `/open-invoice/checkout/<key>`. */
  path: string;
  title: string;
}

const invoicePayee = ({ invoice, merchant }: InvoiceForCustomer): Payee => ({
  merchant,
  path: invoicePath(invoice.access_key),
  title: invoice.reference_number ?? invoice.token,
});
const checkoutPayee = ({ openInvoice, merchant }: OpenInvoiceForCustomer): Payee => ({
  merchant,
  path: checkoutPath(openInvoice.public_key),
  title: openInvoice.title,
});

export function registerPageRoutes(app: FastifyInstance, deps: PagesDeps): void {
  const { payments, csrf } = deps;

  function chrome({ merchant, path, title }: Payee, lang: Lang): PageChrome {
    return {
      lang,
      digits: merchant.page_digits,
      stylesheet: STYLESHEET.href,
      otherLanguageHref: `${path}?lang=${otherLang(lang)}`,
      merchantName: merchant.name,
      title,
    };
  }

  function html(reply: FastifyReply, status: number, body: string): FastifyReply {
    return reply.code(status).headers(PAGE_HEADERS).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);
  }

  function errorPage(reply: FastifyReply, status: number, kind: ErrorKind, lang: Lang, backHref: string | null, digits: DigitStyle = 'latn'): FastifyReply {
    return html(reply, status, renderErrorPage({ lang, digits, stylesheet: STYLESHEET.href, kind, backHref }));
  }

  /** No such link: a 404 page in the language asked for, else English. */
  function notFound(reply: FastifyReply, lang: unknown): FastifyReply {
    return errorPage(reply, 404, 'not_found', langOf(lang, 'en'), null);
  }

  /** Loads what a public key names; a key that cannot be one of ours is not looked up. */
  function byKey<T>(key: string, load: (key: string) => Promise<T | undefined>): Promise<T | undefined> {
    return KEY_RE.test(key) ? load(key) : Promise.resolve(undefined);
  }

  /** Maps a refused payment (CONFLICT) to its page; anything unexpected goes to the error handler. */
  function refusal(reply: FastifyReply, err: unknown, lang: Lang, backHref: string): FastifyReply {
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
    const found = await byKey(request.params.key, load);
    if (!found) {
      notFound(reply, body.lang);
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

  /** The second step, for both kinds of link: the chosen method's form. */
  function paymentForm(
    request: FastifyRequest,
    reply: FastifyReply,
    payee: Payee,
    lang: Lang,
    status: number,
    p: { method: number; amount: string; hidden?: Record<string, string>; values: Record<string, string>; errors: FieldProblems },
  ): FastifyReply {
    return html(
      reply,
      status,
      renderPaymentForm({
        chrome: chrome(payee, lang),
        csrfToken: csrf.tokenFor(request, reply),
        payAction: `${payee.path}/pay`,
        backHref: `${payee.path}?lang=${lang}`,
        method: { code: p.method, flow: flowOf(p.method) },
        amount: p.amount,
        hidden: { lang, method: String(p.method), ...p.hidden },
        values: p.values,
        errors: p.errors,
      }),
    );
  }

  // ---------------------------------------------------------------- invoice

  /** The invoice page; its lines, installment and receipt are read only when it is drawn. */
  async function invoicePage(
    request: FastifyRequest,
    reply: FastifyReply,
    found: InvoiceForCustomer,
    lang: Lang,
    status: number,
    errors: FieldProblems,
  ): Promise<FastifyReply> {
    const { invoice, merchant } = found;
    const payee = invoicePayee(found);
    const details = await payments.invoicePageDetails(found);
    return html(
      reply,
      status,
      renderInvoicePage({
        chrome: chrome(payee, lang),
        csrfToken: csrf.tokenFor(request, reply),
        methodAction: `${payee.path}/method`,
        invoice: {
          reference: invoice.reference_number,
          token: invoice.token,
          amount: formatMoney(invoice.amount),
          description: invoice.description,
          customerName: invoice.customer_name,
          expiresOn: invoice.expires_on,
          status: found.state,
          paidAt: invoice.paid_at ? formatTimestamp(invoice.paid_at, merchant.time_zone) : null,
          items: details.items.map((it) => ({ title: it.title, rate: formatMoney(it.rate), quantity: it.quantity, amount: formatMoney(it.amount) })),
          installment: details.installment,
        },
        methods: found.state === 'pending' ? methodOptions(invoice.payment_methods) : [],
        receiptHref: details.paidBy ? receiptPath(details.paidBy.receipt_key, lang) : null,
        qrSvgHref: `${payee.path}/qr.svg`,
        errors,
      }),
    );
  }

  function invoicePaymentForm(
    request: FastifyRequest,
    reply: FastifyReply,
    found: InvoiceForCustomer,
    lang: Lang,
    method: number,
    status: number,
    values: Record<string, string>,
    errors: FieldProblems,
  ) {
    return paymentForm(request, reply, invoicePayee(found), lang, status, { method, amount: formatMoney(found.invoice.amount), values, errors });
  }

  app.get<{ Params: Params; Querystring: { lang?: string } }>('/s/:key', { schema: HIDDEN }, async (request, reply) => {
    const found = await byKey(request.params.key, (key) => payments.invoiceForCustomer(key, { countVisit: request.method === 'GET' }));
    if (!found) return notFound(reply, request.query.lang);
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
      const tx = await payments.payInvoice(found, method, credentialsFrom(method, body));
      return reply.redirect(receiptPath(tx.receipt_key, lang), 303);
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

  function checkoutPage(
    request: FastifyRequest,
    reply: FastifyReply,
    found: OpenInvoiceForCustomer,
    lang: Lang,
    status: number,
    form: OpenInvoiceForm,
    errors: FieldProblems,
  ) {
    const { openInvoice: oi, merchant } = found;
    const payee = checkoutPayee(found);
    return html(
      reply,
      status,
      renderCheckoutPage({
        chrome: chrome(payee, lang),
        csrfToken: csrf.tokenFor(request, reply),
        methodAction: `${payee.path}/method`,
        openInvoice: {
          title: oi.title,
          description: oi.description,
          amountType: oi.amount_type === 0 ? 'fixed' : 'open',
          fixedAmount: moneyOrNull(oi.fixed_amount),
          minAmount: moneyOrNull(oi.min_amount),
          maxAmount: moneyOrNull(oi.max_amount),
          expiryDate: oi.expiry_date,
          state: found.state,
        },
        methods: found.state === 'active' ? methodOptions(merchant.payment_methods) : [],
        values: {
          amount: (form.amount ?? '').slice(0, 30),
          customerName: (form.customerName ?? '').slice(0, 100),
          customerMobile: (form.customerMobile ?? '').slice(0, 30),
          customerEmail: (form.customerEmail ?? '').slice(0, 254),
          method: (form.method ?? '').slice(0, 2),
        },
        errors,
        qrSvgHref: `${payee.path}/qr.svg`,
      }),
    );
  }

  /** The method form of an open invoice, carrying the accepted amount and contact details. */
  function openPaymentForm(
    request: FastifyRequest,
    reply: FastifyReply,
    found: OpenInvoiceForCustomer,
    lang: Lang,
    status: number,
    p: {
      method: number;
      amount: string;
      customer: Required<Pick<OpenInvoiceForm, 'customerName' | 'customerMobile' | 'customerEmail'>>;
      values: Record<string, string>;
      errors: FieldProblems;
    },
  ) {
    return paymentForm(request, reply, checkoutPayee(found), lang, status, {
      method: p.method,
      amount: p.amount,
      hidden: { amount: p.amount, ...p.customer },
      values: p.values,
      errors: p.errors,
    });
  }

  app.get<{ Params: Params; Querystring: { lang?: string } }>('/open-invoice/checkout/:key', { schema: HIDDEN }, async (request, reply) => {
    const found = await byKey(request.params.key, payments.openInvoiceForCustomer);
    if (!found) return notFound(reply, request.query.lang);
    return checkoutPage(request, reply, found, langOf(request.query.lang, found.merchant.default_language), 200, {}, {});
  });

  app.post<{ Params: Params; Body: FormBody }>('/open-invoice/checkout/:key/method', { schema: HIDDEN }, async (request, reply) => {
    const post = await startPost(request, reply, payments.openInvoiceForCustomer, (f) => f.merchant.default_language, checkoutPath(request.params.key));
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
    const post = await startPost(request, reply, payments.openInvoiceForCustomer, (f) => f.merchant.default_language, checkoutPath(request.params.key));
    if (!post) return reply;
    const { found, lang, body, back } = post;
    const form = openForm(body);
    const method = parseMethod(body.method);
    try {
      const tx = await payments.payOpenInvoice(found, form, credentialsFrom(method ?? 0, body));
      return reply.redirect(receiptPath(tx.receipt_key, lang), 303);
    } catch (err) {
      if (isValidation(err)) {
        const problems = problemsOf(err);
        // The amount and contact details were accepted one step earlier; a problem with them now
        // means the hidden fields were changed (a missing method is one of them): start again
        // from the checkout page.
        if (method === undefined || Object.keys(problems).some((f) => CHECKOUT_FIELDS.has(f)))
          return checkoutPage(request, reply, found, lang, 422, form, problems);
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
    const receipt = await byKey(key, payments.receipt);
    if (!receipt) return notFound(reply, request.query.lang);
    const { transaction: tx, merchant } = receipt;
    const lang = langOf(request.query.lang, merchant.default_language);
    const back = receipt.link.kind === 'invoice' ? invoicePath(receipt.link.key) : checkoutPath(receipt.link.key);
    const ok = tx.status === 'SUCCESSFUL';
    return html(
      reply,
      200,
      renderResultPage({
        chrome: chrome({ merchant, path: `/receipt/${key}`, title: receipt.title }, lang),
        outcome: ok ? 'success' : 'failure',
        receipt: {
          paymentToken: tx.token,
          paymentId: tx.payment_id ?? '',
          trackId: tx.track_id,
          amount: formatMoney(tx.amount),
          method: tx.method,
          cardType: tx.card_type ?? '',
          maskedCard: tx.masked_card,
          datetime: transactionTime(tx, merchant.time_zone),
          reference: tx.reference_number,
          customerName: tx.customer_name,
        },
        reason: ok ? null : ((tx.failure_reason ?? 'timed_out') as FailureReason),
        retryHref: !ok && receipt.payable ? `${back}?lang=${lang}` : null,
      }),
    );
  });

  // ---------------------------------------------------------------- QR codes and stylesheet

  async function qr(reply: FastifyReply, link: string, format: 'svg' | 'png') {
    reply.headers(PAGE_HEADERS).header('cache-control', 'public, max-age=86400');
    if (format === 'svg') return reply.type('image/svg+xml; charset=utf-8').send(qrSvg(link));
    return reply.type('image/png').send(await qrPng(link));
  }

  // A QR code only needs to know that the link exists: nothing else is read, no visit counted.
  const qrLinks = [
    { path: '/s/:key', exists: payments.invoiceLinkExists, url: invoicePageUrl },
    { path: '/open-invoice/checkout/:key', exists: payments.openInvoiceLinkExists, url: openInvoiceUrl },
  ];
  for (const format of ['svg', 'png'] as const) {
    for (const link of qrLinks) {
      app.get<{ Params: Params }>(`${link.path}/qr.${format}`, { schema: HIDDEN }, async (request, reply) => {
        const { key } = request.params;
        if (!KEY_RE.test(key) || !(await link.exists(key))) return notFound(reply, undefined);
        return qr(reply, link.url(deps.publicBaseUrl, key), format);
      });
    }
  }

  app.get(STYLESHEET.href, { schema: HIDDEN }, async (request, reply) => {
    reply.header('cache-control', 'public, max-age=31536000, immutable').header('etag', STYLESHEET.etag).header('x-content-type-options', 'nosniff');
    if (request.headers['if-none-match'] === STYLESHEET.etag) return reply.code(304).send();
    return reply.type('text/css; charset=utf-8').send(STYLESHEET.body);
  });
}
