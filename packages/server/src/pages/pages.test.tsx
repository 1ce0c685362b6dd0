import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formatAmount, formatDate, formatDateTime, moneyText, MESSAGES, toDigits } from './i18n.ts';
import type {
  CheckoutPageModel,
  DigitStyle,
  ErrorKind,
  ErrorPageModel,
  InvoicePageModel,
  Lang,
  PageChrome,
  PaymentFormModel,
  ResultPageModel,
} from './page-models.ts';
import { renderCheckoutPage, renderErrorPage, renderInvoicePage, renderPaymentForm, renderResultPage, STYLESHEET } from './pages.ts';

const XSS = '<script>alert(1)</script>';
const XSS_ESCAPED = '&lt;script>alert(1)&lt;/script>';
const ARABIC_INDIC = /[٠-٩]/;

function chrome(over: Partial<PageChrome> = {}): PageChrome {
  return {
    lang: 'en',
    digits: 'arab',
    stylesheet: STYLESHEET.href,
    otherLanguageHref: '/s/k3y?lang=ar',
    merchantName: 'Blue Sea Trading',
    title: 'INV-2025-0042',
    ...over,
  };
}

function invoiceModel(over: Partial<InvoicePageModel> = {}, inv: Partial<InvoicePageModel['invoice']> = {}): InvoicePageModel {
  return {
    chrome: chrome(),
    csrfToken: 'csrf-token-1',
    methodAction: '/s/k3y/method',
    invoice: {
      reference: 'INV-2025-0042',
      token: 'tok_4f9a2b',
      amount: '12.500',
      description: 'Monthly maintenance for March',
      customerName: 'Ahmad Al-Sabah',
      expiresOn: '2025-03-31',
      status: 'pending',
      paidAt: null,
      items: [
        { title: 'Maintenance visit', rate: '10.000', quantity: 1, amount: '10.000' },
        { title: 'Air filter', rate: '1.250', quantity: 2, amount: '2.500' },
      ],
      installment: null,
      ...inv,
    },
    methods: [
      { code: 1, flow: 'knet' },
      { code: 2, flow: 'card' },
      { code: 16, flow: 'wallet' },
    ],
    receiptHref: null,
    qrSvgHref: '/s/k3y/qr.svg',
    errors: {},
    ...over,
  };
}

function checkoutModel(over: Partial<CheckoutPageModel> = {}, oi: Partial<CheckoutPageModel['openInvoice']> = {}): CheckoutPageModel {
  return {
    chrome: chrome({ title: 'Donation drive', otherLanguageHref: '/open-invoice/checkout/k3y?lang=ar' }),
    csrfToken: 'csrf-token-2',
    methodAction: '/open-invoice/checkout/k3y/method',
    openInvoice: {
      title: 'Donation drive',
      description: 'Support the school library',
      amountType: 'open',
      fixedAmount: null,
      minAmount: '1.000',
      maxAmount: '500.000',
      expiryDate: '2025-12-31',
      state: 'active',
      ...oi,
    },
    methods: [
      { code: 1, flow: 'knet' },
      { code: 9, flow: 'wallet' },
    ],
    values: { amount: '', customerName: '', customerMobile: '', customerEmail: '', method: '' },
    errors: {},
    qrSvgHref: '/open-invoice/checkout/k3y/qr.svg',
    ...over,
  };
}

function paymentModel(over: Partial<PaymentFormModel> = {}): PaymentFormModel {
  return {
    chrome: chrome(),
    csrfToken: 'csrf-token-3',
    payAction: '/s/k3y/pay',
    backHref: '/s/k3y',
    method: { code: 1, flow: 'knet' },
    amount: '12.500',
    hidden: { lang: 'en', method: '1' },
    values: {},
    errors: {},
    ...over,
  };
}

function resultModel(over: Partial<ResultPageModel> = {}, receipt: Partial<ResultPageModel['receipt']> = {}): ResultPageModel {
  return {
    chrome: chrome(),
    outcome: 'success',
    receipt: {
      paymentToken: '84759201736459820174',
      paymentId: '100202512345678',
      trackId: 'TRK-20250331-000123',
      amount: '12.500',
      method: 1,
      cardType: 'KNET',
      maskedCard: '888888******0001',
      datetime: '2025-03-20 14:05:09',
      reference: 'INV-2025-0042',
      customerName: 'Ahmad Al-Sabah',
      ...receipt,
    },
    reason: null,
    retryHref: null,
    ...over,
  };
}

function errorModel(over: Partial<ErrorPageModel> = {}): ErrorPageModel {
  return { lang: 'en', digits: 'latn', stylesheet: STYLESHEET.href, kind: 'not_found', backHref: null, ...over };
}

