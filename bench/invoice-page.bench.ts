/**
 * Hosted invoice page benchmark (`npm run bench:page`).
 *
 * Acceptance: the invoice page renders in under 10 ms p50 on the server, and weighs
 * under 50 KB with its CSS.
 *
 *   1. For each engine (PGlite in memory — what `npm start` runs — and PostgreSQL on
 *      127.0.0.1:5432 in a scratch database, skipped if unreachable): migrate, create the sandbox
 *      merchant, and create 500 invoices through the real API service, each with 5 items, a
 *      description and a reference (a typical, not a minimal, page).
 *   2. Start the gateway (buildApp, the same code as production) on a loopback port in this
 *      process. Server time is Fastify's own `reply.elapsedTime`, read in an onResponse hook:
 *      from the request arriving to the response being handed to the socket, i.e. the database
 *      round trips (visit count + merchant, items), building the model and rendering.
 *   3. GET /s/<key> for random invoices: warm-up, then --requests sequential requests (one at a
 *      time: latency, not throughput), every reply checked (200, text/html, the amount present).
 *      Prints p50/p90/p99/max of server time and of the client's loopback time.
 *   4. Then a short autocannon run (10 connections, 5 s) for throughput.
 *   5. Page weight: the largest page of the set plus the stylesheet, raw and gzip.
 *
 * Options: --requests=2000 --warmup=200 --invoices=500 --engines=pglite,postgres
 * Exit code 1 if any reply was wrong; a missed target prints MISS but does not fail the run.
 */
import { gzipSync } from 'node:zlib';
import http from 'node:http';
import autocannon from 'autocannon';
import { createCodec } from '@fawtara/wire';
import { buildApp } from '../packages/server/src/app.ts';
import { createServices } from '../packages/server/src/composition.ts';
import { migrateToLatest, openDatabase, type Database, type Engine } from '../packages/server/src/db/database.ts';
import { SANDBOX } from '../packages/server/src/modules/merchants/sandbox-credentials.ts';
import { STYLESHEET } from '../packages/server/src/pages/pages.ts';
import { ADMIN_URL, createScratchDatabase, freePort, HOST, makeRequester, summarise, type LatencySummary } from './bench-support.ts';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const REQUESTS = Number(args.requests ?? 2000);
const WARMUP = Number(args.warmup ?? 200);
const INVOICES = Number(args.invoices ?? 500);
const ENGINES = (args.engines ?? 'pglite,postgres').split(',') as Engine[];
const TARGET_P50_MS = 10;
const TARGET_BYTES = 50 * 1024;

interface EngineResult {
  engine: Engine;
  server: LatencySummary;
  client: LatencySummary;
  requestsPerSecond: number;
  htmlBytes: number;
}

const fmt = (s: LatencySummary) => `p50 ${s.p50.toFixed(2)}  p90 ${s.p90.toFixed(2)}  p99 ${s.p99.toFixed(2)}  max ${s.max.toFixed(2)} ms`;

async function openEngine(engine: Engine): Promise<{ database: Database; drop: () => Promise<void> } | undefined> {
  if (engine === 'pglite') return { database: await openDatabase({}), drop: async () => undefined };
  const name = `fawtara_page_${process.pid}_${Date.now()}`;
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  try {
    scratch = await createScratchDatabase(name);
  } catch (err) {
    console.log(`postgres: skipped (${(err as Error).message}; BENCH_PG_ADMIN_URL=${ADMIN_URL})`);
    return undefined;
  }
  const database = await openDatabase({ databaseUrl: scratch.url, poolSize: 10 });
  return { database, drop: scratch.drop };
}

