import { describe, expect, it } from 'vitest';
import { composeInvoiceMessage, type InvoiceMessageInput } from './invoice-message.ts';

const LINK = 'https://pay.example.com/s/AbCdEf123';
const SMS = {
  en: 'Hi Sara , \r\nYour transaction amount is KD 12.500 with the ref no : INV-1 . Review and pay at',
  ar: 'hi Sara,\r\nمبلغ الصفقة هو دينار كويتي 12.500 مع المرجع رقم: INV-1. مراجعة وتدفع في',
};

function input(over: Partial<InvoiceMessageInput> = {}): InvoiceMessageInput {
  return {
    channel: 'email',
    lang: 'en',
    to: 'sara@example.com',
    reason: 'created',
    merchantName: 'Acme',
    customerName: 'Sara',
    amount: '12.500',
    currency: 'KWD',
    reference: 'INV-1',
    token: '8417596678339677489',
    description: 'October services',
    expiresOn: '2025-01-31',
    link: LINK,
    items: [
      { title: 'Widget', quantity: 2, rate: '5.000', amount: '10.000' },
      { title: 'Delivery', quantity: 1, rate: '2.500', amount: '2.500' },
    ],
    smsText: SMS,
    ...over,
  };
}

describe('composeInvoiceMessage: SMS and WhatsApp', () => {
  for (const channel of ['sms', 'whatsapp'] as const) {
    for (const reason of ['created', 'resend'] as const) {
      it(`${channel} ${reason}: the Hesabe en_sms / ar_sms followed by the link`, () => {
        const en = composeInvoiceMessage(input({ channel, reason, lang: 'en', to: '96566666666' }));
        expect(en).toEqual({ channel, to: '96566666666', text: `${SMS.en} ${LINK}` });
        const ar = composeInvoiceMessage(input({ channel, reason, lang: 'ar', to: '96566666666' }));
        expect(ar).toEqual({ channel, to: '96566666666', text: `${SMS.ar} ${LINK}` });
      });
    }

    it(`${channel} reminder: a short sentence with amount, expiry and merchant, then the link`, () => {
      const en = composeInvoiceMessage(input({ channel, reason: 'reminder', lang: 'en', to: '96566666666' }));
      expect(en.text).toBe(`Reminder: your invoice of 12.500 KWD from Acme expires on 31 January 2025. Pay at ${LINK}`);
      expect(en.subject).toBeUndefined();
      expect(en.html).toBeUndefined();
      const ar = composeInvoiceMessage(input({ channel, reason: 'reminder', lang: 'ar', to: '96566666666' }));
      expect(ar.text).toBe(`تذكير: فاتورتك بمبلغ 12.500 د.ك. من Acme تنتهي صلاحيتها في 31 يناير 2025. ادفع عبر ${LINK}`);
      expect(ar.text.endsWith(` ${LINK}`)).toBe(true);
    });
  }
});