/** Text content only: tags (and so attribute values) removed. */
function text(html: string): string {
  return html.replace(/<[^>]*>/g, ' ');
}

/** The opening tag of the element with `name="…"`. */
function control(html: string, name: string): string {
  const tag = new RegExp(`<(?:input|select)\\b[^>]*\\bname="${name}"[^>]*>`).exec(html)?.[0];
  if (tag === undefined) throw new Error(`no control named ${name}`);
  return tag;
}

function hasControl(html: string, name: string): boolean {
  return new RegExp(`<(?:input|select)\\b[^>]*\\bname="${name}"`).test(html);
}

/** Visible inputs and selects that lack a `<label for>` matching their id; and how many there were. */
function labelCheck(html: string): { checked: number; unlabelled: string[] } {
  const labels = new Set([...html.matchAll(/<label\b[^>]*\bfor="([^"]+)"/g)].map((m) => m[1]));
  const unlabelled: string[] = [];
  let checked = 0;
  for (const [tag, attrs = ''] of html.matchAll(/<(?:input|select|textarea)\b([^>]*)>/g)) {
    if (/\btype="hidden"/.test(attrs)) continue;
    checked++;
    const id = /\bid="([^"]+)"/.exec(attrs)?.[1];
    if (id === undefined || !labels.has(id)) unlabelled.push(tag);
  }
  return { checked, unlabelled };
}

function allPages(lang: Lang = 'en', digits: DigitStyle = 'arab'): Record<string, string> {
  const c = (title = 'INV-2025-0042') => chrome({ lang, digits, title });
  const pages: Record<string, string> = {
    invoice: renderInvoicePage(invoiceModel({ chrome: c(), errors: { method: 'required' } }, { installment: { number: 2, count: 5 } })),
    invoicePaid: renderInvoicePage(invoiceModel({ chrome: c(), methods: [], receiptHref: '/receipt/r1' }, { status: 'paid', paidAt: '2025-03-20 14:05:09' })),
    checkout: renderCheckoutPage(checkoutModel({ chrome: c('Donation drive'), errors: { amount: 'below_min' } })),
    knet: renderPaymentForm(paymentModel({ chrome: c(), errors: { pin: 'invalid' } })),
    card: renderPaymentForm(paymentModel({ chrome: c(), method: { code: 2, flow: 'card' }, errors: { cvv: 'required' } })),
    wallet: renderPaymentForm(paymentModel({ chrome: c(), method: { code: 16, flow: 'wallet' } })),
    success: renderResultPage(resultModel({ chrome: c() })),
    failure: renderResultPage(resultModel({ chrome: c(), outcome: 'failure', reason: 'declined', retryHref: '/s/k3y' })),
  };
  for (const kind of ['not_found', 'session_expired', 'in_progress', 'not_payable', 'server_error'] as const) {
    pages[`error-${kind}`] = renderErrorPage(errorModel({ lang, digits, kind, backHref: '/s/k3y' }));
  }
  return pages;
}

describe('document frame', () => {
  it('every page is a whole document with one h1, landmarks, stylesheet and no inline style or script', () => {
    for (const [name, html] of Object.entries(allPages())) {
      expect(html.startsWith('<!doctype html><html lang="en" dir="ltr">'), name).toBe(true);
      expect(html, name).toContain('<meta charset="utf-8"/>');
      expect(html, name).toContain('<meta name="viewport" content="width=device-width, initial-scale=1"/>');
      expect(html, name).toContain(`<link rel="stylesheet" href="${STYLESHEET.href}"/>`);
      expect(html.match(/<h1[ >]/g), name).toHaveLength(1);
      expect(html, name).toMatch(/<header[ >][\s\S]*<\/header><main[ >][\s\S]*<\/main>/);
      expect(html, name).not.toMatch(/<script|<style|\sstyle=|\son[a-z]+=|javascript:/i);
    }
  });

  it('titles carry the merchant name and buttons are real submit buttons', () => {
    const html = renderInvoicePage(invoiceModel());
    expect(html).toContain('<title>INV-2025-0042 – Blue Sea Trading</title>');
    for (const [name, page] of Object.entries(allPages())) {
      for (const [button] of page.matchAll(/<button\b[^>]*>/g)) expect(button, name).toContain('type="submit"');
    }
  });

  it('sets lang and dir for English and Arabic, with a switch to the other language', () => {
    const en = renderInvoicePage(invoiceModel());
    expect(en).toContain('<html lang="en" dir="ltr">');
    expect(en).toContain('<a class="lang" href="/s/k3y?lang=ar" lang="ar" hreflang="ar">العربية</a>');

    const ar = renderInvoicePage(invoiceModel({ chrome: chrome({ lang: 'ar', otherLanguageHref: '/s/k3y?lang=en' }) }));
    expect(ar).toContain('<html lang="ar" dir="rtl">');
    expect(ar).toContain('<a class="lang" href="/s/k3y?lang=en" lang="en" hreflang="en">English</a>');
    expect(ar).toContain('ادفع');
    expect(ar).toContain('اختر طريقة الدفع');
    expect(ar).not.toContain('Choose a payment method');
  });
});

