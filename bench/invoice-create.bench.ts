/**
 * Invoice-creation benchmark (`npm run bench:create`, or `npx tsx bench/invoice-create.bench.ts`).
 *
 * For each engine (PostgreSQL on 127.0.0.1:5432, then embedded PGlite) it starts the gateway as a
 * child process (so the load generator never shares its event loop), logs in as the sandbox
 * merchant and drives `POST /api/v1/invoice` over loopback HTTP with one pre-encrypted documented
 * payload (no Idempotency-Key: every request creates an invoice):
 *   1. warm-up: 2 s, 50 connections (autocannon)
 *   2. max throughput: 10 s, 50 connections (autocannon) → invoices/s, p50, p99, non-2xx
 *   3. fixed rate: 500 req/s for 10 s, open loop (see runFixedRate) → p50, p99
 *   4. EMI: 20 sequential `POST /api/v1/invoice/emi` of 100 installments → p50, max
 * Phases 1-3 are repeated against bench/floor-server.ts (bare Fastify, one INSERT, same pool size
 * 20 / one PGlite) on the same engine: the floor. The floor the target is judged against inserts
 * the same row into the gateway's own `invoices` table (its migrations: same indexes, same stats
 * trigger) as a named prepared statement, like the gateway; a second floor into a stand-in table
 * with only two unique keys is measured (max phase) and printed for reference. Targets apply to
 * PostgreSQL only.
 *
 * Options: --engines=postgres,pglite (default both)
 *          --profile   run the server children with --cpu-prof and summarise where the CPU goes in
 *                      the max-throughput window (numbers are then inflated by the profiler; no verdicts)
 *          --diagnose  also run the floor replaying the gateway's SQL conversation (credential SELECT,
 *                      BEGIN, INSERT ... RETURNING *, COMMIT) without any HTTP-level work, max phase only:
 *                      separates the cost of the database round trips from the gateway's CPU work
 * Environment: BENCH_PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/test), used only to
 * CREATE and DROP the bench database.
 *
 * Results: printed, and written to bench/results/invoice-create.json. Exit code 1 if any request
 * failed (non-2xx or socket error) or a server did not start/stop cleanly; a missed target alone
 * does not change the exit code (it is a measurement, not a test).
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  createBenchLifecycle,
  createScratchDatabase,
  freePort,
  HOST,
  makeRequester,
  resultsHeader,
  ROOT,
  sleep,
  stopChild,
  summarise,
  waitHealthy,
  withAdmin,
  type BenchChild,
  type LatencySummary,
} from './bench-support.ts';
import autocannon from 'autocannon';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { createCodec, type Codec } from '@fawtara/wire';
import { SANDBOX } from '../packages/server/src/modules/merchants/sandbox-credentials.ts';
import { invoiceRequestSample, installmentsRequestSample } from '../packages/server/src/test-support/documented-samples.ts';

// ---------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------

const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const RESULTS_FILE = path.join(RESULTS_DIR, 'invoice-create.json');

const SETTINGS = {
  warmupSeconds: 2,
  maxSeconds: 10,
  maxConnections: 50,
  fixedRate: 500,
  fixedSeconds: 10,
  emiRequests: 20,
  emiWarmupRequests: 2,
  emiInstallments: 100,
  startTimeoutMs: 60_000,
  stopTimeoutMs: 15_000,
} as const;

const TARGETS = {
  invoicesPerSecond: 2000,
  fixedRateP99Ms: 25,
  floorFraction: 0.5,
  emiMs: 150,
} as const;

type EngineName = 'postgres' | 'pglite';

const argv = process.argv.slice(2);
const PROFILE = argv.includes('--profile');
const DIAGNOSE = argv.includes('--diagnose');
const ENGINES: EngineName[] = (() => {
  const arg = argv.find((a) => a.startsWith('--engines='));
  if (!arg) return ['postgres', 'pglite'];
  const list = arg
    .slice('--engines='.length)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const e of list) if (e !== 'postgres' && e !== 'pglite') throw new Error(`unknown engine ${e} (postgres, pglite)`);
  return list as EngineName[];
})();
for (const a of argv) {
  if (a !== '--profile' && a !== '--diagnose' && !a.startsWith('--engines=')) {
    throw new Error(`unknown option ${a} (--engines=postgres,pglite, --profile, --diagnose)`);
  }
}

// ---------------------------------------------------------------------------------------------
// Cleanup: children and bench databases go away even when something throws or on Ctrl-C
// ---------------------------------------------------------------------------------------------

const lifecycle = createBenchLifecycle({ onSignalMessage: 'stopping servers and dropping bench databases...' });
const failures: string[] = [];

// ---------------------------------------------------------------------------------------------
// HTTP helpers
// ---------------------------------------------------------------------------------------------

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const request = makeRequester(agent);

// ---------------------------------------------------------------------------------------------
// Statistics and CPU accounting
// ---------------------------------------------------------------------------------------------

const CLK_TCK = 100; // Linux USER_HZ; /proc/<pid>/stat times are in these ticks

function procCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds of the PostgreSQL processes that work for the benchmark: backends connected to the
 * bench database plus the shared writers (WAL writer, checkpointer, ...). Backends of other
 * databases (someone's test run on the same server) are left out, and show up as "other load".
 */
let benchDatabaseName = '';
function postgresCpu(): Map<number, number> {
  const out = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readFileSync(`/proc/${e}/comm`, 'utf8').trim() !== 'postgres') continue;
      const cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const shared =
        /: (checkpointer|background writer|walwriter|autovacuum launcher|logical replication launcher|stats collector)\b/.test(cmd) || !cmd.includes(': ');
      if (!shared && !(benchDatabaseName && cmd.includes(benchDatabaseName))) continue;
    } catch {
      continue;
    }
    out.set(Number(e), procCpuSeconds(Number(e)));
  }
  return out;
}

