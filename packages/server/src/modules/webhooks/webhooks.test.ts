import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCustomer, KNET_OK, payableInvoice } from '../../test-support/customer.ts';
import { describeEngines } from '../../test-support/engines.ts';
import { eventually } from '../../test-support/eventually.ts';
import { startGateway, type TestGateway } from '../../test-support/gateway.ts';
import { startHttpReceiver, type HttpReceiver, type ReceivedRequest } from '../../test-support/http-receiver.ts';
import { startWorkers } from '../jobs/workers.ts';
import { EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, verifyWebhookSignature } from '@fawtara/wire';

type Merchant = Awaited<ReturnType<TestGateway['newMerchant']>>;

/**
 * Webhooks end to end: a payment on the hosted page, the real worker, a real receiver on
 * loopback that is down at first, signatures checked the way a merchant would.
 */
describeEngines('webhooks', (ctx) => {
  let gw: TestGateway;
  let m: Merchant;
  let receiver: HttpReceiver;

  const secrets = async (who = m) =>
    (await gw.call({ method: 'GET', url: '/api/v1/webhook-secret', as: who, payload: { merchantCode: who.merchantCode }, via: 'query' })).body.response
      .secrets as string[];
  const create = async (over: Record<string, unknown> = {}, who = m) => {
    const res = await gw.call({ url: '/api/v1/invoice', as: who, payload: payableInvoice(who.merchantCode, over) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.response as { id: number; token: string; url: string };
  };
  const deliveriesOf = async (invoiceId: number) =>
    (
      await ctx.db.executeSql(
        `SELECT d.url, d.status, d.attempts, e.id AS event_id, e.type FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
         WHERE e.invoice_id = $1 ORDER BY d.id`,
        [invoiceId],
      )
    ).rows;
  const allSettled = (invoiceId: number, count: number) =>
    eventually(
      async () => {
        const rows = await deliveriesOf(invoiceId);
        return rows.length >= count && rows.every((r) => r.status !== 'pending') ? rows : undefined;
      },
      { what: `webhooks of invoice ${invoiceId}` },
    );
  const to = (path: string, from = 0) => receiver.received.slice(from).filter((r) => r.path === path);
  const verify = (r: ReceivedRequest, keys: string[], nowSeconds?: number) =>
    verifyWebhookSignature(r.rawBody, r.headers[SIGNATURE_HEADER] as string | undefined, keys, nowSeconds === undefined ? {} : { nowSeconds });

  beforeAll(async () => {
    receiver = await startHttpReceiver();
    gw = await startGateway(ctx.db, { now: 'running', retryBackoffMs: () => 150 });
    m = await gw.newMerchant({ paymentMethods: [1, 2, 16] });
    await ctx.db.executeSql('UPDATE merchants SET webhook_url = $1 WHERE code = $2', [`${receiver.url}/merchant`, m.merchantCode]);
    await startWorkers(gw.services, { schedule: false });
  });
  afterAll(async () => {
    await gw.close();
    await receiver.close();
  });

  it('a receiver that is down at first gets the payment webhook once acknowledged, signed, with one event id', async () => {
    const from = receiver.received.length;
    const inv = await create({ webhook: `${receiver.url}/invoice`, referenceNumber: 'WH-1' });
    // The invoice's own URL fails three times (dropped, 500, 503); the merchant's answers at once.
    receiver.script('drop', 500, { status: 503, body: 'maintenance' });
    const paid = await createCustomer(gw.app).payInvoice(new URL(inv.url).pathname, 1, KNET_OK);
    expect(paid.status).toBe(303);
    const rows = await allSettled(inv.id, 2);
    expect(rows.map((r) => [r.url, r.status, r.type])).toEqual([
      [`${receiver.url}/invoice`, 'delivered', 'invoice.paid'],
      [`${receiver.url}/merchant`, 'delivered', 'invoice.paid'],
    ]);
    const byUrl = Object.fromEntries(rows.map((r) => [r.url, r]));
    const eventId = rows[0].event_id as string;
    const keys = await secrets();
    const copies = [...to('/invoice', from), ...to('/merchant', from)];
    const acknowledged = to('/invoice', from).length + to('/merchant', from).length;
    // Scripted answers go to whichever request comes first; in all, three failed and two succeeded.
    expect(acknowledged).toBe(5);
    expect(byUrl[`${receiver.url}/invoice`].attempts + byUrl[`${receiver.url}/merchant`].attempts).toBe(5);
    for (const copy of copies) {
      expect(copy.method).toBe('POST');
      expect(copy.headers[EVENT_ID_HEADER]).toBe(eventId);
      expect(copy.headers[EVENT_TYPE_HEADER]).toBe('invoice.paid');
      expect(copy.rawBody).toBe(copies[0]!.rawBody);
      expect(verify(copy, keys).ok).toBe(true);
    }
    const body = JSON.parse(copies[0]!.rawBody);
    expect(body).toMatchObject({
      event_id: eventId,
      event_type: 'invoice.paid',
      invoice_id: inv.id,
      amount: '12.500',
      reference_number: 'WH-1',
      status: 'SUCCESSFUL',
      payment_type: 'KNET',
      service_type: 'SMS Payment',
      api_version: expect.any(String),
    });
    expect(body.token).toMatch(/^\d{20,}$/);
    expect(body.datetime).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(body.transaction.customerCard).toBe('888888******0001');

    // The attempts are logged and listed.
    const list = await gw.call({ method: 'GET', url: '/api/v1/webhook-events', as: m, payload: { merchantCode: m.merchantCode }, via: 'query' });
    const event = list.body.response.data.find((e: { id: string }) => e.id === eventId);
    const logged = event.deliveries.flatMap((d: { log: Array<{ status_code: number | null }> }) => d.log.map((a) => a.status_code)).sort();
    expect(logged).toEqual([200, 200, 500, 503, null].sort());
    expect(event.deliveries.every((d: { status: string }) => d.status === 'delivered')).toBe(true);
  });

  it('a tampered body, a stale timestamp or another secret fails verification', async () => {
    const [copy] = receiver.received.filter((r) => r.headers[EVENT_ID_HEADER]);
    const keys = await secrets();
    const ts = Number(/t=(\d+)/.exec(copy!.headers[SIGNATURE_HEADER] as string)![1]);
    expect(verify(copy!, keys, ts + 10)).toMatchObject({ ok: true });
    expect(verify({ ...copy!, rawBody: copy!.rawBody.replace('"12.500"', '"1.250"') }, keys, ts)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verify(copy!, keys, ts + 301)).toEqual({ ok: false, reason: 'stale_timestamp' });
    expect(verify(copy!, ['whsec_someone_elses_secret_0123456789abcdef'], ts)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('redelivery sends the same event id and body again; a rotated secret verifies beside the old one', async () => {
    const inv = await create();
    const cancel = await gw.call({ method: 'PUT', url: `/api/v1/invoice/${inv.token}`, as: m, payload: { merchantCode: m.merchantCode, statusId: '3' } });
    expect(cancel.status).toBe(200);
    const [first] = await allSettled(inv.id, 1);
    expect(first.type).toBe('invoice.cancelled');
    const original = receiver.received.find((r) => r.headers[EVENT_ID_HEADER] === first.event_id)!;
    expect(JSON.parse(original.rawBody)).toMatchObject({ status: 'CANCELLED', event_type: 'invoice.cancelled', payment_type: null });

    const old = await secrets();
    const rotated = await gw.call({ url: '/api/v1/webhook-secret/rotate', as: m, payload: { merchantCode: m.merchantCode } });
    expect(rotated.status).toBe(200);
    const now = rotated.body.response.secrets as string[];
    expect(now).toHaveLength(2);
    expect(now[1]).toBe(old[0]);

    const from = receiver.received.length;
    const again = await gw.call({ url: `/api/v1/webhook-events/${first.event_id}/redeliver`, as: m, payload: { merchantCode: m.merchantCode } });
    expect(again.status).toBe(200);
    expect(again.body.response).toEqual({ event_id: first.event_id, deliveries: 1 });
    const [copy] = await eventually(async () => (to('/merchant', from).length > 0 ? to('/merchant', from) : undefined));
    expect(copy!.headers[EVENT_ID_HEADER]).toBe(first.event_id);
    expect(copy!.rawBody).toBe(original.rawBody);
    // Both v1 signatures are there: receivers on either secret accept it.
    expect(verify(copy!, [now[0]!]).ok).toBe(true);
    expect(verify(copy!, [old[0]!]).ok).toBe(true);
    const unknown = await gw.call({ url: '/api/v1/webhook-events/evt_AAAAAAAAAAAAAAAAAAAAAAAA/redeliver', as: m, payload: { merchantCode: m.merchantCode } });
    expect(unknown.status).toBe(404);
  });

  it('the merchant sets its default webhook URL and reminders; bad values are refused and change nothing', async () => {
    const other = await gw.newMerchant();
    const put = (payload: Record<string, unknown>) =>
      gw.call({ method: 'PUT', url: '/api/v1/webhook-settings', as: other, payload: { merchantCode: other.merchantCode, ...payload } });
    const ok = await put({ webhookUrl: `${receiver.url}/other`, reminderDays: 3 });
    expect(ok.status).toBe(200);
    expect(ok.body.response).toEqual({ webhook_url: `${receiver.url}/other`, reminder_days: 3 });
    const bad = await put({ webhookUrl: 'ftp://example.com/x', reminderDays: 45 });
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body.response).sort()).toEqual(['reminderDays', 'webhookUrl']);
    const profile = await gw.call({ method: 'GET', url: '/api/v1/profile', as: other, payload: { merchantCode: other.merchantCode }, via: 'query' });
    expect(profile.body.response.settings).toMatchObject({ webhook_url: `${receiver.url}/other`, reminder_days: 3 });
    const off = await put({ reminderDays: null });
    expect(off.body.response).toEqual({ webhook_url: `${receiver.url}/other`, reminder_days: null });
  });

  it('a delivery whose job was lost is queued again by maintenance, and delivered', async () => {
    await gw.services.queue.stop();
    let inv: { id: number; token: string };
    try {
      inv = await create();
      const cancel = await gw.call({ method: 'PUT', url: `/api/v1/invoice/${inv.token}`, as: m, payload: { merchantCode: m.merchantCode, statusId: '3' } });
      expect(cancel.status).toBe(200);
      const [delivery] = (
        await ctx.db.executeSql('SELECT d.id FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id WHERE e.invoice_id = $1', [inv.id])
      ).rows;
      // What pg-boss leaves after giving up on a job: no live job for a pending delivery.
      await ctx.db.executeSql("DELETE FROM pgboss.job WHERE name = 'webhook.deliver' AND data->>'deliveryId' = $1", [String(delivery.id)]);
      expect(await gw.services.webhooks.requeueOverdue()).toBe(0); // not overdue yet
      await ctx.db.executeSql("UPDATE webhook_deliveries SET next_attempt_at = now() - interval '1 hour' WHERE id = $1", [delivery.id]);
      expect(await gw.services.webhooks.requeueOverdue()).toBe(1);
    } finally {
      await startWorkers(gw.services, { schedule: false });
    }
    await allSettled(inv.id, 1);
    expect((await deliveriesOf(inv.id))[0]).toMatchObject({ status: 'delivered', attempts: 1 });
  });

  it('a delivery failing for more than 24 hours is dead, and says why', async () => {
    const inv = await create({ webhook: `${receiver.url}/gone` });
    receiver.setFallback({ status: 410, body: 'gone' });
    try {
      const cancel = await gw.call({ method: 'PUT', url: `/api/v1/invoice/${inv.token}`, as: m, payload: { merchantCode: m.merchantCode, statusId: '3' } });
      expect(cancel.status).toBe(200);
      await eventually(async () => ((await deliveriesOf(inv.id)).every((d) => d.attempts >= 1) ? true : undefined));
      const [gone] = (
        await ctx.db.executeSql(
          "SELECT d.id FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id WHERE e.invoice_id = $1 AND d.url LIKE '%/gone'",
          [inv.id],
        )
      ).rows;
      gw.clock.advance(24 * 3_600_000 + 1000);
      expect(await gw.services.webhooks.attempt(BigInt(gone.id))).toBe('dead');
      const [row] = (await ctx.db.executeSql('SELECT status, last_status_code, last_error, next_attempt_at FROM webhook_deliveries WHERE id = $1', [gone.id]))
        .rows;
      expect(row).toMatchObject({ status: 'dead', last_status_code: 410, last_error: 'HTTP 410', next_attempt_at: null });
    } finally {
      receiver.setFallback(200);
      gw.clock.set(new Date());
    }
  });

  it('expiry turns unpaid invoices past their day into expired ones, once, with an event', async () => {
    const inv = await create({ expiresAt: '2099-12-31' });
    await ctx.db.executeSql("UPDATE invoices SET expires_on = '2026-01-01' WHERE id = $1", [inv.id]);
    const first = await gw.services.expiry.run();
    expect(first.expired).toBeGreaterThanOrEqual(1);
    expect((await ctx.db.executeSql('SELECT status FROM invoices WHERE id = $1', [inv.id])).rows[0].status).toBe('expired');
    const [delivery] = await allSettled(inv.id, 1);
    expect(delivery.type).toBe('invoice.expired');
    expect((await gw.services.expiry.run()).expired).toBe(0);
  });

  it('outside sandbox mode, private and loopback webhook addresses are refused', async () => {
    // One database, one mode: the sandbox gateway's workers (which may reach loopback) stop
    // here, so that only this test's direct attempt touches the production merchant's delivery.
    await gw.services.queue.stop();
    const production = await startGateway(ctx.db, { now: 'running', mode: 'production' });
    try {
      const p = await production.newMerchant({ paymentMethods: [16] });
      for (const url of [
        `${receiver.url}/x`,
        'http://localhost:8080/hook',
        'http://10.1.2.3/hook',
        'http://[::1]/hook',
        'http://169.254.169.254/latest/meta-data',
      ]) {
        const res = await production.call({ url: '/api/v1/invoice', as: p, payload: payableInvoice(p.merchantCode, { webhook: url, allocatePayType: '16' }) });
        expect(res.status, url).toBe(422);
        expect(Object.keys(res.body.response)).toEqual(['webhook']);
      }
      // A merchant default that resolves to loopback is refused when delivering: nothing arrives.
      await ctx.db.executeSql('UPDATE merchants SET webhook_url = $1 WHERE code = $2', [`${receiver.url}/private`, p.merchantCode]);
      const created = await production.call({ url: '/api/v1/invoice', as: p, payload: payableInvoice(p.merchantCode, { allocatePayType: '16' }) });
      const inv = created.body.response as { id: number; url: string };
      expect((await createCustomer(production.app).payInvoice(new URL(inv.url).pathname, 16, {})).status).toBe(303);
      const [delivery] = (
        await ctx.db.executeSql('SELECT d.id FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id WHERE e.invoice_id = $1', [inv.id])
      ).rows;
      expect(await production.services.webhooks.attempt(BigInt(delivery.id))).toBe('retry');
      const [row] = (await ctx.db.executeSql('SELECT last_error FROM webhook_deliveries WHERE id = $1', [delivery.id])).rows;
      expect(row.last_error).toMatch(/^EADDRBLOCKED/);
      expect(receiver.received.filter((r) => r.path === '/private')).toHaveLength(0);
    } finally {
      await production.close();
    }
  });
});
