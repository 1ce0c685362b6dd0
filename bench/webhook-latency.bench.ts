/**
 * Webhook benchmark (`npm run bench:webhooks`, or `npx tsx bench/webhook-latency.bench.ts`).
 *
 * Acceptance: the time from a payment to its webhook arriving at a local receiver, p50
 * and p99 over 1,000 payments (target p99 under 2 s), and webhooks delivered per second with two
 * workers.
 *
 * Everything runs on loopback against PostgreSQL on 127.0.0.1:5432:
 *   1. CREATE DATABASE fawtara_webhooks_<pid>_<time>; migrate it with the server's own code
 *      (openDatabase + migrateToLatest) and ensureSandboxMerchant(). A receiver (a bare node:http
 *      server in this process) answers every POST with 200 at once, and records its arrival time
 *      (performance.now()), headers and raw body; the sandbox merchant's webhook_url points at it
 *      (SQL).
 *   2. Part A, latency. The gateway runs as a child process (node --import tsx
 *      packages/server/src/main.ts; DATABASE_URL, PORT, PUBLIC_BASE_URL, FAWTARA_MODE=sandbox,
 *      LOG_LEVEL=warn, FAWTARA_WORKER=inline: its job workers in the same process, as `npm start`
 *      runs them). After /health answers, --warmup + --payments invoices of 12.500 KWD payable by
 *      Google Pay (allocatePayType "16", one click in the sandbox) are created through the
 *      encrypted merchant API over HTTP, and each is paid the way a browser pays it: GET /s/<key>
 *      (keeping the fawtara_csrf cookie, reading the form's csrf field), POST /s/<key>/method
 *      (csrf, lang=en, method=16), POST /s/<key>/pay (csrf, lang, method) → 303. --concurrency
 *      customers pay at a time (warm-up payments first, not counted). For each payment:
 *        - from the 303: from the moment the pay POST's 303 response has fully arrived to the
 *          moment the receiver has the whole invoice.paid webhook for that invoice (matched by
 *          `invoice_id` in the body). Negative when the webhook wins the race against the 303;
 *          the count of those is printed;
 *        - from pay start: from the moment the pay POST is sent.
 *      p50/p90/p99/max, PASS/MISS against p99 < 2 s (from the 303). Every webhook's signature is
 *      checked with the merchant's secret (GET /api/v1/webhook-secret through the encrypted API),
 *      at its arrival time; failures must be 0. Every counted invoice must get exactly one
 *      invoice.paid webhook (a duplicate is reported).
 *   3. Part B, throughput. The gateway is stopped (SIGTERM). --events webhook events are recorded
 *      while no worker runs: cancelled invoices inserted with SQL, one `invoice.cancelled` event
 *      each through the gateway's own emit (the composition root in this process, workers not started; event,
 *      delivery and pg-boss job in one transaction, 100 per transaction). Then TWO worker
 *      processes (`npm run worker` = `fawtara worker`: node packages/cli/bin/fawtara.js worker) are
 *      spawned at once, and the webhook_deliveries table is polled (every 100 ms) until all of
 *      them are 'delivered'. webhooks/s = events / (all delivered − first webhook at the
 *      receiver), i.e. without the workers' start-up; the rate counted from the spawn is printed
 *      too. The workers are stopped with SIGTERM (each must exit 0). The same again with ONE
 *      worker on fresh events, for comparison.
 *   4. Prints the figures, writes bench/results/webhook-latency.json, and drops the database.
 *      Children are killed and the database dropped on errors and Ctrl-C too.
 *
 * Options: --payments=1000 --warmup=20 --concurrency=10 --events=5000
 * Environment: BENCH_PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/test), used only to
 * CREATE and DROP the bench database.
 * Exit code 1 if a request failed, a webhook was missing or badly signed, or a process did not
 * start or stop cleanly; a missed target prints MISS but does not change the exit code.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createCodec, type Codec } from '@fawtara/wire';
import { createServices } from '../packages/server/src/composition.ts';
import { migrateToLatest, openDatabase, type Database } from '../packages/server/src/db/database.ts';
import { systemClock } from '../packages/server/src/lib/clock.ts';
import { createMerchantsService } from '../packages/server/src/modules/merchants/merchants.service.ts';
import { SANDBOX } from '../packages/server/src/modules/merchants/sandbox-credentials.ts';
import { EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, verifyWebhookSignature } from '@fawtara/wire';
import { inputValue } from '../packages/server/src/test-support/customer.ts';
import { seedCancelledInvoiceEvents } from '../packages/server/src/test-support/webhook-seed.ts';
import {
  createBenchLifecycle,
  createScratchDatabase,
  freePort,
  HOST,
  intOption,
  makeRequester,
  resultsHeader,
  ROOT,
  sleep,
  stopChild as stopBenchChild,
  summarise,
  waitHealthy,
  withAdmin,
  type BenchChild,
  type HttpResult,
  type LatencySummary,
} from './bench-support.ts';

// ---------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------

const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const RESULTS_FILE = path.join(RESULTS_DIR, 'webhook-latency.json');
const TARGET_P99_MS = 2000;

for (const a of process.argv.slice(2)) {
  if (!/^--(payments|warmup|concurrency|events)=\d+$/.test(a)) throw new Error(`unknown option ${a} (--payments=N --warmup=N --concurrency=N --events=N)`);
}

const SETTINGS = {
  payments: intOption('payments', 1000),
  warmup: intOption('warmup', 20),
  concurrency: intOption('concurrency', 10),
  events: intOption('events', 5000),
  startTimeoutMs: 60_000,
  stopTimeoutMs: 20_000,
  /** How long to wait for the last webhooks of a part before calling them missing. */
  webhookTimeoutMs: 60_000,
  throughputTimeoutMs: 600_000,
} as const;
if (SETTINGS.payments < 1 || SETTINGS.concurrency < 1 || SETTINGS.events < 1) throw new Error('--payments, --concurrency and --events must be at least 1');