function machineCpu(): { busy: number; total: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const n = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (n[3] ?? 0) + (n[4] ?? 0);
    const total = n.slice(0, 8).reduce((s, v) => s + v, 0);
    return { busy: (total - idle) / CLK_TCK, total: total / CLK_TCK };
  } catch {
    return { busy: 0, total: 0 };
  }
}

interface CpuSnapshot {
  t: number;
  server: number;
  postgres: Map<number, number>;
  loadgen: NodeJS.CpuUsage;
  machine: { busy: number; total: number };
}

function cpuSnapshot(serverPid: number): CpuSnapshot {
  return { t: performance.now(), server: procCpuSeconds(serverPid), postgres: postgresCpu(), loadgen: process.cpuUsage(), machine: machineCpu() };
}

interface CpuUse {
  /** Cores busy on average over the window (1.0 = one core fully used). */
  serverCores: number;
  postgresCores: number;
  loadgenCores: number;
  /** Busy cores not accounted to the three above: other processes on the machine. */
  otherCores: number;
  machineBusyPct: number;
}

function cpuUse(a: CpuSnapshot, b: CpuSnapshot): CpuUse {
  const secs = (b.t - a.t) / 1000;
  let pgSecs = 0;
  for (const [pid, v] of b.postgres) pgSecs += v - (a.postgres.get(pid) ?? 0);
  const lg = process.cpuUsage(a.loadgen);
  const mTotal = b.machine.total - a.machine.total;
  const serverCores = (b.server - a.server) / secs;
  const postgresCores = pgSecs / secs;
  const loadgenCores = (lg.user + lg.system) / 1e6 / secs;
  const machineBusyPct = mTotal > 0 ? (100 * (b.machine.busy - a.machine.busy)) / mTotal : NaN;
  const busyCores = (machineBusyPct / 100) * os.cpus().length;
  return { serverCores, postgresCores, loadgenCores, otherCores: Math.max(0, busyCores - serverCores - postgresCores - loadgenCores), machineBusyPct };
}

// ---------------------------------------------------------------------------------------------
// Load phases
// ---------------------------------------------------------------------------------------------

interface Target {
  port: number;
  path: string;
  headers: Record<string, string>;
  body: string;
}

interface ClosedLoopResult {
  seconds: number;
  connections: number;
  ok: number;
  perSecond: number;
  latencyMs: LatencySummary;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** autocannon's own (integer-ms histogram) figures, for reference. */
  autocannon: { p50: number; p99: number; requestsAverage: number };
  cpu?: CpuUse;
  window?: { startUs: number; endUs: number };
}

/** Closed loop: `connections` keep-alive connections, each sending its next request on the last reply. */
function runClosedLoop(target: Target, seconds: number, connections: number): Promise<ClosedLoopResult> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    const instance = autocannon(
      {
        url: `http://${HOST}:${target.port}${target.path}`,
        method: 'POST',
        headers: target.headers,
        body: target.body,
        connections,
        duration: seconds,
        timeout: 10,
      },
      (err, result) => {
        if (err) return reject(err);
        const ok = result['2xx'];
        const statusCodes: Record<string, number> = {};
        for (const [code, v] of Object.entries((result as unknown as { statusCodeStats: Record<string, { count: number }> }).statusCodeStats ?? {})) {
          statusCodes[code] = v.count;
        }
        resolve({
          seconds: result.duration,
          connections,
          ok,
          perSecond: ok / result.duration,
          latencyMs: summarise(latencies),
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          statusCodes,
          autocannon: { p50: result.latency.p50, p99: result.latency.p99, requestsAverage: result.requests.average },
        });
      },
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
}

interface OpenLoopResult {
  rate: number;
  seconds: number;
  sent: number;
  ok: number;
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
  /** Achieved send rate over the sending window. */
  sendRate: number;
  /** From the moment the request was written to the socket. */
  latencyMs: LatencySummary;
  /** From the moment it was due by the schedule (includes any lag of the generator: no coordinated omission). */
  latencyFromScheduleMs: LatencySummary;
  /** Per second of the schedule: requests, slowest reply (from send) and replies over the p99 target. */
  timeline: Array<{ second: number; requests: number; maxMs: number; over25ms: number }>;
}

/**
 * Open loop at a constant rate: request i is due at start + i/rate and is sent then, whatever the
 * replies before it are doing (a slow server meets more concurrent requests, as in production).
 * autocannon's overallRate is not used on purpose: it lets every connection fire its per-second
 * quota back to back at the top of each second (bursts of the full rate, then silence), and its
 * coordinated-omission correction uses an expected interval of ceil(1/rate) = 1 ms, which drags
 * percentiles down. Either would misstate "p99 at 500 req/s".
 */
function runOpenLoop(target: Target, rate: number, seconds: number): Promise<OpenLoopResult> {
  return new Promise((resolve) => {
    const total = Math.round(rate * seconds);
    const fromSend: number[] = [];
    const fromSchedule: number[] = [];
    const statusCodes: Record<string, number> = {};
    let sent = 0;
    let done = 0;
    let ok = 0;
    let non2xx = 0;
    let errors = 0;
    let lastSendAt = 0;
    const headers = { ...target.headers, 'content-length': String(Buffer.byteLength(target.body)) };
    const start = performance.now();
    const interval = 1000 / rate;
    const timeline = Array.from({ length: Math.ceil(seconds) }, (_, second) => ({ second, requests: 0, maxMs: 0, over25ms: 0 }));

    const finishOne = () => {
      done++;
      if (done === total) {
        resolve({
          rate,
          seconds,
          sent,
          ok,
          non2xx,
          errors,
          statusCodes,
          sendRate: sent / ((lastSendAt - start + interval) / 1000),
          latencyMs: summarise(fromSend),
          latencyFromScheduleMs: summarise(fromSchedule),
          timeline: timeline.map((x) => ({ ...x, maxMs: Math.round(x.maxMs * 100) / 100 })),
        });
      }
    };

    const fire = (dueAt: number) => {
      const t0 = performance.now();
      lastSendAt = t0;
      const req = http.request({ host: HOST, port: target.port, method: 'POST', path: target.path, agent, headers }, (res) => {
        res.resume();
        res.on('end', () => {
          const t1 = performance.now();
          const status = res.statusCode ?? 0;
          statusCodes[status] = (statusCodes[status] ?? 0) + 1;
          const slot = timeline[Math.min(timeline.length - 1, Math.floor((dueAt - start) / 1000))]!;
          slot.requests++;
          slot.maxMs = Math.max(slot.maxMs, t1 - t0);
          if (t1 - t0 > TARGETS.fixedRateP99Ms) slot.over25ms++;
          if (status >= 200 && status < 300) {
            ok++;
            fromSend.push(t1 - t0);
            fromSchedule.push(t1 - dueAt);
          } else {
            non2xx++;
          }
          finishOne();
        });
      });
      req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        errors++;
        finishOne();
      });
      req.end(target.body);
    };

    const pump = () => {
      const due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1);
      while (sent < due) {
        fire(start + sent * interval);
        sent++;
      }
      if (sent < total) setTimeout(pump, Math.max(0, start + sent * interval - performance.now()));
    };
    pump();
  });
}

