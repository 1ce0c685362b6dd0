import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import { createCustomer, KNET_OK, KNET_WRONG_EXPIRY, payableInvoice } from '../test-support/customer.ts';
import { describeEngines } from '../test-support/engines.ts';
import { eventually } from '../test-support/eventually.ts';
import { startGateway, TEST_BASE_URL, type TestGateway } from '../test-support/gateway.ts';
import { startHttpReceiver, type HttpReceiver } from '../test-support/http-receiver.ts';
import { startWorkers } from '../modules/jobs/workers.ts';
import { QUEUES } from '../modules/jobs/job-queue.ts';
import type { Database } from '../db/database.ts';
import { createMetrics } from './metrics.ts';

type Merchant = Awaited<ReturnType<TestGateway['newMerchant']>>;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus's text format, sample lines only. */
function parse(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[k!] = v!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** A scrape: the value of the one sample with `name` and these labels (0 when a counter has none yet). */
interface Scrape {
  text: string;
  samples: Sample[];
  value(name: string, labels?: Record<string, string>): number;
}

function scrapeOf(text: string): Scrape {
  const samples = parse(text);
  return {
    text,
    samples,
    value(name, labels = {}) {
      const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
      if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
      return found[0]?.value ?? 0;
    },
  };
}

async function scrape(gw: TestGateway): Promise<Scrape> {
  const res = await gw.app.inject({ method: 'GET', url: '/metrics' });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return scrapeOf(res.body);
}

const pathOf = (url: string) => new URL(url).pathname;
const http = (method: string, route: string, status: number) => ({ method, route, status_code: String(status) });

describeEngines('GET /metrics', (ctx) => {
  let gw: TestGateway;
  let m: Merchant;
  let receiver: HttpReceiver;

  beforeAll(async () => {
    receiver = await startHttpReceiver();
    gw = await startGateway(ctx.db, { now: 'running', retryBackoffMs: () => 150 });
    m = await gw.newMerchant({ paymentMethods: [1, 2, 16] });
    await startWorkers(gw.services, { schedule: false });
  });
  afterAll(async () => {
    await gw.close();
    await receiver.close();
  });

  const createInvoice = async () => {
    const res = await gw.call({ url: '/api/v1/invoice', as: m, payload: payableInvoice(m.merchantCode) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.response as { id: number; url: string };
  };

  it('counts committed invoices, open invoices and settled payments exactly, and requests under their route patterns', async () => {
    const before = await scrape(gw);

    const invoice = await createInvoice();
    const open = await gw.call({
      url: '/api/v1/open-invoice',
      as: m,
      payload: { merchantCode: m.merchantCode, title: 'Membership', amountType: '0', fixAmount: '5.000' },
    });
    expect(open.status, JSON.stringify(open.body)).toBe(200);
    // Refused before anything is written: no invoice to count.
    const refused = await gw.call({ url: '/api/v1/invoice', as: m, payload: payableInvoice(m.merchantCode, { amount: 'lots' }) });
    expect(refused.status).toBe(422);

    const customer = createCustomer(gw.app);
    // A card the connector's own check refuses records no transaction, so no payment.
    expect((await customer.payInvoice(pathOf(invoice.url), 1, { ...KNET_OK, cardNumber: '1234' })).status).toBe(422);
    expect((await customer.payInvoice(pathOf(invoice.url), 1, KNET_OK)).status).toBe(303);
    const details = { customerName: 'Noura', customerMobile: '+965 5555 1234', method: '1' };
    expect((await customer.payOpenInvoice(pathOf(open.body.response.url), details, KNET_WRONG_EXPIRY)).status).toBe(303);
    // Paid already: refused, nothing settles.
    expect((await customer.payInvoice(pathOf(invoice.url), 1, KNET_OK)).status).not.toBe(303);
    expect((await gw.app.inject({ method: 'GET', url: '/no/such/page/12345' })).statusCode).toBe(404);

    const after = await scrape(gw);
    const delta = (name: string, labels: Record<string, string> = {}) => after.value(name, labels) - before.value(name, labels);

    expect(delta('fawtara_invoices_created_total', { kind: 'invoice' })).toBe(1);
    expect(delta('fawtara_invoices_created_total', { kind: 'open_invoice' })).toBe(1);
    expect(delta('fawtara_invoices_created_total', { kind: 'installment' })).toBe(0);
    expect(delta('fawtara_payments_total', { kind: 'invoice', outcome: 'captured' })).toBe(1);
    expect(delta('fawtara_payments_total', { kind: 'open_invoice', outcome: 'not_captured' })).toBe(1);
    expect(after.samples.filter((s) => s.name === 'fawtara_payments_total').reduce((n, s) => n + s.value, 0)).toBe(
      before.samples.filter((s) => s.name === 'fawtara_payments_total').reduce((n, s) => n + s.value, 0) + 2,
    );

    expect(delta('fawtara_http_requests_total', http('POST', '/api/v1/invoice', 200))).toBe(1);
    expect(delta('fawtara_http_requests_total', http('POST', '/api/v1/invoice', 422))).toBe(1);
    expect(delta('fawtara_http_requests_total', http('POST', '/api/v1/open-invoice', 200))).toBe(1);
    // Three visits of the invoice page (one per payInvoice), one of the open invoice's checkout.
    expect(delta('fawtara_http_requests_total', http('GET', '/s/:key', 200))).toBe(3);
    expect(delta('fawtara_http_request_duration_seconds_count', http('GET', '/s/:key', 200))).toBe(3);
    expect(delta('fawtara_http_request_duration_seconds_bucket', { ...http('GET', '/s/:key', 200), le: '+Inf' })).toBe(3);
    expect(delta('fawtara_http_requests_total', http('POST', '/s/:key/pay', 303))).toBe(1);
    expect(delta('fawtara_http_requests_total', http('POST', '/open-invoice/checkout/:key/pay', 303))).toBe(1);
    expect(delta('fawtara_http_requests_total', http('GET', 'unmatched', 404))).toBe(1);
    // Route patterns only: no key, no raw path ever becomes a label.
    expect(after.text).not.toContain(pathOf(invoice.url));
    expect(after.text).not.toContain('12345');
    expect(after.samples.filter((s) => s.labels.route?.startsWith('/s/')).map((s) => s.labels.route)).toSatisfy((routes: string[]) =>
      routes.every((r) => r.startsWith('/s/:key')),
    );
  });

  it('moves the webhook attempt and delivery counters when the worker delivers to a real receiver', async () => {
    await ctx.db.executeSql('UPDATE merchants SET webhook_url = $1 WHERE code = $2', [`${receiver.url}/hook`, m.merchantCode]);
    const before = await scrape(gw);
    const from = receiver.received.length;
    const invoice = await createInvoice();
    // The first attempt gets a 500, the retry a 200.
    receiver.script(500);
    expect((await createCustomer(gw.app).payInvoice(pathOf(invoice.url), 1, KNET_OK)).status).toBe(303);

    const after = await eventually(
      async () => {
        const s = await scrape(gw);
        return s.value('fawtara_webhook_deliveries_total') > before.value('fawtara_webhook_deliveries_total') ? s : undefined;
      },
      { what: 'the webhook delivery to be counted' },
    );
    expect(receiver.received.slice(from).map((r) => r.path)).toEqual(['/hook', '/hook']);
    const delta = (name: string, labels: Record<string, string> = {}) => after.value(name, labels) - before.value(name, labels);
    expect(delta('fawtara_webhook_deliveries_total')).toBe(1);
    expect(delta('fawtara_webhook_attempts_total', { result: 'http_error' })).toBe(1);
    expect(delta('fawtara_webhook_attempts_total', { result: 'success' })).toBe(1);
    expect(delta('fawtara_webhook_attempts_total', { result: 'network_error' })).toBe(0);
    expect(delta('fawtara_webhook_dead_letters_total')).toBe(0);
  });

  it('reports every queue by state, the database pool of its engine, and the process metrics', async () => {
    const s = await scrape(gw);
    for (const { name } of Object.values(QUEUES)) {
      for (const state of ['queued', 'deferred', 'active', 'failed']) {
        expect(s.samples.filter((x) => x.name === 'fawtara_job_queue_jobs' && x.labels.queue === name && x.labels.state === state)).toHaveLength(1);
      }
    }
    expect(s.value('fawtara_metrics_collect_errors_total', { collector: 'job_queue' })).toBe(0);
    const engine = ctx.engine;
    expect(s.value('fawtara_db_pool_max_connections', { engine })).toBe(engine === 'pglite' ? 1 : 5);
    const idle = s.value('fawtara_db_pool_connections', { engine, state: 'idle' });
    const inUse = s.value('fawtara_db_pool_connections', { engine, state: 'in_use' });
    expect(idle + inUse).toBeGreaterThanOrEqual(1);
    expect(idle + inUse).toBeLessThanOrEqual(engine === 'pglite' ? 1 : 5);
    expect(s.samples.some((x) => x.name === 'fawtara_db_pool_waiting' && x.labels.engine === engine)).toBe(true);
    expect(s.samples.some((x) => x.name === 'process_cpu_user_seconds_total')).toBe(true);
    expect(s.samples.some((x) => x.name === 'nodejs_heap_size_used_bytes')).toBe(true);
  });

  it('is left out of the API documentation', async () => {
    const res = await gw.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json().paths)).not.toContain('/metrics');
  });
});

describeEngines('job queue depth and dead letters', (ctx) => {
  let gw: TestGateway;
  let receiver: HttpReceiver;

  beforeAll(async () => {
    receiver = await startHttpReceiver();
    receiver.setFallback(500);
    // No workers: jobs stay in the queue, and the test runs each attempt itself.
    gw = await startGateway(ctx.db);
  });
  afterAll(async () => {
    await gw.close();
    await receiver.close();
  });

  it('shows a queued webhook job, and counts a delivery given up after the retry window as dead', async () => {
    const m = await gw.newMerchant({ paymentMethods: [1, 2, 16] });
    await ctx.db.executeSql('UPDATE merchants SET webhook_url = $1 WHERE code = $2', [`${receiver.url}/down`, m.merchantCode]);
    const before = await scrape(gw);
    const res = await gw.call({ url: '/api/v1/invoice', as: m, payload: payableInvoice(m.merchantCode) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await createCustomer(gw.app).payInvoice(pathOf(res.body.response.url), 1, KNET_OK)).status).toBe(303);

    const queued = await scrape(gw);
    const webhookJobs = { queue: 'webhook.deliver', state: 'queued' };
    expect(queued.value('fawtara_job_queue_jobs', webhookJobs) - before.value('fawtara_job_queue_jobs', webhookJobs)).toBe(1);

    const [delivery] = (
      await ctx.db.executeSql(`SELECT d.id FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id WHERE e.invoice_id = $1 AND d.url = $2`, [
        res.body.response.id,
        `${receiver.url}/down`,
      ])
    ).rows;
    expect(await gw.services.webhooks.attempt(delivery.id)).toBe('retry');
    gw.clock.advance(25 * 3_600_000);
    expect(await gw.services.webhooks.attempt(delivery.id)).toBe('dead');
    // Run again (a duplicate job): nothing is attempted, nothing counted.
    expect(await gw.services.webhooks.attempt(delivery.id)).toBe('skipped');

    const after = await scrape(gw);
    const delta = (name: string, labels: Record<string, string> = {}) => after.value(name, labels) - before.value(name, labels);
    expect(delta('fawtara_webhook_attempts_total', { result: 'http_error' })).toBe(2);
    expect(delta('fawtara_webhook_attempts_total', { result: 'success' })).toBe(0);
    expect(delta('fawtara_webhook_dead_letters_total')).toBe(1);
    expect(delta('fawtara_webhook_deliveries_total')).toBe(0);
  });
});

describe('FAWTARA_METRICS_TOKEN', () => {
  describeEngines('a gateway with a metrics token', (ctx) => {
    let gw: TestGateway;
    const token = 'scrape-token-0123456789';

    beforeAll(async () => {
      gw = await startGateway(ctx.db);
    });
    afterAll(async () => gw.close());

    it('answers only the bearer of the token', async () => {
      const app = await buildApp(gw.services, { publicBaseUrl: TEST_BASE_URL, trustProxy: false, metricsToken: token });
      try {
        for (const authorization of [undefined, 'Bearer wrong-token', `Basic ${token}`, `Bearer ${token}x`]) {
          const res = await app.inject({ method: 'GET', url: '/metrics', headers: authorization ? { authorization } : {} });
          expect(res.statusCode, String(authorization)).toBe(401);
          expect(res.headers['www-authenticate']).toBe('Bearer realm="metrics"');
          expect(res.body).not.toContain('fawtara_');
        }
        const ok = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${token}` } });
        expect(ok.statusCode).toBe(200);
        expect(ok.body).toContain('fawtara_http_requests_total');
      } finally {
        await app.close();
      }
    });
  });
});

describe('a scrape while the queue query fails', () => {
  it('still answers, without the queue gauge, counting and reporting the failure', async () => {
    const failures: Array<[string, string]> = [];
    const database = {
      engine: 'postgres',
      poolStats: () => ({ max: 20, total: 3, idle: 1, waiting: 4 }),
      executeSql: () => Promise.reject(new Error('relation "pgboss.job" does not exist')),
    } as unknown as Database;
    const metrics = createMetrics({
      database,
      jobs: { schema: 'pgboss', queues: ['webhook.deliver'] },
      onCollectError: (err, collector) => failures.push([collector, (err as Error).message]),
    });
    for (const expected of [1, 2]) {
      const s = scrapeOf(await metrics.registry.metrics());
      expect(s.value('fawtara_metrics_collect_errors_total', { collector: 'job_queue' })).toBe(expected);
      expect(s.samples.filter((x) => x.name === 'fawtara_job_queue_jobs')).toEqual([]);
      expect(s.value('fawtara_db_pool_connections', { engine: 'postgres', state: 'in_use' })).toBe(2);
      expect(s.value('fawtara_db_pool_waiting', { engine: 'postgres' })).toBe(4);
      expect(s.value('fawtara_db_pool_max_connections', { engine: 'postgres' })).toBe(20);
    }
    expect(failures).toEqual([
      ['job_queue', 'relation "pgboss.job" does not exist'],
      ['job_queue', 'relation "pgboss.job" does not exist'],
    ]);
  });
});