// ---------------------------------------------------------------------------------------------
// Cleanup: children and the bench database go away even when something throws or on Ctrl-C
// ---------------------------------------------------------------------------------------------

const lifecycle = createBenchLifecycle({ onSignalMessage: 'stopping child processes and dropping the bench database...', killChildrenFirst: true });
const failures: string[] = [];

const out = (s = '') => process.stdout.write(`${s}\n`);
const fmt = (v: number | undefined, digits = 1) => (v === undefined || Number.isNaN(v) ? '-' : v.toFixed(digits));
const fmtSummary = (s: LatencySummary) => `p50 ${fmt(s.p50)}  p90 ${fmt(s.p90)}  p99 ${fmt(s.p99)}  max ${fmt(s.max)}  mean ${fmt(s.mean)} ms`;

/** Runs `fn` over `items`, `concurrency` at a time, in order of start. */
async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// The receiver: answers 200 at once, records what arrived and when
// ---------------------------------------------------------------------------------------------

interface Arrival {
  /** performance.now() when the whole request had arrived. */
  at: number;
  /** Wall clock (s) at the same moment, for the signature's timestamp check. */
  wallSeconds: number;
  eventId: string | undefined;
  eventType: string | undefined;
  signature: string | undefined;
  body: string;
}

interface Receiver {
  url: string;
  arrivals: Arrival[];
  onArrival: ((a: Arrival) => void) | undefined;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = { url: '', arrivals: [], onArrival: undefined, close: async () => undefined };
  const header = (req: http.IncomingMessage, name: string) => {
    const v = req.headers[name];
    return typeof v === 'string' ? v : undefined;
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const arrival: Arrival = {
        at: performance.now(),
        wallSeconds: Math.floor(Date.now() / 1000),
        eventId: header(req, EVENT_ID_HEADER),
        eventType: header(req, EVENT_TYPE_HEADER),
        signature: header(req, SIGNATURE_HEADER),
        body: Buffer.concat(chunks).toString('utf8'),
      };
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      receiver.arrivals.push(arrival);
      receiver.onArrival?.(arrival);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  receiver.url = `http://${HOST}:${(server.address() as AddressInfo).port}`;
  receiver.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return receiver;
}

// ---------------------------------------------------------------------------------------------
// Child processes: the gateway and workers
// ---------------------------------------------------------------------------------------------

/** The gateway or a worker: `node --import tsx <args>`, sandbox mode, LOG_LEVEL=warn; PORT and HOST when given a port. */
function startChild(name: string, args: string[], env: Record<string, string>, port?: number): BenchChild {
  return lifecycle.spawnChild(name, args, { DATA_DIR: '', LOG_LEVEL: 'warn', FAWTARA_MODE: 'sandbox', ...env }, { port });
}

/** SIGTERM, then SIGKILL after the stop timeout; a clean stop is exit code 0. */
async function stopChild(child: BenchChild): Promise<void> {
  const stop = await stopBenchChild(child, SETTINGS.stopTimeoutMs);
  if (stop.timedOut) failures.push(`${child.name} did not stop within ${SETTINGS.stopTimeoutMs} ms of SIGTERM:\n  ${child.logTail.join('\n  ')}`);
  else if (stop.code !== 0)
    failures.push(`${child.name} exited with ${JSON.stringify({ code: stop.code, signal: stop.signal })}:\n  ${child.logTail.join('\n  ')}`);
}

// ---------------------------------------------------------------------------------------------
// HTTP client (keeps response headers: cookies, redirects)
// ---------------------------------------------------------------------------------------------

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const request = makeRequester(agent);

const codec: Codec = createCodec({ secretKey: SANDBOX.secretKey, iv: SANDBOX.iv });

async function login(port: number): Promise<string> {
  const res = await request(
    port,
    'POST',
    '/api/v1/login',
    { 'content-type': 'application/json' },
    JSON.stringify({ username: SANDBOX.username, password: SANDBOX.password }),
  );
  if (res.status !== 200) throw new Error(`login: ${res.status} ${res.text.slice(0, 300)}`);
  return JSON.parse(res.text).response.token.access_token as string;
}

/** One call of the encrypted merchant API; returns the decrypted reply. */
async function api(port: number, token: string, method: 'GET' | 'POST', urlPath: string, payload: unknown): Promise<{ status: number; body: any }> {
  const data = codec.encrypt(JSON.stringify(payload));
  const headers = { accept: 'application/json', accesscode: SANDBOX.accessCode, authorization: `Bearer ${token}` };
  const res =
    method === 'GET'
      ? await request(port, 'GET', `${urlPath}?data=${encodeURIComponent(data)}`, headers)
      : await request(port, 'POST', urlPath, { ...headers, 'content-type': 'application/json' }, JSON.stringify({ data }));
  let body: any = res.text;
  try {
    const raw = JSON.parse(res.text);
    body = typeof raw?.response === 'string' && Object.keys(raw).length === 1 ? JSON.parse(codec.decrypt(raw.response)) : raw;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body };
}

// ---------------------------------------------------------------------------------------------
// Part A: payment → webhook latency
// ---------------------------------------------------------------------------------------------

interface Payment {
  invoiceId: number;
  path: string;
  counted: boolean;
  payStart?: number;
  got303?: number;
}

interface PartA {
  payments: number;
  warmup: number;
  concurrency: number;
  fromResponseMs: LatencySummary & { min: number; negative: number };
  fromPayStartMs: LatencySummary;
  payPostMs: LatencySummary;
  paymentsPerSecond: number;
  webhooks: { received: number; invoicePaid: number; duplicates: number; missing: number; signatureFailures: number; secretsFrom: string };
  verdict: 'PASS' | 'MISS';
}

async function payLikeABrowser(port: number, p: Payment): Promise<void> {
  let cookie: string | undefined;
  const keepCookie = (r: HttpResult) => {
    const set = r.headers['set-cookie'];
    const first = Array.isArray(set) ? set[0] : set;
    if (typeof first === 'string') cookie = first.split(';')[0];
  };
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const page = await request(port, 'GET', `${p.path}?lang=en`);
  keepCookie(page);
  const csrf = inputValue(page.text, 'csrf');
  if (page.status !== 200 || csrf === undefined || cookie === undefined)
    throw new Error(`GET ${p.path}: ${page.status}, csrf ${csrf ? 'found' : 'missing'}, cookie ${cookie ? 'set' : 'missing'}`);
  const headers = { 'content-type': 'application/x-www-form-urlencoded', cookie };
  const chosen = await request(port, 'POST', `${p.path}/method`, headers, form({ csrf, lang: 'en', method: '16' }));
  keepCookie(chosen);
  if (chosen.status !== 200) throw new Error(`POST ${p.path}/method: ${chosen.status}`);
  const csrf2 = inputValue(chosen.text, 'csrf') ?? csrf;
  const paid = await request(port, 'POST', `${p.path}/pay`, { ...headers, cookie: cookie! }, form({ csrf: csrf2, lang: 'en', method: '16' }));
  if (paid.status !== 303) throw new Error(`POST ${p.path}/pay: ${paid.status} ${paid.text.slice(0, 200)}`);
  p.payStart = paid.sentAt;
  p.got303 = paid.doneAt;
}

async function runPartA(databaseUrl: string, receiver: Receiver): Promise<PartA> {
  out(`\n=== Part A: payment → webhook latency (gateway child, workers inline) ===`);
  const port = await freePort();
  const gateway = startChild(
    'gateway',
    ['packages/server/src/main.ts'],
    { DATABASE_URL: databaseUrl, PUBLIC_BASE_URL: `http://${HOST}:${port}`, FAWTARA_WORKER: 'inline' },
    port,
  );
  let stopped = false;
  lifecycle.addCleanup(async () => {
    if (!stopped) await stopChild(gateway);
  });
  const startMs = await waitHealthy(gateway, SETTINGS.startTimeoutMs, request);
  out(`  gateway healthy after ${startMs.toFixed(0)} ms (pid ${gateway.proc.pid}, port ${port})`);
  const token = await login(port);

  // The merchant's signing secrets, as a merchant reads them.
  let secrets: string[];
  const secretsFrom = 'GET /api/v1/webhook-secret';
  const secretReply = await api(port, token, 'GET', '/api/v1/webhook-secret', { merchantCode: SANDBOX.merchantCode });
  if (secretReply.status === 200 && Array.isArray(secretReply.body?.response?.secrets)) {
    secrets = secretReply.body.response.secrets as string[];
  } else {
    throw new Error(`GET /api/v1/webhook-secret: ${secretReply.status} ${JSON.stringify(secretReply.body).slice(0, 300)}`);
  }

  // Invoices through the encrypted API.
  const total = SETTINGS.warmup + SETTINGS.payments;
  const payments: Payment[] = [];
  const tCreate = performance.now();
  await pool(
    Array.from({ length: total }, (_, i) => i),
    SETTINGS.concurrency,
    async (i) => {
      const res = await api(port, token, 'POST', '/api/v1/invoice', {
        merchantCode: SANDBOX.merchantCode,
        mobileNumber: '66666666',
        customerName: `Customer ${i}`,
        amount: '12.500',
        countryCode: '965',
        invoiceType: '0',
        invoiceSubType: '3',
        allocatePayType: '16',
        expiresAt: '2099-12-31',
        referenceNumber: `WHB-${100000 + i}`,
      });
      const inv = res.body?.response as { id?: number; url?: string } | undefined;
      if (res.status !== 200 || typeof inv?.id !== 'number' || typeof inv.url !== 'string')
        throw new Error(`create invoice: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      payments[i] = { invoiceId: inv.id, path: new URL(inv.url).pathname, counted: i >= SETTINGS.warmup };
    },
  );
  out(`  ${total} invoices created through the API in ${((performance.now() - tCreate) / 1000).toFixed(1)} s`);

  // Webhooks of this part, by invoice.
  const firstArrival = receiver.arrivals.length;
  const paidArrivals = new Map<number, Arrival[]>();
  let allArrived: (() => void) | undefined;
  const countedIds = new Set(payments.filter((p) => p.counted).map((p) => p.invoiceId));
  let countedArrived = 0;
  receiver.onArrival = (a) => {
    if (a.eventType !== 'invoice.paid') return;
    const id = (JSON.parse(a.body) as { invoice_id: number }).invoice_id;
    const list = paidArrivals.get(id) ?? [];
    list.push(a);
    paidArrivals.set(id, list);
    if (list.length === 1 && countedIds.has(id) && ++countedArrived === countedIds.size) allArrived?.();
  };
  const arrivedAll = new Promise<void>((resolve) => (allArrived = resolve));

  // Warm-up payments, then the counted ones, `concurrency` customers at a time.
  await pool(payments.slice(0, SETTINGS.warmup), SETTINGS.concurrency, (p) => payLikeABrowser(port, p));
  const tPay = performance.now();
  await pool(payments.slice(SETTINGS.warmup), SETTINGS.concurrency, (p) => payLikeABrowser(port, p));
  const payingSeconds = (performance.now() - tPay) / 1000;
  out(`  ${SETTINGS.payments} payments (after ${SETTINGS.warmup} warm-up) in ${payingSeconds.toFixed(1)} s, ${SETTINGS.concurrency} customers at a time`);
  const timedOut = await Promise.race([arrivedAll.then(() => false), sleep(SETTINGS.webhookTimeoutMs).then(() => true)]);
  receiver.onArrival = undefined;

  // Latencies.
  const fromResponse: number[] = [];
  const fromStart: number[] = [];
  const payPost: number[] = [];
  let missing = 0;
  for (const p of payments.filter((x) => x.counted)) {
    const first = paidArrivals.get(p.invoiceId)?.[0];
    payPost.push(p.got303! - p.payStart!);
    if (!first) {
      missing++;
      continue;
    }
    fromResponse.push(first.at - p.got303!);
    fromStart.push(first.at - p.payStart!);
  }
  if (timedOut || missing > 0)
    failures.push(
      `Part A: ${missing} of ${SETTINGS.payments} invoice.paid webhooks did not arrive within ${SETTINGS.webhookTimeoutMs / 1000} s of the last payment`,
    );

  // Signatures, checked at each webhook's arrival time; duplicates by event id.
  const mine = receiver.arrivals.slice(firstArrival);
  const signatureFailures = mine.filter((a) => !verifyWebhookSignature(a.body, a.signature, secrets, { nowSeconds: a.wallSeconds }).ok).length;
  if (signatureFailures > 0) failures.push(`Part A: ${signatureFailures} webhooks failed signature verification`);
  const paidCopies = [...paidArrivals.values()];
  const duplicates = paidCopies.reduce((n, l) => n + l.length - 1, 0);
  const distinctEvents = new Set(paidCopies.flat().map((a) => a.eventId)).size;
  if (distinctEvents !== paidCopies.length)
    failures.push(`Part A: ${paidCopies.length} invoices got invoice.paid webhooks with ${distinctEvents} distinct event ids`);

  stopped = true;
  await stopChild(gateway);
  out(`  gateway stopped with SIGTERM${gateway.logTail.length > 0 ? `; its log (warn+):\n    ${gateway.logTail.join('\n    ')}` : ''}`);

  const sorted = [...fromResponse].sort((a, b) => a - b);
  const summary = summarise(fromResponse);
  return {
    payments: SETTINGS.payments,
    warmup: SETTINGS.warmup,
    concurrency: SETTINGS.concurrency,
    fromResponseMs: { ...summary, min: sorted[0] ?? NaN, negative: fromResponse.filter((v) => v < 0).length },
    fromPayStartMs: summarise(fromStart),
    payPostMs: summarise(payPost),
    paymentsPerSecond: SETTINGS.payments / payingSeconds,
    webhooks: { received: mine.length, invoicePaid: paidCopies.flat().length, duplicates, missing, signatureFailures, secretsFrom },
    verdict: missing === 0 && summary.p99 < TARGET_P99_MS ? 'PASS' : 'MISS',
  };
}

// ---------------------------------------------------------------------------------------------
// Part B: webhooks delivered per second by worker processes
// ---------------------------------------------------------------------------------------------

interface Round {
  workers: number;
  events: number;
  enqueueSeconds: number;
  /** Spawn → first webhook at the receiver (the workers' start-up). */
  firstWebhookAfterMs: number;
  /** First webhook at the receiver → every delivery recorded as delivered. */
  deliverSeconds: number;
  webhooksPerSecond: number;
  /** The same count over spawn → all delivered. */
  webhooksPerSecondFromSpawn: number;
  received: number;
  duplicates: number;
}

let round = 0;

async function throughputRound(database: Database, databaseUrl: string, receiver: Receiver, workers: number, n: number): Promise<Round> {
  round += 1;
  out(`\n  -- ${workers} worker${workers === 1 ? '' : 's'}, ${n} events --`);
  const services = await createServices({ database, config: { publicBaseUrl: `http://${HOST}:1`, logLevel: 'warn', mode: 'sandbox' } });
  let baseline: bigint;
  const tEnqueue = performance.now();
  try {
    baseline = BigInt((await database.executeSql('SELECT coalesce(max(id), 0) AS id FROM webhook_deliveries')).rows[0].id);
    // Cancelled invoices, one event each; tokens unique per round; 4 transactions of 100 at a time.
    await seedCancelledInvoiceEvents({
      database,
      webhooks: services.webhooks,
      merchantCode: SANDBOX.merchantCode,
      count: n,
      tokenPrefix: `8${round}`,
      referencePrefix: `WHT-${round}-`,
      batchSize: 100,
      concurrency: 4,
    });
  } finally {
    await services.close();
  }
  const enqueueSeconds = (performance.now() - tEnqueue) / 1000;
  const pendingSql = `SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending, count(*) FILTER (WHERE status = 'delivered')::int AS delivered FROM webhook_deliveries WHERE id > $1`;
  const before = (await database.executeSql(pendingSql, [baseline])).rows[0];
  if (before.pending !== n) throw new Error(`expected ${n} pending deliveries, found ${JSON.stringify(before)}`);
  out(`     ${n} events recorded and queued in ${enqueueSeconds.toFixed(1)} s (no worker running)`);

  const firstArrival = receiver.arrivals.length;
  const tSpawn = performance.now();
  const children = Array.from({ length: workers }, (_, i) =>
    startChild(`worker ${i + 1}/${workers}`, ['packages/cli/bin/fawtara.js', 'worker'], { DATABASE_URL: databaseUrl }),
  );
  let stopped = false;
  lifecycle.addCleanup(async () => {
    if (!stopped) await Promise.all(children.map(stopChild));
  });
  let tDone: number | undefined;
  let lastReport = tSpawn;
  while (performance.now() - tSpawn < SETTINGS.throughputTimeoutMs) {
    const dead = children.find((c) => c.hasExited());
    if (dead) throw new Error(`${dead.name} exited:\n  ${dead.logTail.join('\n  ')}`);
    const now = (await database.executeSql(pendingSql, [baseline])).rows[0];
    if (now.delivered === n) {
      tDone = performance.now();
      break;
    }
    if (performance.now() - lastReport > 10_000) {
      lastReport = performance.now();
      out(`     ${((lastReport - tSpawn) / 1000).toFixed(0)} s: ${now.delivered} delivered`);
    }
    await sleep(100);
  }
  stopped = true;
  await Promise.all(children.map(stopChild));
  if (tDone === undefined) throw new Error(`${workers} worker(s) did not deliver ${n} webhooks within ${SETTINGS.throughputTimeoutMs / 1000} s`);

  const mine = receiver.arrivals.slice(firstArrival);
  const first = mine[0]!;
  const unique = new Set(mine.map((a) => a.eventId)).size;
  if (unique !== n) failures.push(`Part B (${workers} workers): ${unique} distinct events arrived, expected ${n}`);
  const deliverSeconds = (tDone - first.at) / 1000;
  const r: Round = {
    workers,
    events: n,
    enqueueSeconds,
    firstWebhookAfterMs: first.at - tSpawn,
    deliverSeconds,
    webhooksPerSecond: n / deliverSeconds,
    webhooksPerSecondFromSpawn: n / ((tDone - tSpawn) / 1000),
    received: mine.length,
    duplicates: mine.length - unique,
  };
  out(
    `     first webhook ${(r.firstWebhookAfterMs / 1000).toFixed(1)} s after the spawn; all ${n} delivered ${deliverSeconds.toFixed(1)} s after it → ` +
      `${r.webhooksPerSecond.toFixed(0)} webhooks/s (${r.webhooksPerSecondFromSpawn.toFixed(0)}/s counting start-up); ${r.duplicates} duplicates`,
  );
  return r;
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const t0 = performance.now();
  await mkdir(RESULTS_DIR, { recursive: true });
  const pgVersion = await withAdmin(async (c) => String((await c.query('SHOW server_version')).rows[0].server_version));
  out(
    `Fawtara webhook benchmark — ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, ${Math.round(os.totalmem() / 2 ** 30)} GB, Node ${process.version}, PostgreSQL ${pgVersion}\n` +
      `Part A: ${SETTINGS.payments} payments (+${SETTINGS.warmup} warm-up), ${SETTINGS.concurrency} at a time, target p99 < ${TARGET_P99_MS} ms; Part B: ${SETTINGS.events} events, 2 workers then 1`,
  );

  const name = `fawtara_webhooks_${process.pid}_${Date.now().toString(36)}`;
  const { url: databaseUrl, drop } = await createScratchDatabase(name);
  lifecycle.addCleanup(async () => {
    await drop();
    out(`database ${name} dropped`);
  });

  const database = await openDatabase({ databaseUrl, poolSize: 8 });
  lifecycle.addCleanup(() => database.close());
  await migrateToLatest(database.db);
  await createMerchantsService({ database, clock: systemClock }).ensureSandboxMerchant();

  const receiver = await startReceiver();
  lifecycle.addCleanup(() => receiver.close());
  await database.executeSql('UPDATE merchants SET webhook_url = $1 WHERE code = $2', [`${receiver.url}/hook`, SANDBOX.merchantCode]);
  out(`database ${name}; receiver ${receiver.url}/hook`);

  const partA = await runPartA(databaseUrl, receiver);

  out(`\n=== Part B: webhooks/s from worker processes (gateway stopped; events queued first) ===`);
  const two = await throughputRound(database, databaseUrl, receiver, 2, SETTINGS.events);
  const one = await throughputRound(database, databaseUrl, receiver, 1, SETTINGS.events);

  const totalS = (performance.now() - t0) / 1000;
  out(`\n${'='.repeat(100)}`);
  out(
    `Part A — payment → invoice.paid webhook at the receiver, ${partA.payments} payments, ${partA.concurrency} customers at a time (${partA.paymentsPerSecond.toFixed(0)} payments/s)`,
  );
  out(`  from the 303      ${fmtSummary(partA.fromResponseMs)}   ${partA.verdict} (p99 < ${TARGET_P99_MS} ms)`);
  out(`                    min ${fmt(partA.fromResponseMs.min)} ms; ${partA.fromResponseMs.negative} webhooks arrived before their payment's 303 had`);
  out(`  from pay start    ${fmtSummary(partA.fromPayStartMs)}`);
  out(`  pay POST itself   ${fmtSummary(partA.payPostMs)}`);
  out(
    `  webhooks: ${partA.webhooks.received} received, ${partA.webhooks.invoicePaid} invoice.paid, ${partA.webhooks.duplicates} duplicates, ${partA.webhooks.missing} missing, ` +
      `${partA.webhooks.signatureFailures} signature failures (secret from ${partA.webhooks.secretsFrom})`,
  );
  out(`Part B — ${SETTINGS.events} queued webhooks, receiver answering 200 at once`);
  for (const r of [two, one]) {
    out(
      `  ${r.workers} worker${r.workers === 1 ? ' ' : 's'}  ${r.webhooksPerSecond.toFixed(0).padStart(5)} webhooks/s  (${r.deliverSeconds.toFixed(1)} s from the first webhook; ` +
        `${r.webhooksPerSecondFromSpawn.toFixed(0)}/s from the spawn; ${r.duplicates} duplicates)`,
    );
  }
  out(`${'='.repeat(100)}`);
  out(`total ${totalS.toFixed(0)} s`);
  if (failures.length > 0) out(`FAILED — ${failures.length} problem(s):\n  ${failures.slice(0, 30).join('\n  ')}`);

  const json = {
    ...resultsHeader('webhook-latency', totalS, pgVersion),
    settings: SETTINGS,
    targetP99Ms: TARGET_P99_MS,
    partA,
    partB: { twoWorkers: two, oneWorker: one },
    failures,
  };
  await writeFile(RESULTS_FILE, `${JSON.stringify(json, null, 2)}\n`);
  out(`results written to ${path.relative(ROOT, RESULTS_FILE)}`);
  return failures.length > 0 ? 1 : 0;
}

lifecycle.run(main);
