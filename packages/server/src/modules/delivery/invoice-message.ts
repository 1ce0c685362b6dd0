import { h, type ComponentChildren, type VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { CURRENCY, formatDate, moneyText, type Lang } from '../../lib/formatting.ts';
import type { MessageChannel, OutgoingMessage } from './message-sender.ts';

/**
 * What an invoice message says, on every channel, in English and Arabic. Pure: no I/O, no clock.
 *
 * - SMS and WhatsApp for a new or resent invoice follow the Hesabe contract: the create reply's
 *   `en_sms` / `ar_sms` (which end in "pay at") followed by a space and the link. A reminder is a
 *   short sentence of our own (amount, expiry, merchant) followed by the link.
 * - E-mail has a subject, a plain-text part and an HTML part. The HTML is rendered by preact, so
 *   every merchant- and customer-supplied text is escaped; it uses inline styles only (e-mail
 *   clients drop `<style>` and stylesheets) and tables only where the content is tabular.
 *
 * Digits: e-mail and SMS use Latin digits in both languages, also in Arabic, for reliability —
 * amounts and dates must read the same in every mail client, phone and search index, and the
 * Hesabe SMS texts themselves carry Latin digits. Dates are worded ("31 January 2025" /
 * "31 يناير 2025") so a reader never has to guess the order of day and month.
 */
export type InvoiceMessageReason = 'created' | 'resend' | 'reminder';

export interface InvoiceMessageItem {
  title: string;
  quantity: number;
  /** Money as the wire writes it, e.g. "5.000". */
  rate: string;
  amount: string;
}

export interface InvoiceMessageInput {
  channel: MessageChannel;
  lang: Lang;
  /** Digits for SMS/WhatsApp (`96566666666`), an address for e-mail. */
  to: string;
  reason: InvoiceMessageReason;
  merchantName: string;
  customerName: string;
  /** e.g. "12.500" */
  amount: string;
  currency: 'KWD';
  reference: string | null;
  token: string;
  description: string | null;
  /** `YYYY-MM-DD` */
  expiresOn: string;
  /** The customer's invoice page. */
  link: string;
  items: InvoiceMessageItem[];
  /** `smsTexts()` of the invoice (invoice-view.ts): the en_sms / ar_sms of the create reply. */
  smsText: { en: string; ar: string };
}

interface Words {
  reminderSms(money: string, merchant: string, date: string, link: string): string;
  subject(reason: InvoiceMessageReason, reference: string | null, merchant: string, money: string, date: string): string;
  greeting(customer: string): string;
  intro(reason: InvoiceMessageReason, merchant: string, money: string, date: string): string;
  amountDue: string;
  reference: string;
  description: string;
  items: string;
  item: string;
  quantity: string;
  rate: string;
  lineAmount: string;
  total: string;
  expires: string;
  payNow: string;
  linkFallback: string;
  footer(merchant: string): string;
}

const WORDS: Record<Lang, Words> = {
  en: {
    reminderSms: (money, merchant, date, link) => `Reminder: your invoice of ${money} from ${merchant} expires on ${date}. Pay at ${link}`,
    subject: (reason, reference, merchant, money, date) => {
      const invoice = reference === null ? 'invoice' : `invoice ${reference}`;
      return reason === 'reminder' ? `Reminder: ${invoice} from ${merchant} expires on ${date}` : `${capitalize(invoice)} from ${merchant}: ${money}`;
    },
    greeting: (customer) => `Hello ${customer},`,
    intro: (reason, merchant, money, date) => {
      switch (reason) {
        case 'created':
          return `${merchant} has sent you an invoice for ${money}.`;
        case 'resend':
          return `${merchant} has sent you this invoice for ${money} again.`;
        case 'reminder':
          return `This is a reminder that your invoice of ${money} from ${merchant} is still unpaid. It expires on ${date}.`;
      }
    },
    amountDue: 'Amount due',
    reference: 'Reference',
    description: 'Description',
    items: 'Items',
    item: 'Item',
    quantity: 'Quantity',
    rate: `Price (${CURRENCY.en})`,
    lineAmount: `Amount (${CURRENCY.en})`,
    total: 'Total',
    expires: 'Pay before',
    payNow: 'Pay now',
    linkFallback: 'If the button does not work, open this link:',
    footer: (merchant) => `You received this e-mail because ${merchant} issued you an invoice. If you have questions about it, please contact ${merchant}.`,
  },
  ar: {
    reminderSms: (money, merchant, date, link) => `تذكير: فاتورتك بمبلغ ${money} من ${merchant} تنتهي صلاحيتها في ${date}. ادفع عبر ${link}`,
    subject: (reason, reference, merchant, money, date) => {
      const invoice = reference === null ? 'فاتورة' : `فاتورة ${reference}`;
      return reason === 'reminder' ? `تذكير: ${invoice} من ${merchant} تنتهي صلاحيتها في ${date}` : `${invoice} من ${merchant}: ${money}`;
    },
    greeting: (customer) => `مرحباً ${customer}،`,
    intro: (reason, merchant, money, date) => {
      switch (reason) {
        case 'created':
          return `أرسل إليك ${merchant} فاتورة بمبلغ ${money}.`;
        case 'resend':
          return `أعاد ${merchant} إرسال هذه الفاتورة إليك بمبلغ ${money}.`;
        case 'reminder':
          return `نذكّرك بأن فاتورتك بمبلغ ${money} من ${merchant} لم تُدفع بعد، وتنتهي صلاحيتها في ${date}.`;
      }
    },
    amountDue: 'المبلغ المستحق',
    reference: 'المرجع',
    description: 'الوصف',
    items: 'البنود',
    item: 'البند',
    quantity: 'الكمية',
    rate: `السعر (${CURRENCY.ar})`,
    lineAmount: `المبلغ (${CURRENCY.ar})`,
    total: 'الإجمالي',
    expires: 'ادفع قبل',
    payNow: 'ادفع الآن',
    linkFallback: 'إذا لم يعمل الزر، افتح هذا الرابط:',
    footer: (merchant) => `وصلك هذا البريد لأن ${merchant} أصدر لك فاتورة. لأي استفسار عنها يرجى التواصل مع ${merchant}.`,
  },
};

/** "… 12.500 د.ك." closes a sentence by itself: no second full stop. */
function sentence(text: string): string {
  return text.replace(/\.\.$/, '.');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Merchant and customer texts may hold line breaks; a subject or a one-line field must not. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function composeInvoiceMessage(input: InvoiceMessageInput): OutgoingMessage {
  const { channel, lang, to, link } = input;
  if (channel === 'email') return composeEmail(input);
  const text =
    input.reason === 'reminder'
      ? WORDS[lang].reminderSms(money(input.amount, lang), oneLine(input.merchantName), date(input.expiresOn, lang), link)
      : `${input.smsText[lang]} ${link}`;
  return { channel, to, text };
}

function money(amount: string, lang: Lang): string {
  return moneyText(amount, lang, 'latn');
}

function date(day: string, lang: Lang): string {
  return formatDate(day, lang, 'latn');
}

function composeEmail(input: InvoiceMessageInput): OutgoingMessage {
  const { lang, reason } = input;
  const w = WORDS[lang];
  const merchant = oneLine(input.merchantName);
  const total = money(input.amount, lang);
  const expires = date(input.expiresOn, lang);
  const reference = input.reference ?? input.token;
  const subject = oneLine(w.subject(reason, input.reference === null ? null : oneLine(input.reference), merchant, total, expires));

  const intro = sentence(w.intro(reason, merchant, total, expires));
  const lines: string[] = [w.greeting(oneLine(input.customerName)), '', intro, ''];
  lines.push(`${w.amountDue}: ${total}`);
  lines.push(`${w.reference}: ${oneLine(reference)}`);
  if (input.description !== null && input.description.trim() !== '') lines.push(`${w.description}: ${input.description.trim()}`);
  lines.push(`${w.expires}: ${expires}`);
  if (input.items.length > 0) {
    lines.push('', `${w.items}:`);
    for (const it of input.items) lines.push(`- ${oneLine(it.title)}: ${it.quantity} × ${it.rate} = ${money(it.amount, lang)}`);
    lines.push(`${w.total}: ${total}`);
  }
  lines.push('', `${w.payNow}:`, input.link, '', '--', w.footer(merchant), '');
  const text = lines.join('\n');

  const html = `<!doctype html>${renderToString(emailHtml(input, { subject, intro, merchant, total, expires, reference }))}`;
  return { channel: 'email', to: input.to, subject, text, html, lang };
}

// Colours: text #1f2937 and muted #4b5563 on white, white on the #0b5394 button — all above 7:1.
const COLOR = { text: '#1f2937', muted: '#4b5563', rule: '#d1d5db', accent: '#0b5394', page: '#f3f4f6', panel: '#ffffff' };
const FONT = "font-family:Arial,'Helvetica Neue',Helvetica,Tahoma,sans-serif";

interface EmailParts {
  subject: string;
  intro: string;
  merchant: string;
  total: string;
  expires: string;
  reference: string;
}

function emailHtml(input: InvoiceMessageInput, parts: EmailParts): VNode {
  const { lang } = input;
  const w = WORDS[lang];
  const dir = lang === 'ar' ? 'rtl' : 'ltr';
  // Explicit sides: many e-mail clients ignore `start`/`end`.
  const start = dir === 'rtl' ? 'right' : 'left';
  const end = dir === 'rtl' ? 'left' : 'right';
  const p = (style: string, ...children: ComponentChildren[]) => h('p', { style: style.includes('margin') ? style : `margin:0 0 16px;${style}` }, ...children);
  const cell = `padding:8px;border-bottom:1px solid ${COLOR.rule};vertical-align:top`;
  const ltr = (text: string) => h('span', { dir: 'ltr' }, text);

  const facts: Array<[string, ComponentChildren]> = [
    [w.reference, ltrIfLatin(oneLine(parts.reference))],
    ...(input.description !== null && input.description.trim() !== '' ? [[w.description, input.description.trim()] as [string, ComponentChildren]] : []),
    [w.expires, parts.expires],
  ];

  return h(
    'html',
    { lang, dir },
    h(
      'head',
      null,
      h('meta', { charset: 'utf-8' }),
      h('meta', { name: 'viewport', content: 'width=device-width, initial-scale=1' }),
      h('meta', { name: 'color-scheme', content: 'light' }),
      h('title', null, parts.subject),
    ),
    h(
      'body',
      { style: `margin:0;padding:0;background:${COLOR.page};color:${COLOR.text};${FONT};font-size:16px;line-height:1.5` },
      h(
        'div',
        { style: `max-width:600px;margin:0 auto;padding:24px;background:${COLOR.panel};text-align:${start}` },
        p(`font-size:14px;color:${COLOR.muted}`, parts.merchant),
        p('', w.greeting(oneLine(input.customerName))),
        p('', parts.intro),
        p('', `${w.amountDue}: `, h('strong', { style: 'font-size:22px' }, parts.total)),
        p(
          'margin:8px 0 24px',
          h(
            'a',
            {
              href: input.link,
              style: `display:inline-block;padding:12px 28px;background:${COLOR.accent};color:#ffffff;font-weight:bold;font-size:18px;text-decoration:none;border-radius:6px`,
            },
            w.payNow,
          ),
        ),
        ...facts.map(([label, value]) => p('', h('strong', null, `${label}: `), value)),
        input.items.length === 0
          ? null
          : h(
              'table',
              { style: `width:100%;border-collapse:collapse;margin:8px 0 24px;font-size:15px;color:${COLOR.text}` },
              h('caption', { style: `text-align:${start};font-weight:bold;padding:0 0 8px` }, w.items),
              h(
                'thead',
                null,
                h(
                  'tr',
                  null,
                  h('th', { scope: 'col', style: `${cell};text-align:${start}` }, w.item),
                  h('th', { scope: 'col', style: `${cell};text-align:${end}` }, w.quantity),
                  h('th', { scope: 'col', style: `${cell};text-align:${end}` }, w.rate),
                  h('th', { scope: 'col', style: `${cell};text-align:${end}` }, w.lineAmount),
                ),
              ),
              h(
                'tbody',
                null,
                ...input.items.map((it) =>
                  h(
                    'tr',
                    null,
                    h('td', { style: `${cell};text-align:${start}` }, it.title),
                    h('td', { style: `${cell};text-align:${end}` }, String(it.quantity)),
                    h('td', { style: `${cell};text-align:${end};white-space:nowrap` }, it.rate),
                    h('td', { style: `${cell};text-align:${end};white-space:nowrap` }, it.amount),
                  ),
                ),
              ),
              h(
                'tfoot',
                null,
                h(
                  'tr',
                  null,
                  h('th', { scope: 'row', colSpan: 3, style: `padding:8px;text-align:${start}` }, w.total),
                  h('td', { style: `padding:8px;text-align:${end};font-weight:bold;white-space:nowrap` }, parts.total),
                ),
              ),
            ),
        p(
          `font-size:14px;color:${COLOR.muted}`,
          w.linkFallback,
          h('br', null),
          h('a', { href: input.link, style: `color:${COLOR.accent};word-break:break-all` }, ltr(input.link)),
        ),
        h('hr', { style: `border:0;border-top:1px solid ${COLOR.rule};margin:24px 0 16px` }),
        h('p', { style: `margin:0;font-size:13px;color:${COLOR.muted}` }, w.footer(parts.merchant)),
      ),
    ),
  );
}

/** A Latin identifier (INV-1/2025) inside Arabic text keeps its own order when marked ltr. */
function ltrIfLatin(text: string): ComponentChildren {
  return /^[\x20-\x7e]+$/.test(text) ? h('span', { dir: 'ltr' }, text) : text;
}
