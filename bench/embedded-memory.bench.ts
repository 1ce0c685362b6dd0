/**
 * Memory benchmark (`npm run bench:memory`, or `npx tsx bench/embedded-memory.bench.ts`).
 *
 * What the gateway process costs in resident memory (RSS), on the embedded database that
 * `npm start` uses by default, and on PostgreSQL for comparison. For each engine and run:
 *   1. Start the gateway (packages/server/src/main.ts, or packages/server/dist/main.js with
 *      --built) as a child process: node itself, with tsx as an --import loader, so the pid whose
 *      /proc/<pid>/status is read is the server's, not a wrapper's. PGlite gets a fresh data folder
 *      (what a first `npm start` does: initdb and migrations); PostgreSQL a scratch database.
 *   2. idle: RSS after --idle-seconds of quiet after /health first answers. `start peak` is the
 *      kernel's high-water mark (VmHWM) at that moment: the most the start-up ever held.
 *   3. warm: --creates invoice creations (the documented sample, one at a time) and --pages
 *      views of their hosted pages, then --idle-seconds of quiet → RSS.
 *   4. load: --load-seconds of creations at --connections connections, then the same time of page
 *      views, RSS sampled every 100 ms → the peak, and the throughput of each. Then quiet → RSS.
 *   5. restart (PGlite only): SIGTERM, start again on the same, now existing, folder → idle RSS.
 * Prints one row per run and the median of each figure per engine; writes
 * bench/results/embedded-memory.json.
 *
 * Options: --engines=pglite,postgres (PostgreSQL is skipped if unreachable) --runs=2
 *          --creates=200 --pages=200 --load-seconds=10 --connections=20 --idle-seconds=10
 *          --node-args="--liftoff-only"  flags for the gateway's node (space-separated)
 *          --built       run the compiled server (npm run build first) instead of tsx on the source
 *          --label=NAME  names the variant in the table and the results file
 * Environment: passed on to the gateway, so e.g. `MALLOC_ARENA_MAX=2 npm run bench:memory`
 * measures that; BENCH_PG_ADMIN_URL as in the other benchmarks.
 * Exit code 1 if a request failed or a server did not start or stop cleanly.
 */
import { readFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { createCodec } from '@fawtara/wire';
import { SANDBOX } from '../packages/server/src/modules/merchants/sandbox-credentials.ts';
import { invoiceRequestSample } from '../packages/server/src/test-support/documented-samples.ts';
import {
  ADMIN_URL,
  createBenchLifecycle,
  createScratchDatabase,
  freePort,
  HOST,
  intOption,
  makeRequester,
  resultsHeader,
  ROOT,
  sleep,
  stopChild,
  waitHealthy,
  type BenchChild,
} from './bench-support.ts';

type EngineName = 'pglite' | 'postgres';

const argv = process.argv.slice(2);
function stringOption(name: string): string | undefined {
  return argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}
const ENGINES = (stringOption('engines') ?? 'pglite,postgres').split(',').map((e) => {
  if (e !== 'pglite' && e !== 'postgres') throw new Error(`--engines: unknown engine "${e}"`);
  return e as EngineName;
});
const SETTINGS = {
  runs: intOption('runs', 2),
  creates: intOption('creates', 200),
  pages: intOption('pages', 200),
  loadSeconds: intOption('load-seconds', 10),
  connections: intOption('connections', 20),
  idleSeconds: intOption('idle-seconds', 10),
  nodeArgs: (stringOption('node-args') ?? '').split(' ').filter((a) => a !== ''),
  built: argv.includes('--built'),
  label: stringOption('label') ?? 'current',
  startTimeoutMs: 120_000,
  stopTimeoutMs: 30_000,
};
const SCRIPT = SETTINGS.built ? 'packages/server/dist/main.js' : 'packages/server/src/main.ts';
/** Variables of this process that change what the gateway's memory is; printed with the figures. */
const RELEVANT_ENV = ['NODE_OPTIONS', 'MALLOC_ARENA_MAX', 'MALLOC_TRIM_THRESHOLD_', 'UV_THREADPOOL_SIZE'];

const lifecycle = createBenchLifecycle({ onSignalMessage: 'stopping the gateway and removing its data', killChildrenFirst: true });
const request = makeRequester(new http.Agent({ keepAlive: true, maxSockets: 1 }));
const codec = createCodec({ secretKey: SANDBOX.secretKey, iv: SANDBOX.iv });
const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };
const INVOICE_PAYLOAD = {
  ...invoiceRequestSample.json,
  merchantCode: SANDBOX.merchantCode,
  expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
};
const INVOICE_BODY = JSON.stringify({ data: codec.encrypt(JSON.stringify(INVOICE_PAYLOAD)) });