// ---------------------------------------------------------------------------------------------
// Payloads
// ---------------------------------------------------------------------------------------------

function futureDate(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

const sandboxCodec: Codec = createCodec({ secretKey: SANDBOX.secretKey, iv: SANDBOX.iv });

/** The documented invoice sample with a future expiry; the same bytes for every request. */
const INVOICE_PAYLOAD = { ...invoiceRequestSample.json, expiresAt: futureDate(30) };
const INVOICE_BODY = JSON.stringify({ data: sandboxCodec.encrypt(JSON.stringify(INVOICE_PAYLOAD)) });

/** The documented installment plan's shape, 100 installments a month apart, distinct references. */
function emiPayload(count: number) {
  const [template] = installmentsRequestSample(futureDate(30)).invoices;
  return {
    merchantCode: SANDBOX.merchantCode,
    invoices: Array.from({ length: count }, (_, i) => ({
      ...template,
      amount: '10.000',
      referenceNumber: String(88_000_000 + i),
      expiresAt: futureDate(30 + 30 * i),
    })),
  };
}
const EMI_BODY = JSON.stringify({ data: sandboxCodec.encrypt(JSON.stringify(emiPayload(SETTINGS.emiInstallments))) });

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };

// ---------------------------------------------------------------------------------------------
// CPU profile summary (--profile)
// ---------------------------------------------------------------------------------------------

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

interface ProfileSummary {
  file: string;
  /** Samples in the window that were not idle (the main thread was running JS, native code or GC). */
  windowSamples: number;
  windowMs: number;
  /** Share of the window's samples in which the main thread was not idle: ~100% means a saturated event loop. */
  mainThreadBusyPct: number;
  selfByFunction: Array<{ name: string; pct: number }>;
  selfByModule: Array<{ name: string; pct: number }>;
  /**
   * Each sample charged to the nearest frame of a package or of our code (skipping node:* and
   * native frames), with the native leaf named: "pg submit [writev]" is a socket write of a query.
   */
  attributed: Array<{ name: string; pct: number }>;
  attributedByModule: Array<{ name: string; pct: number }>;
}

function moduleOf(url: string, fn: string): string {
  if (url === '') return fn.startsWith('(') ? fn : '(native)';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) {
    const parts = url
      .slice(5)
      .replace(/^internal\//, '')
      .split('/');
    return `node:${parts[0]!.replace(/\.js$/, '')}`;
  }
  const rel = url.replace(/^file:\/\//, '').replace(ROOT, '');
  if (rel.startsWith('packages/server/src/')) return `server:${rel.slice('packages/server/src/'.length)}`;
  if (rel.startsWith('packages/wire/src/')) return '@fawtara/wire';
  return rel;
}

function summariseProfile(file: string, window?: { startUs: number; endUs: number }): ProfileSummary {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const selfFn = new Map<string, number>();
  const selfMod = new Map<string, number>();
  const attrFn = new Map<string, number>();
  const attrMod = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  const isPlatform = (m: string) => m.startsWith('node:') || m === '(native)' || m === '(root)';
  let t = prof.startTime;
  let count = 0;
  let idle = 0;
  let inWindowFirst = Infinity;
  let inWindowLast = -Infinity;
  for (let i = 0; i < prof.samples.length; i++) {
    t += prof.timeDeltas[i] ?? 0;
    if (window && (t < window.startUs || t > window.endUs)) continue;
    const node = byId.get(prof.samples[i]!);
    if (!node) continue;
    if (node.callFrame.functionName === '(idle)') {
      idle++;
      continue;
    }
    count++;
    inWindowFirst = Math.min(inWindowFirst, t);
    inWindowLast = Math.max(inWindowLast, t);
    const { functionName, url, lineNumber } = node.callFrame;
    const mod = moduleOf(url, functionName);
    const fnKey = `${functionName || '(anonymous)'}  ${mod}${url ? `:${lineNumber + 1}` : ''}`;
    bump(selfFn, fnKey);
    bump(selfMod, mod);
    let owner = node.callFrame;
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)!.callFrame;
      if (!isPlatform(moduleOf(f.url, f.functionName))) {
        owner = f;
        break;
      }
    }
    const ownerMod = moduleOf(owner.url, owner.functionName);
    const leaf = owner === node.callFrame ? '' : ` [${functionName || '(anonymous)'}]`;
    bump(attrFn, `${ownerMod} ${owner.functionName || '(anonymous)'}${owner.url ? `:${owner.lineNumber + 1}` : ''}${leaf}`);
    bump(attrMod, ownerMod);
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, c]) => ({ name, pct: (100 * c) / Math.max(1, count) }));
  return {
    file: path.relative(ROOT, file),
    windowSamples: count,
    windowMs: count > 0 ? (inWindowLast - inWindowFirst) / 1000 : 0,
    mainThreadBusyPct: (100 * count) / Math.max(1, count + idle),
    selfByFunction: top(selfFn, 25),
    selfByModule: top(selfMod, 20),
    attributed: top(attrFn, 25),
    attributedByModule: top(attrMod, 20),
  };
}

