import { EVENT_ID_HEADER, SIGNATURE_HEADER, signatureHeader } from '@fawtara/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkers } from '../../server/src/modules/jobs/workers.ts';
import { createCustomer } from '../../server/src/test-support/customer.ts';
import { describeEngines } from '../../server/src/test-support/engines.ts';
import { eventually } from '../../server/src/test-support/eventually.ts';
import { startGateway, type TestGateway } from '../../server/src/test-support/gateway.ts';
import { startHttpReceiver, type HttpReceiver, type ReceivedRequest } from '../../server/src/test-support/http-receiver.ts';
import type { Client } from './client.ts';
import { WebhookVerificationError } from './errors.ts';
import { clientFor, invoiceParams, listen, type TestMerchant } from './testing/support.ts';
import { constructWebhookEvent, parseWebhookEvent, verifyWebhook, type WebhookEvent } from './webhook-events.ts';

/**
 * Webhooks as a merchant's endpoint meets them: a real payment on the hosted page, the real
 * worker delivering to a receiver on loopback, then the SDK verifying the raw body and header
 * with the secret it fetched through the API.
 */
describeEngines('SDK webhooks', (ctx) => {
  let gw: TestGateway;
  let m: TestMerchant;
  let client: Client;
  let receiver: HttpReceiver;
  let delivered: ReceivedRequest;
  let secrets: string[];
  let baseUrl: string;

  beforeAll(async () => {
    receiver = await startHttpReceiver();
    // A running clock: the job queue schedules by the database's clock.
    gw = await startGateway(ctx.db, { now: 'running', retryBackoffMs: () => 150 });
    baseUrl = await listen(gw);
    m = await gw.newMerchant({ paymentMethods: [1, 2, 16] });
    client = clientFor(baseUrl, m);
    await client.webhooks.updateSettings({ webhookUrl: `${receiver.url}/merchant` });
    await startWorkers(gw.services, { schedule: false });
  });
  afterAll(async () => {
    await gw.close();
    await receiver.close();
  });

  it('accepts a real delivered webhook and parses it into a typed event', async () => {
    const invoice = await client.invoices.create(invoiceParams({ allocatePayType: '16', referenceNumber: 'WH-SDK-1', expiresAt: '2099-12-31' }));
    const paid = await createCustomer(gw.app).payInvoice(new URL(invoice.url).pathname, 16, {});
    expect(paid.status).toBe(303);
    delivered = await eventually(async () => receiver.received.find((r) => r.path === '/merchant' && JSON.parse(r.rawBody).invoice_id === invoice.id), {
      what: 'the webhook',
    });
    secrets = await client.webhooks.secrets();

    const header = delivered.headers[SIGNATURE_HEADER];
    expect(client.webhooks.verify(delivered.rawBody, header, secrets)).toEqual({ ok: true, timestamp: expect.any(Number) });
    // Bytes verify the same as text; the client's default secret serves when none is passed.
    expect(verifyWebhook(Buffer.from(delivered.rawBody, 'utf8'), header, secrets).ok).toBe(true);
    const endpoint = clientFor(baseUrl, m, { webhookSecret: secrets });
    expect(endpoint.webhooks.constructEvent(delivered.rawBody, header).event_id).toBe(delivered.headers[EVENT_ID_HEADER]);
    expect(() => client.webhooks.verify(delivered.rawBody, header)).toThrow(/No webhook signing secret/);

    const event: WebhookEvent = client.webhooks.constructEvent(delivered.rawBody, header, secrets);
    expect(event).toMatchObject({
      event_id: delivered.headers[EVENT_ID_HEADER],
      event_type: 'invoice.paid',
      status: 'SUCCESSFUL',
      amount: '12.500',
      reference_number: 'WH-SDK-1',
      payment_type: expect.any(String),
      service_type: 'SMS Payment',
      invoice_id: invoice.id,
      open_invoice_id: null,
    });
    expect(event.transaction).toMatchObject({ status: 'SUCCESSFUL', payment_method: '16', invoice_id: invoice.id, amount: '12.500' });
    expect(client.webhooks.parse(delivered.rawBody)).toEqual(event);
    // The same event, as the enquiry sees it.
    expect((await client.transactions.enquire(event.token!)).data?.token).toBe(event.transaction!.token);
  });

  it('rejects a tampered body, a stale or future timestamp, another secret, and a missing header', () => {
    const header = delivered.headers[SIGNATURE_HEADER] as string;
    const t = Number(/t=(\d+)/.exec(header)![1]);
    const tampered = delivered.rawBody.replace('"12.500"', '"1.250"');
    expect(tampered).not.toBe(delivered.rawBody);
    expect(client.webhooks.verify(tampered, header, secrets, { nowSeconds: t })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(client.webhooks.verify(delivered.rawBody, header, secrets, { nowSeconds: t + 301 })).toEqual({ ok: false, reason: 'stale_timestamp' });
    expect(client.webhooks.verify(delivered.rawBody, header, secrets, { nowSeconds: t - 301 })).toEqual({ ok: false, reason: 'stale_timestamp' });
    // The tolerance window is the caller's to choose.
    expect(client.webhooks.verify(delivered.rawBody, header, secrets, { nowSeconds: t + 301, toleranceSeconds: 600 }).ok).toBe(true);
    expect(client.webhooks.verify(delivered.rawBody, header, secrets, { nowSeconds: t + 60, toleranceSeconds: 30 })).toEqual({
      ok: false,
      reason: 'stale_timestamp',
    });
    expect(client.webhooks.verify(delivered.rawBody, header, ['whsec_someone_elses_secret_0123456789abcdef'], { nowSeconds: t })).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    // Signed correctly, but with a secret that is not the merchant's.
    const forged = signatureHeader(delivered.rawBody, ['whsec_attacker'], t);
    expect(client.webhooks.verify(delivered.rawBody, forged, secrets, { nowSeconds: t })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(client.webhooks.verify(delivered.rawBody, undefined, secrets)).toEqual({ ok: false, reason: 'missing_header' });
    expect(client.webhooks.verify(delivered.rawBody, 'garbage', secrets)).toEqual({ ok: false, reason: 'malformed_header' });

    for (const [body, sig, now, reason] of [
      [tampered, header, t, 'bad_signature'],
      [delivered.rawBody, header, t + 3600, 'stale_timestamp'],
      [delivered.rawBody, forged, t, 'bad_signature'],
    ] as const) {
      const err = (() => {
        try {
          client.webhooks.constructEvent(body, sig, secrets, { nowSeconds: now });
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err).toBeInstanceOf(WebhookVerificationError);
      expect(err).toMatchObject({ reason, code: 'invalid_webhook' });
    }
  });

  it('lists the event with its attempts, redelivers it, and verifies it with either secret after a rotation', async () => {
    const event = parseWebhookEvent(delivered.rawBody);
    const listed = await eventually(async () => {
      for await (const e of client.webhooks.listAllEvents({ perPage: 2 })) if (e.id === event.event_id && e.deliveries[0]?.status === 'delivered') return e;
      return undefined;
    });
    expect(listed).toMatchObject({
      type: 'invoice.paid',
      invoice_id: event.invoice_id,
      deliveries: [{ url: `${receiver.url}/merchant`, status: 'delivered', attempts: 1 }],
    });

    const old = secrets;
    const rotated = await client.webhooks.rotateSecret();
    expect(rotated.secrets).toHaveLength(2);
    expect(rotated.secrets[1]).toBe(old[0]);
    const from = receiver.received.length;
    expect(await client.webhooks.redeliver(event.event_id)).toEqual({ event_id: event.event_id, deliveries: 1 });
    const copy = await eventually(async () => receiver.received.slice(from).find((r) => r.headers[EVENT_ID_HEADER] === event.event_id));
    expect(copy.rawBody).toBe(delivered.rawBody);
    expect(constructWebhookEvent(copy.rawBody, copy.headers[SIGNATURE_HEADER], [rotated.secrets[0]!])).toEqual(event);
    expect(constructWebhookEvent(copy.rawBody, copy.headers[SIGNATURE_HEADER], old)).toEqual(event);
  });
});

describe('webhook parsing without a server', () => {
  it('refuses bodies that are not Fawtara events, and a missing secret', () => {
    expect(() => parseWebhookEvent('not json')).toThrow(WebhookVerificationError);
    expect(() => parseWebhookEvent('{"token":"1"}')).toThrow(/not a Fawtara event/);
    expect(() => parseWebhookEvent('[]')).toThrow(WebhookVerificationError);
    expect(() => verifyWebhook('{}', 't=1,v1=00', [])).toThrow(TypeError);
  });
});