describe('escaping', () => {
  it('renders merchant, title, description, customer and item text as text', () => {
    const pages = [
      renderInvoicePage(
        invoiceModel(
          { chrome: chrome({ merchantName: XSS, title: XSS }) },
          {
            customerName: XSS,
            description: XSS,
            reference: XSS,
            items: [{ title: XSS, rate: '1.000', quantity: 1, amount: '1.000' }],
          },
        ),
      ),
      renderCheckoutPage(
        checkoutModel(
          {
            chrome: chrome({ merchantName: XSS, title: XSS }),
            values: { amount: XSS, customerName: XSS, customerMobile: '', customerEmail: '', method: '' },
          },
          { title: XSS, description: XSS },
        ),
      ),
      renderPaymentForm(paymentModel({ chrome: chrome({ merchantName: XSS, title: XSS }), values: { nameOnCard: XSS } })),
      renderResultPage(resultModel({ chrome: chrome({ merchantName: XSS, title: XSS }) }, { customerName: XSS, reference: XSS })),
    ];
    for (const html of pages) {
      expect(html).not.toContain(XSS);
      expect(html).not.toContain('<script');
      expect(html).toContain(XSS_ESCAPED);
    }
    // Title, merchant, description, customer, reference and item all appear escaped on the invoice.
    expect(pages[0]?.split(XSS_ESCAPED).length).toBeGreaterThanOrEqual(7);
  });

  it('escapes quotes in echoed attribute values', () => {
    const html = renderCheckoutPage(
      checkoutModel({
        values: { amount: '1"><b>x', customerName: '"onfocus="x', customerMobile: '', customerEmail: '', method: '' },
      }),
    );
    expect(html).toContain('value="1&quot;>&lt;b>x"');
    expect(html).toContain('value="&quot;onfocus=&quot;x"');
    expect(html).not.toContain('<b>x');
  });
});

describe('digits', () => {
  it('toDigits converts only on Arabic pages with Arabic-Indic digits', () => {
    expect(toDigits('2 of 15', 'ar', 'arab')).toBe('٢ of ١٥');
    expect(toDigits('2 of 15', 'ar', 'latn')).toBe('2 of 15');
    expect(toDigits('2 of 15', 'en', 'arab')).toBe('2 of 15');
    expect(formatAmount('12.500', 'ar', 'arab')).toBe('١٢٫٥٠٠');
    expect(moneyText('12.500', 'ar', 'arab')).toBe('١٢٫٥٠٠ د.ك.');
    expect(moneyText('12.500', 'ar', 'latn')).toBe('12.500 د.ك.');
    expect(moneyText('12.500', 'en', 'arab')).toBe('12.500 KWD');
    expect(formatDate('2025-03-09', 'en', 'latn')).toBe('9 March 2025');
    expect(formatDate('2025-03-09', 'ar', 'arab')).toBe('٩ مارس ٢٠٢٥');
    expect(formatDateTime('2025-03-09 14:05:09', 'ar', 'arab')).toBe('٩ مارس ٢٠٢٥، ١٤:٠٥:٠٩');
    expect(formatDate('soon', 'en', 'latn')).toBe('soon');
  });

  it('uses Arabic-Indic digits in visible numbers of Arabic pages, never in posted values', () => {
    const m = invoiceModel({ chrome: chrome({ lang: 'ar', digits: 'arab' }) }, { installment: { number: 2, count: 5 }, reference: null, token: 'tok_4f9a2b' });
    const html = renderInvoicePage(m);
    expect(html).toContain('١٢٫٥٠٠ د.ك.');
    expect(html).toContain('ادفع ١٢٫٥٠٠ د.ك.');
    expect(html).toContain('٢ من ٥');
    expect(html).toContain('<time datetime="2025-03-31">٣١ مارس ٢٠٢٥</time>');
    expect(html).toContain('<td class="num">١٫٢٥٠</td><td class="num">٢</td>');
    // Values and ids stay Latin; the token fallback of the reference stays Latin, read LTR.
    expect(html).toContain('name="method" value="1"');
    expect(html).toContain('<bdi dir="ltr" class="id">tok_4f9a2b</bdi>');
    // No Latin digit is left in the visible text but in the token and the merchant's title,
    // which are shown as given.
    expect(text(html).replaceAll('tok_4f9a2b', '').replaceAll('INV-2025-0042', '')).not.toMatch(/[0-9]/);

    const form = renderPaymentForm(paymentModel({ chrome: chrome({ lang: 'ar', digits: 'arab' }), values: { expiryMonth: '09' } }));
    expect(form).toContain('<option value="09" selected>٠٩</option>');
    expect(form).toContain('<option value="45">٤٥</option>');
  });

  it('keeps Latin digits when the merchant chose them, and on English pages', () => {
    const ar = renderInvoicePage(invoiceModel({ chrome: chrome({ lang: 'ar', digits: 'latn' }) }, { installment: { number: 2, count: 5 } }));
    expect(ar).toContain('ادفع 12.500 د.ك.');
    expect(ar).toContain('2 من 5');
    expect(ar).not.toMatch(ARABIC_INDIC);
    for (const [name, html] of Object.entries(allPages('en', 'arab'))) expect(html, name).not.toMatch(ARABIC_INDIC);
  });

  it('keeps payment ids Latin and left-to-right on Arabic receipts', () => {
    const html = renderResultPage(resultModel({ chrome: chrome({ lang: 'ar', digits: 'arab' }) }));
    expect(html).toContain('<bdi dir="ltr" class="id">84759201736459820174</bdi>');
    expect(html).toContain('<bdi dir="ltr" class="id">100202512345678</bdi>');
    expect(html).toContain('<bdi dir="ltr" class="id">TRK-20250331-000123</bdi>');
    expect(html).toContain('<bdi dir="ltr" class="id">888888******0001</bdi>');
    expect(html).toContain('٢٠ مارس ٢٠٢٥، ١٤:٠٥:٠٩');
  });
});