/** Checkpoints so far on the PostgreSQL server (pg_stat_bgwriter up to 16, pg_stat_checkpointer from 17). */
async function checkpointCount(engine: EngineName): Promise<number | undefined> {
  if (engine !== 'postgres') return undefined;
  try {
    return await withAdmin(async (c) => {
      try {
        const { rows } = await c.query('SELECT (checkpoints_timed + checkpoints_req)::int AS n FROM pg_stat_bgwriter');
        return rows[0].n as number;
      } catch {
        const { rows } = await c.query('SELECT (num_timed + num_requested)::int AS n FROM pg_stat_checkpointer');
        return rows[0].n as number;
      }
    });
  } catch {
    return undefined;
  }
}

function hrNowUs(): number {
  // Same clock as V8's profile timestamps on Linux (CLOCK_MONOTONIC), in microseconds.
  return Number(process.hrtime.bigint() / 1000n);
}

// ---------------------------------------------------------------------------------------------
// One server under load
// ---------------------------------------------------------------------------------------------

interface ServerRun {
  startMs: number;
  warmup: ClosedLoopResult;
  max: ClosedLoopResult;
  fixed?: OpenLoopResult;
  emi?: { installments: number; requests: number; ms: LatencySummary; samples: number[] };
  rowsInDatabase?: number;
  okResponses: number;
  stop: { code: number | null; signal: string | null; ms: number; clean: boolean };
  /** PostgreSQL checkpoints (timed or requested, by anyone) during the max and fixed phases: they stall commits. */
  checkpoints?: { max: number; fixed: number };
  logLines: number;
  logTail: string[];
  profile?: ProfileSummary;
}

function checkFailures(label: string, r: { non2xx: number; errors: number; statusCodes: Record<string, number> }, child: BenchChild): void {
  if (r.non2xx === 0 && r.errors === 0) return;
  const msg = `${label}: ${r.non2xx} non-2xx, ${r.errors} socket errors (status codes ${JSON.stringify(r.statusCodes)})`;
  failures.push(msg);
  process.stdout.write(`\n!!!!!!!! FAILED REQUESTS — ${msg}\n!!!!!!!! last server log lines:\n  ${child.logTail.join('\n  ')}\n\n`);
}

/**
 * One folder per server: Node writes a profile per thread (tsx's loader hooks run on a worker
 * thread), named CPU.<date>.<time>.<pid>.<threadId>.<seq>.cpuprofile; the main thread's id is 0.
 */
