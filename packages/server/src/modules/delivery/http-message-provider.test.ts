import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHttpReceiver, type HttpReceiver } from '../../test-support/http-receiver.ts';
import { createHttpMessageProvider } from './http-message-provider.ts';
import type { HttpPost } from './message-sender.ts';

const post: HttpPost = async (url, body, headers) => {
  const res = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(2000) });
  return { status: res.status, body: await res.text() };
};

const LINK = 'https://pay.example.com/s/AbCdEf123';
const EN_SMS = 'Hi Sara , \r\nYour transaction amount is KD 12.500 with the ref no : INV-1 . Review and pay at';
const AR_SMS = 'hi Sara,\r\nمبلغ الصفقة هو دينار كويتي 12.500 مع المرجع رقم: INV-1. مراجعة وتدفع في';
const TOKEN = 'sk_live_9c1f0e7d5b3a4c2e8f6a1b0d';

let receiver: HttpReceiver;
beforeAll(async () => {
  receiver = await startHttpReceiver();
});
afterAll(async () => {
  await receiver.close();
});
beforeEach(() => {
  receiver.received.length = 0;
  receiver.setFallback(200);
});

describe('createHttpMessageProvider', () => {
  it('SMS: posts the default JSON body with the expected headers', async () => {
    receiver.script({ status: 200, body: '{"id":"msg-1","status":"queued"}' });
    const sms = createHttpMessageProvider({ name: 'sms', url: `${receiver.url}/send`, post, headers: { 'X-Sender-Id': 'Fawtara' } });
    const text = `${EN_SMS} ${LINK}`;
    const result = await sms.send({ channel: 'sms', to: '96566666666', text });
    expect(result).toEqual({ ok: true, providerResponse: '{"id":"msg-1","status":"queued"}' });
    const [req] = receiver.received;
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/send');
    expect(req?.rawBody).toBe(`{"to":"96566666666","text":${JSON.stringify(text)},"channel":"sms"}`);
    expect(JSON.parse(req?.rawBody ?? '')).toEqual({ to: '96566666666', text, channel: 'sms' });
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers['x-sender-id']).toBe('Fawtara');
    expect(req?.headers.authorization).toBeUndefined();
  });

  it('WhatsApp: Arabic text arrives intact, token sent as bearer and never returned', async () => {
    // A provider that echoes the request, token included, must not leak it into our records.
    receiver.script({ status: 202, body: `{"accepted":true,"auth":"Bearer ${TOKEN}"}` });
    const wa = createHttpMessageProvider({ name: 'whatsapp', url: `${receiver.url}/wa`, post, token: TOKEN });
    const text = `${AR_SMS} ${LINK}`;
    const result = await wa.send({ channel: 'whatsapp', to: '96566666666', text });
    expect(result.ok).toBe(true);
    expect(JSON.stringify(result)).not.toContain(TOKEN);
    expect(result.providerResponse).toContain('[redacted]');
    const [req] = receiver.received;
    expect(req?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(JSON.parse(req?.rawBody ?? '')).toEqual({ to: '96566666666', text, channel: 'whatsapp' });
  });

  it('a custom template yields valid JSON whatever the text holds', async () => {
    const sms = createHttpMessageProvider({
      name: 'sms',
      url: receiver.url,
      post,
      bodyTemplate: '{"msisdn":{{to}},"message":{{text}},"sender":"Fawtara"}',
    });
    const text = 'مرحباً "Sara" \\ {{to}}\nline two\ttab \u2028 end';
    const result = await sms.send({ channel: 'sms', to: '96566666666', text });
    expect(result.ok).toBe(true);
    const body = JSON.parse(receiver.received[0]?.rawBody ?? '') as unknown;
    expect(body).toEqual({ msisdn: '96566666666', message: text, sender: 'Fawtara' });
  });

  it('classifies failures: 500, 503, 429, 408 and a dropped connection are transient; 400, 401, 404 are permanent', async () => {
    const sms = createHttpMessageProvider({ name: 'sms', url: receiver.url, post, token: TOKEN });
    const send = () => sms.send({ channel: 'sms', to: '96566666666', text: 'hello' });

    receiver.script({ status: 500, body: 'upstream down' }, 503, 429, 408, 'drop', { status: 400, body: '{"error":"invalid msisdn"}' }, 401, 404);
    const r500 = await send();
    expect(r500).toEqual({ ok: false, permanent: false, providerResponse: 'HTTP 500: upstream down', error: 'sms answered HTTP 500' });
    expect(await send()).toMatchObject({ ok: false, permanent: false, error: 'sms answered HTTP 503' });
    expect(await send()).toMatchObject({ ok: false, permanent: false, error: 'sms answered HTTP 429' });
    expect(await send()).toMatchObject({ ok: false, permanent: false, error: 'sms answered HTTP 408' });
    const dropped = await send();
    expect(dropped).toMatchObject({ ok: false, permanent: false });
    expect(dropped.ok ? '' : dropped.error).toMatch(/^sms: /);
    const r400 = await send();
    expect(r400).toEqual({ ok: false, permanent: true, providerResponse: 'HTTP 400: {"error":"invalid msisdn"}', error: 'sms answered HTTP 400' });
    expect(await send()).toMatchObject({ ok: false, permanent: true, error: 'sms answered HTTP 401' });
    expect(await send()).toMatchObject({ ok: false, permanent: true, error: 'sms answered HTTP 404' });
  });

  it('a request that times out or cannot connect is transient and carries the error message', async () => {
    receiver.script('hang');
    const sms = createHttpMessageProvider({ name: 'sms', url: receiver.url, post });
    const hung = await sms.send({ channel: 'sms', to: '96566666666', text: 'hello' });
    expect(hung).toMatchObject({ ok: false, permanent: false });
    expect(hung.ok ? '' : hung.error).toMatch(/timeout|aborted/i);

    const throwing: HttpPost = async () => {
      throw new Error(`connect ECONNREFUSED (token ${TOKEN})`);
    };
    const down = createHttpMessageProvider({ name: 'sms', url: receiver.url, post: throwing, token: TOKEN });
    const result = await down.send({ channel: 'sms', to: '96566666666', text: 'hello' });
    expect(result).toMatchObject({ ok: false, permanent: false });
    expect(result).toMatchObject({ providerResponse: '', error: 'sms: connect ECONNREFUSED (token [redacted])' });
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });

  it('truncates a long response body to 500 characters', async () => {
    receiver.script({ status: 200, body: 'x'.repeat(2000) });
    const sms = createHttpMessageProvider({ name: 'sms', url: receiver.url, post });
    const result = await sms.send({ channel: 'sms', to: '96566666666', text: 'hello' });
    expect(result.ok).toBe(true);
    expect(result.providerResponse).toHaveLength(500);
  });

  it('rejects an invalid template or URL at creation, naming the problem', () => {
    const make = (bodyTemplate: string) => () => createHttpMessageProvider({ name: 'sms', url: receiver.url, post, bodyTemplate });
    expect(make('{"to":"{{to}}","text":"{{text}}"}')).toThrow(/bodyTemplate is not valid JSON.*complete JSON string/);
    expect(make('{"to":{{to}},"text":{{text}}')).toThrow(/bodyTemplate is not valid JSON/);
    expect(make('{"to":{{to}},"text":{{message}}}')).toThrow(/unknown placeholder \{\{message\}\}/);
    expect(make('{"text":{{text}}}')).toThrow(/must contain \{\{to\}\}/);
    expect(() => createHttpMessageProvider({ name: 'sms', url: 'not a url', post })).toThrow(/url is not a valid URL/);
    expect(() => createHttpMessageProvider({ name: 'sms', url: 'ftp://example.com', post })).toThrow(/http or https/);
    expect(() => createHttpMessageProvider({ name: 'sms', url: receiver.url, post, bodyTemplate: '[{{to}},{{text}},{{channel}}]' })).not.toThrow();
  });
});