describe('invoice page', () => {
  it('shows the invoice and a method form with only the given methods, the first checked', () => {
    const html = renderInvoicePage(
      invoiceModel(
        {
          methods: [
            { code: 1, flow: 'knet' },
            { code: 16, flow: 'wallet' },
          ],
        },
        { installment: { number: 2, count: 5 } },
      ),
    );
    expect(html).toContain('<span class="money big">12.500 KWD</span>');
    expect(html).toContain('Monthly maintenance for March');
    expect(html).toContain('Ahmad Al-Sabah');
    expect(html).toContain('<dd>2 of 5</dd>');
    expect(html).toContain('31 March 2025');
    expect(html).toContain('<span class="badge pending">Awaiting payment</span>');
    expect(html).toMatch(/<caption>Items[^<]*<\/caption>/);
    expect(html).toContain('<th scope="col">Item</th>');
    expect(html).toContain('<th scope="row"><bdi>Air filter</bdi></th>');
    expect(html).toContain('<form class="card" method="post" action="/s/k3y/method"');
    expect(html).toContain('<input type="hidden" name="csrf" value="csrf-token-1"/>');
    expect(html).toContain('<input type="hidden" name="lang" value="en"/>');
    expect(html).toContain('<legend>Choose a payment method</legend>');
    const radios = [...html.matchAll(/<input type="radio"[^>]*>/g)].map((m) => m[0]);
    expect(radios.map((r) => /value="(\d+)"/.exec(r)?.[1])).toEqual(['1', '16']);
    expect(radios[0]).toContain(' checked');
    expect(radios[1]).not.toContain(' checked');
    expect(html).toContain('<label for="method-16">Google Pay</label>');
    expect(html).toContain('<button type="submit" class="primary">Pay 12.500 KWD</button>');
    expect(html).toContain('<img src="/s/k3y/qr.svg" alt="QR code of this page’s address"');
  });

  it('falls back to the token when there is no reference', () => {
    const html = renderInvoicePage(invoiceModel({}, { reference: null }));
    expect(html).toContain('<dt>Reference</dt><dd><bdi dir="ltr" class="id">tok_4f9a2b</bdi></dd>');
  });

  it.each([
    ['paid', 'This invoice has been paid.', 'Paid'],
    ['cancelled', 'This invoice has been cancelled', 'Cancelled'],
    ['expired', 'This invoice has expired', 'Expired'],
  ] as const)('has no form when %s', (status, notice, badge) => {
    const html = renderInvoicePage(
      invoiceModel(
        { methods: [], receiptHref: status === 'paid' ? '/receipt/r1' : null },
        { status, paidAt: status === 'paid' ? '2025-03-20 14:05:09' : null },
      ),
    );
    expect(html).not.toContain('<form');
    expect(html).not.toContain('<button');
    expect(html).not.toContain('name="method"');
    expect(html).toContain(notice);
    expect(html).toContain(`<span class="badge ${status}">${badge}</span>`);
    if (status === 'paid') {
      expect(html).toContain('<a href="/receipt/r1">View the receipt</a>');
      expect(html).toContain('<time datetime="2025-03-20 14:05:09">20 March 2025, 14:05:09</time>');
    } else {
      expect(html).not.toContain('/receipt/');
    }
  });

  it('shows a refused method choice in a summary and on the radios', () => {
    const html = renderInvoicePage(invoiceModel({ errors: { method: 'not_accepted' } }));
    expect(html).toContain('<title>Error: INV-2025-0042 – Blue Sea Trading</title>');
    expect(html).toMatch(/<div class="error-summary" role="alert"[^>]*>.*<a href="#method-1">This payment method is not available here.<\/a>/);
    expect(html).toContain('<p id="method-error" class="field-error">This payment method is not available here.</p>');
    expect(html).toContain('aria-invalid="true" aria-describedby="method-error"');
    expect(renderInvoicePage(invoiceModel())).not.toContain('error-summary');
  });
});