// ---------------------------------------------------------------------------------------------
// Resident memory of a process, from /proc
// ---------------------------------------------------------------------------------------------

interface MemorySample {
  /** Resident set, MiB. */
  rss: number;
  /** The most it has ever been resident (the kernel's high-water mark), MiB. */
  hwm: number;
  /** Resident anonymous memory (heaps, the Wasm memory, compiled code), MiB. */
  anon: number;
}

async function memoryOf(pid: number): Promise<MemorySample> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!m) throw new Error(`/proc/${pid}/status has no ${field}`);
    return Number(m[1]) / 1024;
  };
  return { rss: kb('VmRSS'), hwm: kb('VmHWM'), anon: kb('RssAnon') };
}

/** Samples the child's memory every `everyMs` until stop() (idempotent) is called; the highest RSS seen. */
function samplePeak(pid: number, everyMs: number): { stop: () => Promise<number> } {
  let peak = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      peak = Math.max(peak, (await memoryOf(pid)).rss);
      await sleep(everyMs);
    }
  })();
  let stopped: Promise<number> | undefined;
  return {
    stop: () =>
      (stopped ??= (async () => {
        running = false;
        await loop;
        return peak;
      })()),
  };
}

// ---------------------------------------------------------------------------------------------
// One run
// ---------------------------------------------------------------------------------------------

interface RunResult {
  engine: EngineName;
  run: number;
  startSeconds: number;
  idle: MemorySample;
  warm: MemorySample;
  loadPeak: number;
  afterLoad: MemorySample;
  createsPerSecond: number;
  pagesPerSecond: number;
  /** PGlite only: idle after a restart on the same folder. */
  restartIdle?: MemorySample;
  restartSeconds?: number;
}

async function startGateway(label: string, where: Record<string, string>): Promise<{ child: BenchChild; startMs: number }> {
  const port = await freePort();
  const env = { DATABASE_URL: '', DATA_DIR: '', LOG_LEVEL: 'warn', FAWTARA_MODE: 'sandbox', PUBLIC_BASE_URL: `http://${HOST}:${port}`, ...where };
  const child = lifecycle.spawnChild(label, [SCRIPT], env, { port, nodeArgs: SETTINGS.nodeArgs, tsx: !SETTINGS.built });
  lifecycle.addCleanup(async () => {
    if (!child.hasExited()) await stopChild(child, SETTINGS.stopTimeoutMs);
  });
  const startMs = await waitHealthy(child, SETTINGS.startTimeoutMs, request);
  return { child, startMs };
}

async function stopGateway(child: BenchChild): Promise<void> {
  const stop = await stopChild(child, SETTINGS.stopTimeoutMs);
  if (!stop.clean) throw new Error(`${child.name} did not stop cleanly (code ${stop.code}, signal ${stop.signal}):\n  ${child.logTail.join('\n  ')}`);
}

async function quietThenSample(child: BenchChild): Promise<MemorySample> {
  await sleep(SETTINGS.idleSeconds * 1000);
  return memoryOf(child.proc.pid!);
}

