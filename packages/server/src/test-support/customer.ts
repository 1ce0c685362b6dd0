import type { FastifyInstance } from 'fastify';

/**
 * A customer's browser, without a browser: keeps the cookie, reads the CSRF token out of each
 * form and posts forms the way a browser would (url-encoded, same origin). The real-browser
 * tests in e2e/ do the same through Chromium; these run on every engine in milliseconds.
 */
export interface PageResult {
  status: number;
  html: string;
  headers: Record<string, unknown>;
  /** The CSRF token of the page's form, if it has one. */
  csrf: string | undefined;
  location: string | undefined;
}

/** A payable URL-only invoice of 12.500 KWD (KNET or card) for `merchantCode`, as the API takes it; it expires in 90 days, whenever the tests run. */
export function payableInvoice(merchantCode: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    merchantCode,
    mobileNumber: '66666666',
    customerName: 'Customer',
    amount: '12.500',
    countryCode: '965',
    invoiceType: '0',
    invoiceSubType: '3',
    allocatePayType: '1,2',
    expiresAt: new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10),
    ...over,
  };
}

export const KNET_OK = { bank: 'NBK', cardNumber: '8888880000000001', expiryMonth: '09', expiryYear: '25', pin: '1234' };
export const KNET_WRONG_EXPIRY = { ...KNET_OK, expiryMonth: '10' };
export const VISA_OK = { cardNumber: '4012001037141112', expiryMonth: '12', expiryYear: '25', cvv: '207', nameOnCard: 'Test Customer' };
export const VISA_DECLINED = { ...VISA_OK, expiryMonth: '11' };

const ENTITIES: Record<string, string> = { '&amp;': '&', '&quot;': '"', '&lt;': '<', '&gt;': '>', '&#39;': "'" };

/** The value attribute of the named input, unescaped as a browser would submit it. */
export function inputValue(html: string, name: string): string | undefined {
  const tag = new RegExp(`<input[^>]*name="${name}"[^>]*>`).exec(html)?.[0];
  const raw = tag ? /value="([^"]*)"/.exec(tag)?.[1] : undefined;
  return raw?.replace(/&(amp|quot|lt|gt|#39);/g, (e) => ENTITIES[e]!);
}

export function createCustomer(app: FastifyInstance) {
  let cookie: string | undefined;
  // Tokens belong to the browser's cookie, not to one page: a form left open in another tab
  // (say, before someone else paid) still carries a valid one.
  let lastCsrf: string | undefined;

  function result(res: Awaited<ReturnType<FastifyInstance['inject']>>): PageResult {
    const setCookie = res.headers['set-cookie'];
    const first = Array.isArray(setCookie) ? setCookie[0] : setCookie;
    if (typeof first === 'string') cookie = first.split(';')[0];
    const location = res.headers.location;
    const csrf = inputValue(res.body, 'csrf') ?? lastCsrf;
    lastCsrf = csrf;
    return { status: res.statusCode, html: res.body, headers: res.headers, csrf, location: typeof location === 'string' ? location : undefined };
  }

  return {
    get cookie() {
      return cookie;
    },

    async get(url: string, method: 'GET' | 'HEAD' = 'GET'): Promise<PageResult> {
      return result(await app.inject({ method, url, headers: cookie ? { cookie } : {} }));
    },

    async post(url: string, fields: Record<string, string | undefined>, headers: Record<string, string> = {}): Promise<PageResult> {
      const body = new URLSearchParams();
      for (const [k, v] of Object.entries(fields)) if (v !== undefined) body.set(k, v);
      return result(
        await app.inject({
          method: 'POST',
          url,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            ...(cookie ? { cookie } : {}),
            ...headers,
          },
          payload: body.toString(),
        }),
      );
    },

    /** Opens the invoice page, chooses `method`, submits `card`; returns the final response (a 303 on a taken payment). */
    async payInvoice(path: string, method: number, card: Record<string, string>, lang = 'en'): Promise<PageResult> {
      const page = await this.get(`${path}?lang=${lang}`);
      const form = await this.post(`${path}/method`, { csrf: page.csrf, lang, method: String(method) });
      if (form.status !== 200) return form;
      return this.post(`${path}/pay`, { csrf: form.csrf, lang, method: String(method), ...card });
    },

    /** The open-invoice checkout in two steps, as a browser would submit it. */
    async payOpenInvoice(path: string, details: Record<string, string>, card: Record<string, string>, lang = 'en'): Promise<PageResult> {
      const page = await this.get(`${path}?lang=${lang}`);
      const form = await this.post(`${path}/method`, { csrf: page.csrf, lang, ...details });
      if (form.status !== 200) return form;
      const hidden: Record<string, string> = {};
      for (const f of ['method', 'amount', 'customerName', 'customerMobile', 'customerEmail']) hidden[f] = inputValue(form.html, f) ?? '';
      return this.post(`${path}/pay`, { csrf: form.csrf, lang, ...hidden, ...card });
    },
  };
}