describe('checkout page', () => {
  it('asks for an open amount with its limits as help, and the customer details', () => {
    const html = renderCheckoutPage(checkoutModel());
    const amount = control(html, 'amount');
    expect(amount).toContain('inputmode="decimal"');
    expect(amount).toContain('aria-describedby="amount-hint"');
    expect(html).toContain('<p id="amount-hint" class="hint">From 1.000 KWD to 500.000 KWD</p>');
    expect(control(html, 'customerName')).toContain('autocomplete="name"');
    const mobile = control(html, 'customerMobile');
    expect(mobile).toMatch(/type="tel".*inputmode="numeric".*autocomplete="tel-national"/);
    expect(html).toContain('<p id="customerMobile-hint" class="hint">8 digits, without the country code</p>');
    const email = control(html, 'customerEmail');
    expect(email).toContain('type="email"');
    expect(email).not.toContain('required');
    expect(html).toContain('<label for="customerEmail">Email (optional)</label>');
    expect(html).toContain('<button type="submit" class="primary">Continue to payment</button>');
    expect(html).not.toContain('error-summary');
  });

  it('shows a fixed amount instead of the amount field', () => {
    const html = renderCheckoutPage(checkoutModel({}, { amountType: 'fixed', fixedAmount: '5.000', minAmount: null, maxAmount: null }));
    expect(hasControl(html, 'amount')).toBe(false);
    expect(html).toContain('<span class="money big">5.000 KWD</span>');
    expect(html).toContain('Pay 5.000 KWD</button>');
  });

  it('echoes values and marks every refused field', () => {
    const html = renderCheckoutPage(
      checkoutModel({
        values: { amount: '0.5', customerName: 'Sara', customerMobile: '123', customerEmail: 'sara@', method: '9' },
        errors: { amount: 'below_min', customerMobile: 'invalid', customerEmail: 'invalid', customerName: 'required' },
      }),
    );
    expect(html).toMatch(/<div class="error-summary" role="alert" aria-labelledby="error-summary-title">/);
    const summary = /<div class="error-summary"[\s\S]*?<\/div>/.exec(html)?.[0] ?? '';
    expect([...summary.matchAll(/<a href="#([a-zA-Z]+)">/g)].map((m) => m[1])).toEqual(['amount', 'customerName', 'customerMobile', 'customerEmail']);
    expect(html).toContain('The amount must be at least 1.000 KWD.');
    expect(html).toContain('Enter your name.');
    expect(html).toContain('Your mobile number is not valid.');
    const amount = control(html, 'amount');
    expect(amount).toContain('value="0.5"');
    expect(amount).toContain('aria-invalid="true"');
    expect(amount).toContain('aria-describedby="amount-hint amount-error"');
    expect(control(html, 'customerMobile')).toContain('aria-describedby="customerMobile-hint customerMobile-error"');
    expect(control(html, 'customerName')).toContain('aria-describedby="customerName-error"');
    expect(control(html, 'customerEmail')).toContain('value="sara@"');
    expect(html).toMatch(/<input type="radio" id="method-9" name="method" value="9" checked/);
    expect(html).not.toMatch(/<input type="radio" id="method-1" name="method" value="1" checked/);
  });

  it.each([
    ['cancelled', 'This payment link has been cancelled'],
    ['expired', 'This payment link has expired'],
  ] as const)('has no form when %s', (state, notice) => {
    const html = renderCheckoutPage(checkoutModel({ errors: { amount: 'required' } }, { state }));
    expect(html).not.toContain('<form');
    expect(html).not.toContain('error-summary');
    expect(html).toContain(notice);
  });

  it('words the open amount in Arabic', () => {
    const html = renderCheckoutPage(checkoutModel({ chrome: chrome({ lang: 'ar', digits: 'arab' }), errors: { amount: 'above_max' } }));
    expect(html).toContain('من ١٫٠٠٠ د.ك. إلى ٥٠٠٫٠٠٠ د.ك.');
    expect(html).toContain('المبلغ أكبر من الحد الأقصى (٥٠٠٫٠٠٠ د.ك.).');
    expect(html).toContain('٨ أرقام بدون رمز الدولة');
  });
});