async function login(port: number): Promise<Record<string, string>> {
  const res = await request(port, 'POST', '/api/v1/login', JSON_HEADERS, JSON.stringify({ username: SANDBOX.username, password: SANDBOX.password }));
  const token = res.status === 200 ? JSON.parse(res.text).response?.token?.access_token : undefined;
  if (typeof token !== 'string') throw new Error(`login failed: ${res.status} ${res.text.slice(0, 300)}`);
  return { ...JSON_HEADERS, accesscode: SANDBOX.accessCode, authorization: `Bearer ${token}` };
}

async function createInvoice(port: number, headers: Record<string, string>): Promise<string> {
  const res = await request(port, 'POST', '/api/v1/invoice', headers, INVOICE_BODY);
  const reply = res.status === 200 ? JSON.parse(codec.decrypt(JSON.parse(res.text).response)) : undefined;
  const key = reply?.response?.access_key;
  if (typeof key !== 'string') throw new Error(`invoice creation failed: ${res.status} ${res.text.slice(0, 300)}`);
  return key;
}

async function load(opts: { port: number; path: string; method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string }): Promise<number> {
  const result = await autocannon({
    url: `http://${HOST}:${opts.port}${opts.path}`,
    method: opts.method,
    headers: opts.headers,
    body: opts.body,
    connections: SETTINGS.connections,
    duration: SETTINGS.loadSeconds,
    timeout: 20,
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${opts.method} ${opts.path}: ${result.non2xx} non-2xx, ${result.errors} errors under load`);
  // autocannon resolves at its deadline with requests still in flight: let them finish.
  await sleep(1000);
  return result['2xx'] / result.duration;
}

async function runOnce(engine: EngineName, run: number): Promise<RunResult> {
  let where: Record<string, string>;
  if (engine === 'pglite') {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fawtara-memory-'));
    lifecycle.addCleanup(() => rm(dir, { recursive: true, force: true }));
    where = { DATA_DIR: dir };
  } else {
    const scratch = await createScratchDatabase(`fawtara_memory_${process.pid}_${run}_${Date.now()}`);
    lifecycle.addCleanup(scratch.drop);
    where = { DATABASE_URL: scratch.url };
  }
  const label = `${engine} #${run}`;
  const log = (s: string) => process.stdout.write(`  [${label}] ${s}\n`);

  const { child, startMs } = await startGateway(label, where);
  const pid = child.proc.pid!;
  const port = child.port!;
  log(`healthy after ${(startMs / 1000).toFixed(1)} s (pid ${pid}); idle ${SETTINGS.idleSeconds} s`);
  const idle = await quietThenSample(child);

  log(`warm-up: ${SETTINGS.creates} creations, ${SETTINGS.pages} page views`);
  const headers = await login(port);
  const keys: string[] = [];
  for (let i = 0; i < Math.max(1, SETTINGS.creates); i++) keys.push(await createInvoice(port, headers));
  for (let i = 0; i < SETTINGS.pages; i++) {
    const res = await request(port, 'GET', `/s/${keys[i % keys.length]}`);
    if (res.status !== 200) throw new Error(`page view failed: ${res.status} ${res.text.slice(0, 300)}`);
  }
  const warm = await quietThenSample(child);

  log(`load: ${SETTINGS.loadSeconds} s of creations, then of page views, ${SETTINGS.connections} connections`);
  const peak = samplePeak(pid, 100);
  const { createsPerSecond, pagesPerSecond } = await (async () => ({
    createsPerSecond: await load({ port, path: '/api/v1/invoice', method: 'POST', headers, body: INVOICE_BODY }),
    pagesPerSecond: await load({ port, path: `/s/${keys[0]}`, method: 'GET' }),
  }))().finally(peak.stop);
  const loadPeak = await peak.stop();
  const afterLoad = await quietThenSample(child);
  await stopGateway(child);

  const result: RunResult = { engine, run, startSeconds: startMs / 1000, idle, warm, loadPeak, afterLoad, createsPerSecond, pagesPerSecond };
  if (engine === 'pglite') {
    log('restart on the same folder');
    const again = await startGateway(`${label} restart`, where);
    result.restartSeconds = again.startMs / 1000;
    result.restartIdle = await quietThenSample(again.child);
    await stopGateway(again.child);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

const COLUMNS: Array<[string, (r: RunResult) => number | undefined, number]> = [
  ['start s', (r) => r.startSeconds, 1],
  ['idle MB', (r) => r.idle.rss, 0],
  ['anon MB', (r) => r.idle.anon, 0],
  ['start peak', (r) => r.idle.hwm, 0],
  ['warm MB', (r) => r.warm.rss, 0],
  ['load peak', (r) => r.loadPeak, 0],
  ['after load', (r) => r.afterLoad.rss, 0],
  ['creates/s', (r) => r.createsPerSecond, 0],
  ['pages/s', (r) => r.pagesPerSecond, 0],
  ['restart idle', (r) => r.restartIdle?.rss, 0],
  ['restart s', (r) => r.restartSeconds, 1],
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function printTable(results: RunResult[]): void {
  const head = ['variant', 'engine', 'run', ...COLUMNS.map(([name]) => name)];
  const rows: string[][] = [];
  const cell = (value: number | undefined, digits: number) => (value === undefined ? '-' : value.toFixed(digits));
  for (const r of results) rows.push([SETTINGS.label, r.engine, String(r.run), ...COLUMNS.map(([, get, digits]) => cell(get(r), digits))]);
  for (const engine of ENGINES) {
    const mine = results.filter((r) => r.engine === engine);
    if (mine.length < 2) continue;
    rows.push([
      SETTINGS.label,
      engine,
      'median',
      ...COLUMNS.map(([, get, digits]) => {
        const values = mine.map(get).filter((v): v is number => v !== undefined);
        return values.length ? median(values).toFixed(digits) : '-';
      }),
    ]);
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`\n${line(head)}`);
  for (const row of rows) console.log(line(row));
  console.log('MB: MiB of resident memory (VmRSS); anon: its anonymous part; start peak: VmHWM when idle.');
}

async function postgresReachable(): Promise<boolean> {
  try {
    const scratch = await createScratchDatabase(`fawtara_memory_probe_${process.pid}`);
    await scratch.drop();
    return true;
  } catch (err) {
    console.log(`postgres: skipped (${err instanceof Error ? err.message : String(err)}; BENCH_PG_ADMIN_URL=${ADMIN_URL})`);
    return false;
  }
}

async function main(): Promise<number> {
  const t0 = performance.now();
  const env = RELEVANT_ENV.filter((name) => process.env[name]).map((name) => `${name}=${process.env[name]}`);
  console.log(
    `memory benchmark "${SETTINGS.label}": node ${SETTINGS.nodeArgs.join(' ') || '(no flags)'} ${SETTINGS.built ? '' : '--import tsx '}${SCRIPT}` +
      `${env.length ? `; ${env.join(' ')}` : ''}; ${SETTINGS.runs} run(s) per engine`,
  );
  const results: RunResult[] = [];
  for (const engine of ENGINES) {
    if (engine === 'postgres' && !(await postgresReachable())) continue;
    for (let run = 1; run <= SETTINGS.runs; run++) {
      results.push(await runOnce(engine, run));
      await lifecycle.runCleanups();
    }
  }
  printTable(results);
  const dir = path.join(ROOT, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'embedded-memory.json');
  await writeFile(
    file,
    `${JSON.stringify({ ...resultsHeader('embedded-memory', (performance.now() - t0) / 1000, null), variant: SETTINGS.label, settings: SETTINGS, env, results }, null, 2)}\n`,
  );
  console.log(`\nresults: ${path.relative(ROOT, file)}`);
  return 0;
}

lifecycle.run(main);