async function runEngine(engine: Engine): Promise<EngineResult | undefined> {
  const opened = await openEngine(engine);
  if (!opened) return undefined;
  const { database } = opened;
  try {
    await migrateToLatest(database.db);
    const port = await freePort();
    const services = await createServices({ database, config: { publicBaseUrl: `http://${HOST}:${port}`, logLevel: 'warn', mode: 'sandbox' } });
    await services.merchants.ensureSandboxMerchant();
    const app = await buildApp(services, { publicBaseUrl: `http://${HOST}:${port}`, trustProxy: false });
    const serverMs: number[] = [];
    let recording = false;
    app.addHook('onResponse', async (request, reply) => {
      if (recording && request.url.startsWith('/s/')) serverMs.push(reply.elapsedTime);
    });
    await app.listen({ port, host: HOST });
    try {
      const codec = createCodec({ secretKey: SANDBOX.secretKey, iv: SANDBOX.iv });
      const login = await app.inject({ method: 'POST', url: '/api/v1/login', payload: { username: SANDBOX.username, password: SANDBOX.password } });
      const token = login.json().response.token.access_token as string;
      const keys: string[] = [];
      for (let i = 0; i < INVOICES; i++) {
        const payload = {
          merchantCode: SANDBOX.merchantCode,
          mobileNumber: '66666666',
          customerName: `Customer ${i} عميل`,
          amount: '52.750',
          countryCode: '965',
          invoiceType: '0',
          invoiceSubType: '3',
          allocatePayType: '1,2,9,16',
          expiresAt: '2099-12-31',
          referenceNumber: `INV-${100000 + i}`,
          description: 'Monthly service: maintenance, support and parts as agreed. شكراً لتعاملكم معنا',
          language: i % 2 ? 'ar' : 'en',
          itemsList: Array.from({ length: 5 }, (_, n) => ({ itemTitle: `Service line ${n + 1}`, rate: '10.550', quantity: '1', amount: '10.550' })),
        };
        const res = await app.inject({
          method: 'POST',
          url: '/api/v1/invoice',
          headers: { accesscode: SANDBOX.accessCode, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          payload: JSON.stringify({ data: codec.encrypt(JSON.stringify(payload)) }),
        });
        if (res.statusCode !== 200) throw new Error(`create failed: ${res.statusCode} ${res.body}`);
        keys.push(JSON.parse(codec.decrypt(res.json().response)).response.access_key);
      }

      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const request = makeRequester(agent);
      const clientMs: number[] = [];
      let htmlBytes = 0;
      let bad = 0;
      for (let i = 0; i < WARMUP + REQUESTS; i++) {
        recording = i >= WARMUP;
        const res = await request(port, 'GET', `/s/${keys[i % keys.length]}`);
        if (res.status !== 200 || !res.text.includes('52.750')) bad++;
        if (recording) clientMs.push(res.ms);
        htmlBytes = Math.max(htmlBytes, Buffer.byteLength(res.text));
      }
      recording = false;
      agent.destroy();
      if (bad > 0) throw new Error(`${bad} wrong replies`);

      const cannon = await autocannon({ url: `http://${HOST}:${port}/s/${keys[0]}`, connections: 10, duration: 5 });
      if (cannon.non2xx > 0 || cannon.errors > 0) throw new Error(`autocannon: ${cannon.non2xx} non-2xx, ${cannon.errors} errors`);
      // autocannon resolves at its deadline with requests still in flight: let them finish.
      await new Promise((resolve) => setTimeout(resolve, 500));
      return { engine, server: summarise(serverMs), client: summarise(clientMs), requestsPerSecond: cannon.requests.average, htmlBytes };
    } finally {
      await app.close();
      await services.close();
    }
  } finally {
    await database.close();
    await opened.drop();
  }
}

async function main() {
  console.log(`invoice page benchmark: ${INVOICES} invoices, ${REQUESTS} sequential GETs after ${WARMUP} warm-up, per engine`);
  const results: EngineResult[] = [];
  let failed = false;
  for (const engine of ENGINES) {
    try {
      const r = await runEngine(engine);
      if (r) results.push(r);
    } catch (err) {
      failed = true;
      console.error(`${engine}: FAILED`, err);
    }
  }
  const css = Buffer.byteLength(STYLESHEET.body);
  for (const r of results) {
    console.log(`\n${r.engine}`);
    console.log(`  server time   ${fmt(r.server)}   ${r.server.p50 < TARGET_P50_MS ? 'PASS' : 'MISS'} (p50 < ${TARGET_P50_MS} ms)`);
    console.log(`  client (loopback) ${fmt(r.client)}`);
    console.log(`  throughput    ${Math.round(r.requestsPerSecond)} pages/s (10 connections)`);
  }
  const html = Math.max(0, ...results.map((r) => r.htmlBytes));
  if (html > 0) {
    const gz = gzipSync(STYLESHEET.body).length;
    console.log(
      `\npage weight: HTML ${html} B + CSS ${css} B = ${html + css} B (${((html + css) / 1024).toFixed(1)} KB; CSS gzip ${gz} B)   ${html + css < TARGET_BYTES ? 'PASS' : 'MISS'} (< 50 KB)`,
    );
  }
  process.exitCode = failed ? 1 : 0;
}

await main();