describe('payment form', () => {
  it('asks KNET for bank, card number, expiry and PIN, posting csrf and hidden fields', () => {
    const html = renderPaymentForm(paymentModel({ hidden: { lang: 'en', method: '1', customerName: 'Sara' } }));
    expect(html).toContain('<form class="card" method="post" action="/s/k3y/pay"');
    expect(html).toContain('<input type="hidden" name="csrf" value="csrf-token-3"/>');
    expect(html).toContain('<input type="hidden" name="method" value="1"/>');
    expect(html).toContain('<input type="hidden" name="customerName" value="Sara"/>');
    expect(html).toContain('<dd><span class="money">12.500 KWD</span></dd>');
    expect(html).toContain('<dd>KNET</dd>');
    const bank = /<select id="bank"[\s\S]*?<\/select>/.exec(html)?.[0] ?? '';
    for (const code of ['NBK', 'KFH', 'GBK', 'BURGAN', 'BOUBYAN', 'WARBA', 'ABK', 'CBK', 'KIB', 'AUB']) {
      expect(bank).toContain(`<option value="${code}">`);
    }
    expect(control(html, 'cardNumber')).toMatch(/inputmode="numeric" autocomplete="cc-number"/);
    const months = /<select id="expiryMonth"[\s\S]*?<\/select>/.exec(html)?.[0] ?? '';
    expect([...months.matchAll(/value="(\d+)"/g)].map((m) => m[1])).toEqual(['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12']);
    const years = /<select id="expiryYear"[\s\S]*?<\/select>/.exec(html)?.[0] ?? '';
    const yearValues = [...years.matchAll(/value="(\d+)"/g)].map((m) => m[1]);
    expect(yearValues).toHaveLength(26);
    expect(yearValues[0]).toBe('20');
    expect(yearValues.at(-1)).toBe('45');
    expect(control(html, 'pin')).toMatch(/type="password" id="pin" name="pin" inputmode="numeric" autocomplete="off"/);
    expect(hasControl(html, 'cvv')).toBe(false);
    expect(html).toContain('<button type="submit" class="primary">Pay 12.500 KWD</button>');
    expect(html).toContain('<a href="/s/k3y">Change payment method</a>');
  });

  it('asks cards for number, expiry, CVV and name', () => {
    const html = renderPaymentForm(paymentModel({ method: { code: 7, flow: 'card' }, values: { nameOnCard: 'SARA A', expiryYear: '27' } }));
    expect(html).toContain('<dd>American Express</dd>');
    expect(hasControl(html, 'bank')).toBe(false);
    expect(hasControl(html, 'pin')).toBe(false);
    expect(control(html, 'expiryMonth')).toContain('autocomplete="cc-exp-month"');
    expect(control(html, 'expiryYear')).toContain('autocomplete="cc-exp-year"');
    expect(html).toContain('<option value="27" selected>27</option>');
    expect(control(html, 'cvv')).toMatch(/type="password".*inputmode="numeric" autocomplete="cc-csc"/);
    expect(control(html, 'nameOnCard')).toMatch(/autocomplete="cc-name" value="SARA A"/);
  });

  it.each([
    [9, 'Apple Pay'],
    [14, 'Apple Pay'],
    [16, 'Google Pay'],
  ])('confirms wallet method %i with one button', (code, wallet) => {
    const html = renderPaymentForm(paymentModel({ method: { code, flow: 'wallet' }, hidden: { lang: 'en', method: String(code) } }));
    expect(html).toContain(`<button type="submit" class="primary wallet">Pay with ${wallet}</button>`);
    expect(html.match(/<button/g)).toHaveLength(1);
    expect(html).toMatch(/<p class="note">Sandbox:[^<]*<\/p>/);
    expect(html.match(/<input/g)).toHaveLength(3); // csrf, lang, method: all hidden
    expect(html).not.toMatch(/<input type="(?!hidden)/);
  });

  it('never puts a value on card number, PIN or CVV', () => {
    const secrets = { cardNumber: '8888880000000001', pin: '1234', cvv: '987', bank: 'NBK', expiryMonth: '09', expiryYear: '25' };
    const knet = renderPaymentForm(paymentModel({ values: secrets }));
    const card = renderPaymentForm(paymentModel({ method: { code: 2, flow: 'card' }, values: { ...secrets, nameOnCard: 'X' } }));
    for (const html of [knet, card]) {
      expect(control(html, 'cardNumber')).not.toContain('value');
      expect(html).not.toContain('8888880000000001');
      expect(html).toContain('<option value="09" selected>09</option>');
    }
    expect(control(knet, 'pin')).not.toContain('value');
    expect(knet).not.toContain('1234');
    expect(knet).toContain('<option value="NBK" selected>');
    expect(control(card, 'cvv')).not.toContain('value');
    expect(card).not.toContain('987');
  });

  it('marks refused card fields', () => {
    const html = renderPaymentForm(
      paymentModel({ method: { code: 2, flow: 'card' }, errors: { cardNumber: 'invalid', expiryYear: 'required', cvv: 'invalid' } }),
    );
    const summary = /<div class="error-summary"[\s\S]*?<\/div>/.exec(html)?.[0] ?? '';
    expect([...summary.matchAll(/<a href="#(\w+)">/g)].map((m) => m[1])).toEqual(['cardNumber', 'expiryYear', 'cvv']);
    expect(html).toContain('The card number is not valid.');
    expect(html).toContain('Choose the expiry year.');
    expect(control(html, 'cardNumber')).toContain('aria-invalid="true" aria-describedby="cardNumber-error"');
    expect(control(html, 'expiryYear')).toContain('aria-invalid="true" aria-describedby="expiryYear-error"');
    expect(control(html, 'expiryMonth')).not.toContain('aria-invalid');
    expect(html).toContain('<p id="cvv-error" class="field-error">The security code (CVV) is not valid.</p>');
  });

  it('words field problems in Arabic with the right gender', () => {
    const html = renderPaymentForm(paymentModel({ chrome: chrome({ lang: 'ar' }), errors: { bank: 'required', pin: 'invalid', expiryYear: 'invalid' } }));
    expect(html).toContain('يرجى اختيار البنك.');
    expect(html).toContain('الرقم السري غير صحيح.');
    expect(html).toContain('سنة الانتهاء غير صحيحة.');
  });
});

describe('labels', () => {
  it('every visible input and select has a label for its id, and ids are unique', () => {
    const pages = {
      ...allPages('en'),
      ...Object.fromEntries(Object.entries(allPages('ar')).map(([k, v]) => [`ar-${k}`, v])),
      checkoutFixed: renderCheckoutPage(checkoutModel({}, { amountType: 'fixed', fixedAmount: '5.000' })),
    };
    let total = 0;
    for (const [name, html] of Object.entries(pages)) {
      const { checked, unlabelled } = labelCheck(html);
      total += checked;
      expect(unlabelled, name).toEqual([]);
      const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
      expect(new Set(ids).size, name).toBe(ids.length);
    }
    // invoice 3 radios, checkout 6, knet 5, card 5 (per language): the check did look at them.
    expect(total).toBeGreaterThanOrEqual(2 * (3 + 6 + 5 + 5));
    expect(labelCheck('<input id="a" name="a"/><label for="b">B</label>').unlabelled).toHaveLength(1);
  });
});

describe('result page', () => {
  it('shows a receipt after a successful payment', () => {
    const html = renderResultPage(resultModel());
    expect(html).toContain('<h1>Payment successful</h1>');
    const dl = /<dl class="details">[\s\S]*?<\/dl>/.exec(html)?.[0] ?? '';
    expect(text(dl).replace(/\s+/g, ' ')).toContain(
      'Amount 12.500 KWD Payment method KNET Card type KNET Card number 888888******0001 ' +
        'Date and time 20 March 2025, 14:05:09 Reference INV-2025-0042 Customer Ahmad Al-Sabah ' +
        'Payment token 84759201736459820174 Payment ID 100202512345678 Track ID TRK-20250331-000123',
    );
    expect(html).not.toContain('Try again');
  });

  it('leaves out what a payment does not have', () => {
    const html = renderResultPage(resultModel({}, { maskedCard: null, reference: null, customerName: null, method: 16, cardType: 'GOOGLE PAY' }));
    expect(html).not.toContain('<dt>Card number</dt>');
    expect(html).not.toContain('<dt>Reference</dt>');
    expect(html).not.toContain('<dt>Customer</dt>');
    expect(html).toContain('<dd>Google Pay</dd>');
  });

  it('words the failure and offers to try again when possible', () => {
    const html = renderResultPage(resultModel({ outcome: 'failure', reason: 'not_captured', retryHref: '/s/k3y' }));
    expect(html).toContain('<h1>Payment failed</h1>');
    expect(html).toContain(MESSAGES.en.failure.not_captured);
    expect(html).toContain('<a class="button primary" href="/s/k3y">Try again</a>');
    expect(html).toContain('TRK-20250331-000123');
    expect(html).not.toContain('Payment successful');

    const final = renderResultPage(resultModel({ outcome: 'failure', reason: 'declined', retryHref: null }));
    expect(final).toContain('Your bank declined the payment.');
    expect(final).not.toContain('Try again');

    const ar = renderResultPage(resultModel({ chrome: chrome({ lang: 'ar' }), outcome: 'failure', reason: 'expired_card', retryHref: '/s/k3y' }));
    expect(ar).toContain('<h1>فشلت عملية الدفع</h1>');
    expect(ar).toContain('البطاقة منتهية الصلاحية.');
    expect(ar).toContain('إعادة المحاولة</a>');
  });

  it('has a worded reason for every failure in both languages', () => {
    for (const lang of ['en', 'ar'] as const) {
      const reasons = Object.values(MESSAGES[lang].failure);
      expect(reasons.length).toBeGreaterThanOrEqual(9);
      for (const reason of reasons) expect(reason.length).toBeGreaterThan(10);
    }
  });
});

describe('error page', () => {
  const kinds: ErrorKind[] = ['not_found', 'session_expired', 'in_progress', 'not_payable', 'server_error'];

  it.each(kinds)('explains %s in the page language, then in the other', (kind) => {
    const en = renderErrorPage(errorModel({ kind, backHref: '/s/k3y' }));
    expect(en).toContain(`<h1>${MESSAGES.en.errors[kind].heading}</h1>`);
    expect(en).toContain(MESSAGES.en.errors[kind].text);
    expect(en).toContain(`<section class="card alt" lang="ar" dir="rtl"><p class="alt-heading">${MESSAGES.ar.errors[kind].heading}</p>`);
    expect(en).toContain(`<a class="button primary" href="/s/k3y">${MESSAGES.en.errors[kind].action}</a>`);

    const ar = renderErrorPage(errorModel({ kind, lang: 'ar', backHref: null }));
    expect(ar).toContain('<html lang="ar" dir="rtl">');
    expect(ar).toContain(`<h1>${MESSAGES.ar.errors[kind].heading}</h1>`);
    expect(ar).not.toContain('<a ');
  });

  it('gives each kind its own heading', () => {
    const headings = new Set(kinds.map((kind) => MESSAGES.ar.errors[kind].heading));
    expect(headings.size).toBe(kinds.length);
  });
});

describe('stylesheet and size', () => {
  it('is served under the hash of its body', () => {
    const hash = createHash('sha256').update(STYLESHEET.body).digest('hex');
    expect(STYLESHEET.href).toBe(`/assets/pages.${hash.slice(0, 10)}.css`);
    expect(STYLESHEET.etag).toBe(`"${hash.slice(0, 32)}"`);
    expect(STYLESHEET.body).toContain(':focus-visible{outline:3px solid');
    expect(STYLESHEET.body).not.toContain('/*');
  });

  it('uses logical properties only, so Arabic pages mirror', () => {
    expect(STYLESHEET.body).toContain('margin-inline');
    expect(STYLESHEET.body).not.toMatch(/(margin|padding|border)-(left|right)|[{;](left|right|float):|text-align:(left|right)/);
    expect(STYLESHEET.body).not.toMatch(/@import|url\(|@font-face/);
  });

  it('keeps the largest page and the stylesheet well under 50 KB', () => {
    const items = Array.from({ length: 25 }, (_, i) => ({ title: `Line item number ${i + 1}`, rate: '1.250', quantity: i + 1, amount: '1.250' }));
    const methods = [1, 2, 5, 7, 8, 9, 16].map((code) => ({ code, flow: code === 1 ? 'knet' : code >= 9 ? 'wallet' : 'card' }) as const);
    const pages = [
      ...Object.values(allPages('ar', 'arab')),
      renderInvoicePage(invoiceModel({ chrome: chrome({ lang: 'ar' }), methods, errors: { method: 'required' } }, { items })),
      renderPaymentForm(paymentModel({ chrome: chrome({ lang: 'ar' }), errors: { bank: 'required', cardNumber: 'invalid', pin: 'invalid' } })),
    ];
    const largest = Math.max(...pages.map((p) => Buffer.byteLength(p)));
    const css = Buffer.byteLength(STYLESHEET.body);
    expect(largest).toBeGreaterThan(3000);
    expect(largest + css).toBeLessThan(50 * 1024);
  });
});