describe('composeInvoiceMessage: e-mail', () => {
  it('English invoice: subject, plain text and HTML', () => {
    const m = composeInvoiceMessage(input());
    expect(m.channel).toBe('email');
    expect(m.to).toBe('sara@example.com');
    expect(m.lang).toBe('en');
    expect(m.subject).toBe('Invoice INV-1 from Acme: 12.500 KWD');
    expect(m.text).toContain('Hello Sara,');
    expect(m.text).toContain('Acme has sent you an invoice for 12.500 KWD.');
    expect(m.text).toContain('Reference: INV-1');
    expect(m.text).toContain('Description: October services');
    expect(m.text).toContain('- Widget: 2 × 5.000 = 10.000 KWD');
    expect(m.text).toContain('Pay before: 31 January 2025');
    expect(m.text.split('\n')).toContain(LINK); // the link on its own line

    const html = m.html ?? '';
    expect(html.startsWith('<!doctype html><html lang="en" dir="ltr">')).toBe(true);
    expect(html).toContain('<title>Invoice INV-1 from Acme: 12.500 KWD</title>');
    expect(html).toMatch(new RegExp(`<a href="${LINK}" style="[^"]*background:#0b5394[^"]*">Pay now</a>`));
    expect(html).toContain('<th scope="col"');
    expect(html).toMatch(/<th scope="col"[^>]*>Price \(KWD\)<\/th>/);
    expect(html).toMatch(/<th scope="row" colspan="3"[^>]*>Total<\/th><td[^>]*>12\.500 KWD<\/td>/);
    expect(html).toContain('>Widget</td>');
    expect(html).toContain(`<span dir="ltr">${LINK}</span>`);
    expect(html).not.toContain('<style');
    expect(html).not.toContain('<script');
  });

  it('Arabic invoice: Arabic subject with Latin digits, rtl HTML', () => {
    const m = composeInvoiceMessage(input({ lang: 'ar' }));
    expect(m.lang).toBe('ar');
    expect(m.subject).toBe('فاتورة INV-1 من Acme: 12.500 د.ك.');
    expect(m.text).toContain('مرحباً Sara،');
    expect(m.text).toContain('أرسل إليك Acme فاتورة بمبلغ 12.500 د.ك.');
    expect(m.text).toContain('المرجع: INV-1');
    expect(m.text).toContain('ادفع قبل: 31 يناير 2025');
    expect(m.text.split('\n')).toContain(LINK);
    expect(m.text).not.toMatch(/[٠-٩]/);
    expect(m.text).not.toContain('د.ك..'); // the currency's own full stop ends the sentence
    const html = m.html ?? '';
    expect(html.startsWith('<!doctype html><html lang="ar" dir="rtl">')).toBe(true);
    expect(html).toContain('>ادفع الآن</a>');
    expect(html).toContain('text-align:right');
    expect(html).toContain('>البند</th>');
    expect(html).toContain('>السعر (د.ك.)</th>');
  });

  it('resend and reminder have their own wording and subjects', () => {
    const resend = composeInvoiceMessage(input({ reason: 'resend' }));
    expect(resend.subject).toBe('Invoice INV-1 from Acme: 12.500 KWD');
    expect(resend.text).toContain('Acme has sent you this invoice for 12.500 KWD again.');

    const reminder = composeInvoiceMessage(input({ reason: 'reminder' }));
    expect(reminder.subject).toBe('Reminder: invoice INV-1 from Acme expires on 31 January 2025');
    expect(reminder.text).toContain('is still unpaid. It expires on 31 January 2025.');
    expect(reminder.html).toContain('is still unpaid');

    const arResend = composeInvoiceMessage(input({ reason: 'resend', lang: 'ar' }));
    expect(arResend.text).toContain('أعاد Acme إرسال هذه الفاتورة إليك');
    const arReminder = composeInvoiceMessage(input({ reason: 'reminder', lang: 'ar' }));
    expect(arReminder.subject).toBe('تذكير: فاتورة INV-1 من Acme تنتهي صلاحيتها في 31 يناير 2025');
    expect(arReminder.text).toContain('لم تُدفع بعد');
  });

  it('without reference, description or items: the token stands in, nothing empty is shown', () => {
    const m = composeInvoiceMessage(input({ reference: null, description: null, items: [] }));
    expect(m.subject).toBe('Invoice from Acme: 12.500 KWD');
    expect(m.text).toContain('Reference: 8417596678339677489');
    expect(m.text).not.toContain('Description');
    expect(m.text).not.toContain('Items');
    expect(m.html).not.toContain('<table');
    expect(composeInvoiceMessage(input({ reference: null, lang: 'ar' })).subject).toBe('فاتورة من Acme: 12.500 د.ك.');
  });

  it('escapes merchant and customer text in HTML and keeps line breaks out of the subject', () => {
    const m = composeInvoiceMessage(
      input({
        customerName: '<script>alert(1)</script>',
        merchantName: 'Acme & Sons\r\nBcc: victim@example.com',
        description: '<img src=x onerror=alert(1)>',
        items: [{ title: '"quoted" <b>bold</b>', quantity: 1, rate: '12.500', amount: '12.500' }],
      }),
    );
    const html = m.html ?? '';
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script>alert(1)&lt;/script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>bold');
    expect(html).toContain('Acme &amp; Sons');
    expect(m.subject).toBe('Invoice INV-1 from Acme & Sons Bcc: victim@example.com: 12.500 KWD');
    expect(m.subject).not.toMatch(/[\r\n]/);
  });
});