async function profileArgs(name: string): Promise<string[]> {
  if (!PROFILE) return [];
  const dir = path.join(RESULTS_DIR, 'profiles', name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

function mainThreadProfile(name: string, pid: number): string | undefined {
  const dir = path.join(RESULTS_DIR, 'profiles', name);
  if (!existsSync(dir)) return undefined;
  const file = readdirSync(dir).find((f) => f.includes(`.${pid}.0.`) && f.endsWith('.cpuprofile'));
  return file && path.join(dir, file);
}

async function benchServer(opts: {
  label: string;
  engine: EngineName;
  script: string;
  env: Record<string, string>;
  kind: 'gateway' | 'floor';
  /** Diagnostic runs: warm-up and max throughput only. */
  maxOnly?: boolean;
}): Promise<ServerRun> {
  const port = await freePort();
  const profName = `${opts.engine}-${opts.label.split('/')[0]}`;
  const child = lifecycle.spawnChild(opts.label, [opts.script], opts.env, { port, nodeArgs: await profileArgs(profName) });
  let stopped = false;
  lifecycle.addCleanup(async () => {
    if (!stopped) await stopChild(child, SETTINGS.stopTimeoutMs);
  });
  const log = (s: string) => process.stdout.write(`  [${opts.label}] ${s}\n`);

  const startMs = await waitHealthy(child, SETTINGS.startTimeoutMs, request);
  log(`healthy after ${startMs.toFixed(0)} ms (pid ${child.proc.pid}, port ${port})`);

  const headers: Record<string, string> = { ...JSON_HEADERS };
  let okResponses = 0;
  if (opts.kind === 'gateway') {
    const login = await request(port, 'POST', '/api/v1/login', JSON_HEADERS, JSON.stringify({ username: SANDBOX.username, password: SANDBOX.password }));
    if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`);
    const token = JSON.parse(login.text).response?.token?.access_token;
    if (typeof token !== 'string') throw new Error(`login reply without response.token.access_token: ${login.text.slice(0, 300)}`);
    headers.accesscode = SANDBOX.accessCode;
    headers.authorization = `Bearer ${token}`;

    // One request by hand first: a wrong payload would otherwise show up as 50,000 non-2xx.
    const probe = await request(port, 'POST', '/api/v1/invoice', headers, INVOICE_BODY);
    const reply = probe.status === 200 ? JSON.parse(sandboxCodec.decrypt(JSON.parse(probe.text).response)) : probe.text;
    if (probe.status !== 200 || reply.status !== true || typeof reply.response?.token !== 'string') {
      throw new Error(`probe invoice failed: ${probe.status} ${typeof reply === 'string' ? reply : JSON.stringify(reply)}`.slice(0, 1000));
    }
    okResponses++;
  } else {
    const probe = await request(port, 'POST', '/api/v1/invoice', headers, INVOICE_BODY);
    if (probe.status !== 200) throw new Error(`floor probe failed: ${probe.status} ${probe.text}`);
    okResponses++;
  }
  const target: Target = { port, path: '/api/v1/invoice', headers, body: INVOICE_BODY };

  log(`warm-up ${SETTINGS.warmupSeconds} s, ${SETTINGS.maxConnections} connections`);
  const warmup = await runClosedLoop(target, SETTINGS.warmupSeconds, SETTINGS.maxConnections);
  checkFailures(`${opts.label} warm-up`, warmup, child);
  okResponses += warmup.ok;

  log(`max throughput ${SETTINGS.maxSeconds} s, ${SETTINGS.maxConnections} connections`);
  const ckpt0 = await checkpointCount(opts.engine);
  const cpuA = cpuSnapshot(child.proc.pid!);
  const startUs = hrNowUs();
  const max = await runClosedLoop(target, SETTINGS.maxSeconds, SETTINGS.maxConnections);
  const endUs = hrNowUs();
  max.cpu = cpuUse(cpuA, cpuSnapshot(child.proc.pid!));
  max.window = { startUs, endUs };
  const ckpt1 = await checkpointCount(opts.engine);
  checkFailures(`${opts.label} max throughput`, max, child);
  okResponses += max.ok;
  log(`  ${max.perSecond.toFixed(0)}/s, p50 ${max.latencyMs.p50.toFixed(2)} ms, p99 ${max.latencyMs.p99.toFixed(2)} ms, non-2xx ${max.non2xx}`);

  let fixed: OpenLoopResult | undefined;
  let ckpt2 = ckpt1;
  if (!opts.maxOnly) {
    await sleep(500); // let the tail of the closed loop drain before the open loop starts
    log(`fixed rate ${SETTINGS.fixedRate} req/s for ${SETTINGS.fixedSeconds} s (open loop)`);
    fixed = await runOpenLoop(target, SETTINGS.fixedRate, SETTINGS.fixedSeconds);
    ckpt2 = await checkpointCount(opts.engine);
    checkFailures(`${opts.label} fixed rate`, fixed, child);
    okResponses += fixed.ok;
    log(
      `  sent at ${fixed.sendRate.toFixed(0)}/s, p50 ${fixed.latencyMs.p50.toFixed(2)} ms, p99 ${fixed.latencyMs.p99.toFixed(2)} ms, non-2xx ${fixed.non2xx}`,
    );
  }
  const checkpoints = ckpt0 === undefined ? undefined : { max: ckpt1! - ckpt0, fixed: ckpt2! - ckpt1! };

  let emi: ServerRun['emi'];
  if (opts.kind === 'gateway') {
    log(`EMI: ${SETTINGS.emiWarmupRequests} warm-up + ${SETTINGS.emiRequests} sequential requests of ${SETTINGS.emiInstallments} installments`);
    const samples: number[] = [];
    for (let i = 0; i < SETTINGS.emiWarmupRequests + SETTINGS.emiRequests; i++) {
      const res = await request(port, 'POST', '/api/v1/invoice/emi', headers, EMI_BODY);
      let good = res.status === 200;
      if (good) {
        const reply = JSON.parse(sandboxCodec.decrypt(JSON.parse(res.text).response));
        good = reply.status === true && Array.isArray(reply.response) && reply.response.length === SETTINGS.emiInstallments;
      }
      if (!good) {
        const msg = `${opts.label} EMI request ${i + 1}: ${res.status} ${res.text.slice(0, 300)}`;
        failures.push(msg);
        process.stdout.write(`\n!!!!!!!! FAILED REQUEST — ${msg}\n`);
        continue;
      }
      okResponses += SETTINGS.emiInstallments;
      if (i >= SETTINGS.emiWarmupRequests) samples.push(res.ms);
    }
    emi = { installments: SETTINGS.emiInstallments, requests: samples.length, ms: summarise(samples), samples: samples.map((v) => Math.round(v * 100) / 100) };
    log(`  p50 ${emi.ms.p50.toFixed(1)} ms, max ${emi.ms.max.toFixed(1)} ms`);
  }

  const { timedOut: _, ...stop } = await stopChild(child, SETTINGS.stopTimeoutMs);
  stopped = true;
  if (!stop.clean) failures.push(`${opts.label} did not exit cleanly on SIGTERM: code ${stop.code}, signal ${stop.signal}, after ${stop.ms.toFixed(0)} ms`);
  log(`SIGTERM → exit code ${stop.code}${stop.signal ? ` signal ${stop.signal}` : ''} after ${stop.ms.toFixed(0)} ms`);
  if (stop.code !== 0) log(`unclean exit; last server lines:\n    ${child.logTail.join('\n    ')}`);

  let profile: ProfileSummary | undefined;
  if (PROFILE) {
    const file = mainThreadProfile(profName, child.proc.pid!);
    if (file) profile = summariseProfile(file, max.window);
    else log(`no main-thread profile written in ${path.join(RESULTS_DIR, 'profiles', profName)}`);
  }

  return { startMs, warmup, max, fixed, emi, okResponses, stop, checkpoints, logLines: child.logLines, logTail: [...child.logTail], profile };
}

// ---------------------------------------------------------------------------------------------
// Engines
// ---------------------------------------------------------------------------------------------

interface EngineResult {
  engine: EngineName;
  label: string;
  gateway: ServerRun;
  floor: ServerRun;
  /** The stand-in floor (two unique keys only), max phase only, for reference. */
  floorStandIn: ServerRun;
  /** --diagnose: the floor replaying the gateway's SQL (max phase only). */
  floorGatewaySql?: ServerRun;
  ratio: { throughput: number; maxP50: number; maxP99: number; fixedP50: number; fixedP99: number; serverCpuPerRequest: number };
  verdicts: Verdict[];
}

interface Verdict {
  target: string;
  pass: boolean;
  detail: string;
}

async function countRows(engine: EngineName, where: string, table: string): Promise<number> {
  if (engine === 'postgres') {
    const client = new pg.Client({ connectionString: where });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${table}`);
      return rows[0].n;
    } finally {
      await client.end();
    }
  }
  const db = await PGlite.create({ dataDir: where });
  try {
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
    return rows[0]!.n;
  } finally {
    await db.close();
  }
}

