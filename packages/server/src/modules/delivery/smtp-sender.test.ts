import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodedText, headerOf, startSmtpCatcher, type SmtpCatcher } from '../../test-support/smtp-catcher.ts';
import { composeInvoiceMessage, type InvoiceMessageInput } from './invoice-message.ts';
import { createSmtpSender } from './smtp-sender.ts';

const LINK = 'https://pay.example.com/s/AbCdEf123';
const FROM = 'Fawtara <billing@fawtara.test>';

function invoice(over: Partial<InvoiceMessageInput> = {}): InvoiceMessageInput {
  return {
    channel: 'email',
    lang: 'en',
    to: 'sara@example.com',
    reason: 'created',
    merchantName: 'Acme Trading',
    customerName: 'Sara',
    amount: '12.500',
    currency: 'KWD',
    reference: 'INV-1',
    token: '8417596678339677489',
    description: 'October services',
    expiresOn: '2025-01-31',
    link: LINK,
    items: [
      { title: 'Blue widget', quantity: 2, rate: '5.000', amount: '10.000' },
      { title: 'Delivery', quantity: 1, rate: '2.500', amount: '2.500' },
    ],
    smsText: { en: 'unused', ar: 'unused' },
    ...over,
  };
}

/** The decoded HTML part alone (decodedText joins every part). */
function htmlPart(raw: string): string {
  const part = raw.split(/\r?\n--[^\r\n]+\r?\n/).find((p) => /content-type: text\/html/i.test(p.split(/\r?\n\r?\n/, 1)[0] ?? ''));
  return part === undefined ? '' : decodedText(`\r\n--b\r\n${part}`);
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** An SMTP server that refuses every recipient with the given reply. */
async function startRefusingServer(responseCode: number, message: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(_address, _session, callback) {
      callback(Object.assign(new Error(message), { responseCode }));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

let catcher: SmtpCatcher;
const senders: Array<{ close(): void }> = [];
beforeAll(async () => {
  catcher = await startSmtpCatcher();
});
afterEach(() => {
  for (const s of senders.splice(0)) s.close();
});
afterAll(async () => {
  await catcher.close();
});

function sender(url: string, timeoutMs?: number) {
  const s = createSmtpSender({ url, from: FROM, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
  senders.push(s);
  return s;
}

describe('createSmtpSender', () => {
  it('delivers an English and an Arabic invoice e-mail', async () => {
    const smtp = sender(catcher.url);
    expect(smtp.name).toBe('smtp');
    const before = catcher.messages.length;

    const en = await smtp.send(composeInvoiceMessage(invoice()));
    expect(en.ok).toBe(true);
    expect(en.providerResponse).toMatch(/^250 /);
    const ar = await smtp.send(composeInvoiceMessage(invoice({ lang: 'ar', to: 'layla@example.com', customerName: 'ليلى' })));
    expect(ar.ok).toBe(true);

    const [enMail, arMail] = (await catcher.waitFor(before + 2)).slice(before);
    expect(enMail?.to).toEqual(['sara@example.com']);
    expect(enMail?.from).toBe('billing@fawtara.test');
    const enRaw = enMail?.raw ?? '';
    expect(headerOf(enRaw, 'Subject')).toBe('Invoice INV-1 from Acme Trading: 12.500 KWD');
    expect(headerOf(enRaw, 'To')).toBe('sara@example.com');
    expect(headerOf(enRaw, 'Content-Language')).toBe('en');
    const enText = decodedText(enRaw);
    for (const s of [LINK, '12.500 KWD', 'Acme Trading', 'Blue widget']) expect(enText).toContain(s);
    expect(htmlPart(enRaw)).toContain('dir="ltr"');

    expect(arMail?.to).toEqual(['layla@example.com']);
    const arRaw = arMail?.raw ?? '';
    expect(headerOf(arRaw, 'Subject')).toBe('فاتورة INV-1 من Acme Trading: 12.500 د.ك.');
    expect(headerOf(arRaw, 'Content-Language')).toBe('ar');
    const arText = decodedText(arRaw);
    for (const s of [LINK, '12.500 د.ك.', 'Acme Trading', 'Blue widget', 'مرحباً ليلى', 'ادفع الآن']) expect(arText).toContain(s);
    expect(htmlPart(arRaw)).toContain('<html lang="ar" dir="rtl">');
  });

  it('escapes a <script> in the customer name in the HTML part', async () => {
    const smtp = sender(catcher.url);
    const before = catcher.messages.length;
    const result = await smtp.send(composeInvoiceMessage(invoice({ customerName: '<script>alert("x")</script>' })));
    expect(result.ok).toBe(true);
    const [mail] = (await catcher.waitFor(before + 1)).slice(before);
    const html = htmlPart(mail?.raw ?? '');
    expect(html).toContain('Hello &lt;script>alert(&quot;x&quot;)&lt;/script>,');
    expect(html).not.toContain('<script');
  });

  it('a refused connection is transient', async () => {
    const smtp = sender(`smtp://127.0.0.1:${await closedPort()}`);
    const result = await smtp.send(composeInvoiceMessage(invoice()));
    expect(result).toMatchObject({ ok: false, permanent: false });
    expect(result.ok ? '' : result.error).toMatch(/ECONNREFUSED/);
  });

  it('a server that never greets times out, transient', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const smtp = sender(`smtp://127.0.0.1:${(silent.address() as AddressInfo).port}`, 300);
      const started = Date.now();
      const result = await smtp.send(composeInvoiceMessage(invoice()));
      expect(result).toMatchObject({ ok: false, permanent: false });
      expect(result.ok ? '' : result.error).toMatch(/ETIMEDOUT/);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('a recipient refused with 550 is permanent; with 451 transient', async () => {
    const refusing = await startRefusingServer(550, 'Mailbox unavailable');
    try {
      const result = await sender(refusing.url).send(composeInvoiceMessage(invoice()));
      expect(result).toMatchObject({ ok: false, permanent: true });
      expect(result.providerResponse).toMatch(/^550 /);
      expect(result.providerResponse).toContain('Mailbox unavailable');
    } finally {
      await refusing.close();
    }
    const busy = await startRefusingServer(451, 'Try again later');
    try {
      const result = await sender(busy.url).send(composeInvoiceMessage(invoice()));
      expect(result).toMatchObject({ ok: false, permanent: false });
      expect(result.providerResponse).toMatch(/^451 /);
    } finally {
      await busy.close();
    }
  });

  it('an invalid or multiple address is permanent and never reaches the server', async () => {
    const smtp = sender(catcher.url);
    const before = catcher.messages.length;
    for (const to of ['not-an-address', 'a@example.com, b@example.com', 'Eve <eve@example.com>', 'a@b']) {
      const result = await smtp.send({ ...composeInvoiceMessage(invoice()), to });
      expect(result).toMatchObject({ ok: false, permanent: true, error: 'invalid e-mail address' });
    }
    expect(catcher.messages.length).toBe(before);
    const sms = await smtp.send({ channel: 'sms', to: '96566666666', text: 'hello' });
    expect(sms).toMatchObject({ ok: false, permanent: true });
  });
});