async function benchEngine(engine: EngineName, serverInfo: Record<string, string>): Promise<EngineResult> {
  let gatewayEnv: Record<string, string>;
  let floorEnv: Record<string, string>;
  let gatewayWhere: string;
  let floorWhere: string;
  let label: string;
  const common = { LOG_LEVEL: 'warn', FAWTARA_MODE: 'sandbox' };
  // The parent's environment must not leak a DATABASE_URL into the PGlite runs (or vice versa).
  const unset = { DATABASE_URL: '', DATA_DIR: '' };

  if (engine === 'postgres') {
    const name = `fawtara_bench_${process.pid}_${Date.now().toString(36)}`;
    benchDatabaseName = name;
    const scratch = await createScratchDatabase(name);
    lifecycle.addCleanup(scratch.drop);
    gatewayWhere = floorWhere = scratch.url;
    gatewayEnv = { ...unset, ...common, DATABASE_URL: gatewayWhere };
    floorEnv = { ...unset, DATABASE_URL: floorWhere };
    label = `PostgreSQL ${serverInfo.version ?? ''} (fsync ${serverInfo.fsync}, synchronous_commit ${serverInfo.synchronous_commit})`;
    process.stdout.write(`\n=== ${label}: database ${name} ===\n`);
  } else {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fawtara-bench-'));
    lifecycle.addCleanup(() => rm(dir, { recursive: true, force: true }));
    gatewayWhere = path.join(dir, 'gateway');
    floorWhere = path.join(dir, 'floor');
    gatewayEnv = { ...unset, ...common, DATA_DIR: gatewayWhere };
    floorEnv = { ...unset, DATA_DIR: floorWhere };
    label = 'PGlite (embedded, DATA_DIR on local disk)';
    process.stdout.write(`\n=== ${label}: ${dir} ===\n`);
  }

  const gateway = await benchServer({
    label: `gateway/${engine}`,
    engine,
    script: 'packages/server/src/main.ts',
    env: { ...gatewayEnv, PUBLIC_BASE_URL: 'http://127.0.0.1' },
    kind: 'gateway',
  });
  gateway.rowsInDatabase = await countRows(engine, gatewayWhere, 'invoices');
  // The floor the target is judged against: one plain INSERT into the gateway's own invoices
  // table (same indexes and trigger), on its own database / folder.
  let realWhere: string;
  if (engine === 'postgres') {
    const realName = `${benchDatabaseName}_floor`;
    const scratch = await createScratchDatabase(realName);
    lifecycle.addCleanup(scratch.drop);
    realWhere = scratch.url;
  } else {
    realWhere = `${floorWhere}-invoices`;
  }
  const floor = await benchServer({
    label: `floor/${engine}`,
    engine,
    script: 'bench/floor-server.ts',
    env: { ...unset, FLOOR_TABLE: 'invoices', ...(engine === 'postgres' ? { DATABASE_URL: realWhere } : { DATA_DIR: realWhere }) },
    kind: 'floor',
  });
  floor.rowsInDatabase = await countRows(engine, realWhere, 'invoices');
  // For reference: the same INSERT into a stand-in table with only two unique keys.
  const floorStandIn = await benchServer({
    label: `floor-standin/${engine}`,
    engine,
    script: 'bench/floor-server.ts',
    env: floorEnv,
    kind: 'floor',
    maxOnly: true,
  });
  floorStandIn.rowsInDatabase = await countRows(engine, floorWhere, 'floor_invoices');
  let floorGatewaySql: ServerRun | undefined;
  if (DIAGNOSE) {
    const where = engine === 'postgres' ? floorWhere : `${floorWhere}-gwsql`;
    floorGatewaySql = await benchServer({
      label: `floor-gwsql/${engine}`,
      engine,
      script: 'bench/floor-server.ts',
      env: engine === 'postgres' ? { ...floorEnv, FLOOR_SQL: 'gateway' } : { ...unset, DATA_DIR: where, FLOOR_SQL: 'gateway' },
      kind: 'floor',
      maxOnly: true,
    });
  }

  for (const [who, run] of [
    ['gateway', gateway],
    ['floor', floor],
  ] as const) {
    // Every 2xx reply must be a row; a few extra rows are requests still in flight when a phase's clock ran out.
    if (run.rowsInDatabase! < run.okResponses) failures.push(`${engine} ${who}: ${run.okResponses} successful replies but only ${run.rowsInDatabase} rows`);
  }

  const cpuPerReq = (r: ServerRun) => (r.max.cpu ? (r.max.cpu.serverCores * r.max.seconds) / r.max.ok : NaN);
  const ratio = {
    throughput: gateway.max.perSecond / floor.max.perSecond,
    maxP50: gateway.max.latencyMs.p50 / floor.max.latencyMs.p50,
    maxP99: gateway.max.latencyMs.p99 / floor.max.latencyMs.p99,
    fixedP50: gateway.fixed!.latencyMs.p50 / floor.fixed!.latencyMs.p50,
    fixedP99: gateway.fixed!.latencyMs.p99 / floor.fixed!.latencyMs.p99,
    serverCpuPerRequest: cpuPerReq(gateway) / cpuPerReq(floor),
  };

  const verdicts: Verdict[] = [];
  if (engine === 'postgres' && !PROFILE) {
    const tput = gateway.max.perSecond;
    verdicts.push({ target: `>= ${TARGETS.invoicesPerSecond} invoice creations/s`, pass: tput >= TARGETS.invoicesPerSecond, detail: `${tput.toFixed(0)}/s` });
    const fx = gateway.fixed!;
    const p99 = fx.latencyFromScheduleMs.p99;
    verdicts.push({
      target: `p99 < ${TARGETS.fixedRateP99Ms} ms at ${SETTINGS.fixedRate} req/s`,
      pass: p99 < TARGETS.fixedRateP99Ms,
      detail:
        `p99 ${p99.toFixed(2)} ms from schedule (${fx.latencyMs.p99.toFixed(2)} ms from send), sent at ${fx.sendRate.toFixed(0)}/s` +
        `${gateway.checkpoints?.fixed ? `; ${gateway.checkpoints.fixed} PostgreSQL checkpoint(s) during the phase` : ''}`,
    });
    verdicts.push({
      target: `>= ${TARGETS.floorFraction * 100}% of the floor's throughput`,
      pass: ratio.throughput >= TARGETS.floorFraction,
      detail: `${tput.toFixed(0)}/s vs floor ${floor.max.perSecond.toFixed(0)}/s = ${(ratio.throughput * 100).toFixed(1)}%`,
    });
    const emi = gateway.emi!;
    verdicts.push({
      target: `EMI of ${SETTINGS.emiInstallments} installments < ${TARGETS.emiMs} ms`,
      pass: emi.ms.p50 < TARGETS.emiMs,
      detail: `p50 ${emi.ms.p50.toFixed(1)} ms, max ${emi.ms.max.toFixed(1)} ms over ${emi.requests} requests (${emi.ms.max < TARGETS.emiMs ? 'every one' : 'NOT every one'} under ${TARGETS.emiMs} ms)`,
    });
  }
  process.stdout.write(
    `  [${engine}] stand-in floor (table with two unique keys, no search index or stats trigger): ${floorStandIn.max.perSecond.toFixed(0)}/s; ` +
      `gateway = ${((gateway.max.perSecond / floorStandIn.max.perSecond) * 100).toFixed(1)}% of it\n`,
  );
  return { engine, label, gateway, floor, floorStandIn, floorGatewaySql, ratio, verdicts };
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

function fmt(v: number | undefined, digits = 2): string {
  return v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits);
}

function printEngine(r: EngineResult): void {
  const g = r.gateway;
  const f = r.floor;
  const d = r.floorGatewaySql;
  const gf = g.fixed!;
  const ff = f.fixed!;
  const rows: Array<[string, string, string, string]> = [];
  const row = (name: string, gv: string, fv: string, ratio = '') => rows.push([name, gv, fv, ratio]);
  const head = (name: string) => rows.push([name, '', '', '']);
  const cpuPerReqUs = (x: ServerRun) => (x.max.cpu ? fmt((x.max.cpu.serverCores * x.max.seconds * 1e6) / x.max.ok, 0) : '-');
  const slowest = (x: OpenLoopResult) => {
    const s = [...x.timeline].sort((p, q) => q.maxMs - p.maxMs)[0];
    return s ? `${fmt(s.maxMs, 1)} ms in s${s.second + 1}` : '-';
  };

  head(`max throughput (${SETTINGS.maxConnections} connections, ${SETTINGS.maxSeconds} s, closed loop)`);
  row('  invoices/s', fmt(g.max.perSecond, 0), fmt(f.max.perSecond, 0), fmt(r.ratio.throughput));
  row('  p50 ms', fmt(g.max.latencyMs.p50), fmt(f.max.latencyMs.p50), fmt(r.ratio.maxP50));
  row('  p99 ms', fmt(g.max.latencyMs.p99), fmt(f.max.latencyMs.p99), fmt(r.ratio.maxP99));
  row('  non-2xx / errors', `${g.max.non2xx} / ${g.max.errors}`, `${f.max.non2xx} / ${f.max.errors}`);
  if (g.max.cpu && f.max.cpu) {
    row('  server process CPU, cores', fmt(g.max.cpu.serverCores), fmt(f.max.cpu.serverCores));
    row('  server CPU µs per request', cpuPerReqUs(g), cpuPerReqUs(f), fmt(r.ratio.serverCpuPerRequest));
    if (r.engine === 'postgres') row('  postgres CPU, cores', fmt(g.max.cpu.postgresCores), fmt(f.max.cpu.postgresCores));
    row('  load generator CPU, cores', fmt(g.max.cpu.loadgenCores), fmt(f.max.cpu.loadgenCores));
    row('  other load on machine, cores', fmt(g.max.cpu.otherCores), fmt(f.max.cpu.otherCores));
    row('  machine busy %', fmt(g.max.cpu.machineBusyPct, 0), fmt(f.max.cpu.machineBusyPct, 0));
  }
  if (g.checkpoints && f.checkpoints) row('  PostgreSQL checkpoints', String(g.checkpoints.max), String(f.checkpoints.max));
  head(`fixed rate ${SETTINGS.fixedRate} req/s (${SETTINGS.fixedSeconds} s, open loop)`);
  row('  achieved send rate/s', fmt(gf.sendRate, 0), fmt(ff.sendRate, 0));
  row('  p50 ms', fmt(gf.latencyMs.p50), fmt(ff.latencyMs.p50), fmt(r.ratio.fixedP50));
  row('  p99 ms', fmt(gf.latencyMs.p99), fmt(ff.latencyMs.p99), fmt(r.ratio.fixedP99));
  row('  p99 ms from schedule', fmt(gf.latencyFromScheduleMs.p99), fmt(ff.latencyFromScheduleMs.p99));
  row('  max ms (slowest second)', slowest(gf), slowest(ff));
  row('  non-2xx / errors', `${gf.non2xx} / ${gf.errors}`, `${ff.non2xx} / ${ff.errors}`);
  if (g.checkpoints && f.checkpoints) row('  PostgreSQL checkpoints', String(g.checkpoints.fixed), String(f.checkpoints.fixed));
  if (g.emi) {
    head(`EMI, ${g.emi.installments} installments (${g.emi.requests} sequential requests)`);
    row('  p50 ms', fmt(g.emi.ms.p50, 1), '');
    row('  max ms', fmt(g.emi.ms.max, 1), '');
  }
  head('sanity');
  row('  2xx replies (invoices)', String(g.okResponses), String(f.okResponses));
  row('  rows in database', String(g.rowsInDatabase), String(f.rowsInDatabase));
  row('  start-up to /health ms', fmt(g.startMs, 0), fmt(f.startMs, 0));
  row('  SIGTERM → exit', `code ${g.stop.code}, ${fmt(g.stop.ms, 0)} ms`, `code ${f.stop.code}, ${fmt(f.stop.ms, 0)} ms`);
  row('  server output lines (LOG_LEVEL=warn)', String(g.logLines), String(f.logLines));

  const w = [Math.max(...rows.map((x) => x[0].length)) + 2, 20, 20, 10];
  const line = (c: string[]) => c[0]!.padEnd(w[0]!) + c[1]!.padStart(w[1]!) + c[2]!.padStart(w[2]!) + c[3]!.padStart(w[3]!);
  process.stdout.write(`\n${r.label}\n`);
  process.stdout.write(`${line(['', 'gateway', 'floor', 'gw/floor'])}\n`);
  for (const x of rows) process.stdout.write(`${line(x)}\n`);
  if (g.logLines > 0) process.stdout.write(`  gateway output tail:\n    ${g.logTail.slice(-5).join('\n    ')}\n`);
  if (d) {
    process.stdout.write(
      `  diagnostic — floor replaying the gateway's SQL (SELECT credential; BEGIN; INSERT ... RETURNING *; COMMIT), no HTTP-level work:\n` +
        `    ${fmt(d.max.perSecond, 0)}/s, p50 ${fmt(d.max.latencyMs.p50)} ms, p99 ${fmt(d.max.latencyMs.p99)} ms, non-2xx ${d.max.non2xx}, ` +
        `server CPU ${cpuPerReqUs(d)} µs/request, ${d.max.cpu ? `server ${fmt(d.max.cpu.serverCores)} / postgres ${fmt(d.max.cpu.postgresCores)} / other ${fmt(d.max.cpu.otherCores)} cores` : ''}\n`,
    );
  }
  for (const v of r.verdicts) process.stdout.write(`${v.pass ? 'PASS' : 'MISS'}  ${v.target}: ${v.detail}\n`);

  for (const [who, run] of [
    ['gateway', g],
    ['floor', f],
    ['floor-gwsql', d],
  ] as const) {
    if (!run?.profile) continue;
    const p = run.profile;
    process.stdout.write(
      `\n  CPU profile, ${who}/${r.engine}, main thread, max-throughput window: busy ${fmt(p.mainThreadBusyPct, 0)}% ` +
        `(${p.windowSamples} non-idle samples over ${fmt(p.windowMs / 1000, 1)} s; ${p.file}); % of non-idle samples\n`,
    );
    const list = (title: string, entries: Array<{ name: string; pct: number }>, n: number) => {
      process.stdout.write(`    ${title}:\n`);
      for (const e of entries.slice(0, n)) process.stdout.write(`      ${fmt(e.pct, 1).padStart(5)}%  ${e.name}\n`);
    };
    list('by package/file, node:* and native time charged to the nearest caller in a package or our code', p.attributedByModule, 12);
    list('by caller [native leaf]', p.attributed, 20);
    list('self time by function', p.selfByFunction, 12);
  }
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const t0 = performance.now();
  await mkdir(RESULTS_DIR, { recursive: true });
  const serverInfo: Record<string, string> = {};
  if (ENGINES.includes('postgres')) {
    await withAdmin(async (c) => {
      for (const [k, q] of [
        ['version', 'SHOW server_version'],
        ['fsync', 'SHOW fsync'],
        ['synchronous_commit', 'SHOW synchronous_commit'],
        ['max_connections', 'SHOW max_connections'],
      ] as const) {
        const { rows } = await c.query(q);
        serverInfo[k] = String(Object.values(rows[0])[0]);
      }
    });
  }
  process.stdout.write(
    `Fawtara invoice-creation benchmark — ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, Node ${process.version}, engines ${ENGINES.join(', ')}` +
      `${PROFILE ? ' (PROFILING: figures are inflated by the profiler, no verdicts)' : ''}\n` +
      `payload: documented sample, expiresAt ${INVOICE_PAYLOAD.expiresAt}, body ${INVOICE_BODY.length} bytes; EMI body ${EMI_BODY.length} bytes\n`,
  );

  const m0 = machineCpu();
  await sleep(1000);
  const m1 = machineCpu();
  const idleBusyPct = m1.total > m0.total ? (100 * (m1.busy - m0.busy)) / (m1.total - m0.total) : NaN;
  process.stdout.write(
    `machine busy before start: ${fmt(idleBusyPct, 0)}%${idleBusyPct > 15 ? '  <-- WARNING: something else is running; figures will be low and noisy' : ''}\n`,
  );

  const results: EngineResult[] = [];
  try {
    for (const engine of ENGINES) {
      const r = await benchEngine(engine, serverInfo);
      results.push(r);
      await lifecycle.runCleanups(); // stop anything left and drop this engine's database before the next
    }
  } finally {
    await lifecycle.runCleanups();
  }

  process.stdout.write(`\n${'='.repeat(100)}\n`);
  for (const r of results) printEngine(r);
  const totalS = (performance.now() - t0) / 1000;

  const verdicts = results.flatMap((r) => r.verdicts);
  process.stdout.write(`\n${'='.repeat(100)}\n`);
  if (verdicts.length > 0) {
    const passed = verdicts.filter((v) => v.pass).length;
    process.stdout.write(`targets (PostgreSQL): ${passed}/${verdicts.length} met\n`);
  }
  if (failures.length > 0) {
    process.stdout.write(`FAILED — ${failures.length} problem(s):\n  ${failures.join('\n  ')}\n`);
  } else {
    process.stdout.write('no failed requests; every server started, answered and exited cleanly\n');
  }

  const json = {
    ...resultsHeader('invoice-create', totalS, serverInfo),
    machineBusyBeforeStartPct: Math.round(idleBusyPct),
    settings: SETTINGS,
    targets: TARGETS,
    profile: PROFILE,
    diagnose: DIAGNOSE,
    engines: Object.fromEntries(
      results.map((r) => [r.engine, { ...r, gateway: { ...r.gateway, logTail: undefined }, floor: { ...r.floor, logTail: undefined } }]),
    ),
    failures,
  };
  await writeFile(RESULTS_FILE, `${JSON.stringify(json, null, 2)}\n`);
  process.stdout.write(`results written to ${path.relative(ROOT, RESULTS_FILE)}; total ${totalS.toFixed(0)} s\n`);
  return failures.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  async (err) => {
    process.stderr.write(`\nbenchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    await lifecycle.runCleanups();
    process.exit(1);
  },
);
