import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/** Helpers shared by the benchmarks in this folder. Everything stays on loopback. */
export const HOST = '127.0.0.1';
export const ADMIN_URL = process.env.BENCH_PG_ADMIN_URL?.trim() || 'postgres://postgres@127.0.0.1:5432/test';
/** The repository's root: the working directory of the child processes. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** From sending the request to the last byte of the reply. */
  ms: number;
  /** performance.now() when the request was sent and when the last byte of the reply arrived. */
  sentAt: number;
  doneAt: number;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** One HTTP request to the server under test, timed from send to the last byte. */
export function makeRequester(agent: http.Agent) {
  return function request(port: number, method: string, urlPath: string, headers: Record<string, string> = {}, body?: string): Promise<HttpResult> {
    return new Promise((resolve, reject) => {
      const sentAt = performance.now();
      const req = http.request(
        {
          host: HOST,
          port,
          method,
          path: urlPath,
          agent,
          headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const doneAt = performance.now();
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), ms: doneAt - sentAt, sentAt, doneAt });
          });
          res.on('error', reject);
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${urlPath}: timeout`)));
      req.on('error', reject);
      req.end(body);
    });
  };
}

export { freePort } from '../packages/server/src/test-support/free-port.ts';

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

export function summarise(values: number[]): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  const arr = Array.from(sorted);
  const mean = arr.length ? arr.reduce((s, v) => s + v, 0) / arr.length : NaN;
  return { count: arr.length, p50: percentile(arr, 50), p90: percentile(arr, 90), p99: percentile(arr, 99), max: arr.at(-1) ?? NaN, mean };
}

export async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** CREATE DATABASE `name` on the admin connection's server: its URL, and `drop` (DROP DATABASE IF EXISTS ... WITH (FORCE)). */
export async function createScratchDatabase(name: string): Promise<{ url: string; drop: () => Promise<void> }> {
  await withAdmin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined) };
}

/** The first fields of a benchmark's results file: which, when, how long, on what machine (`postgres`: the server's settings, if any). */
export function resultsHeader(benchmark: string, totalSeconds: number, postgres: unknown) {
  return {
    benchmark,
    finishedAt: new Date().toISOString(),
    totalSeconds: Math.round(totalSeconds),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, postgres },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A `--name=N` option of the command line (a whole number), or `fallback` when absent. */
export function intOption(name: string, fallback: number): number {
  const arg = process.argv.slice(2).find((a) => a.startsWith(`--${name}=`));
  if (!arg) return fallback;
  const n = Number(arg.slice(name.length + 3));
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number`);
  return n;
}

// ---------------------------------------------------------------------------------------------
// Lifecycle: child processes and scratch databases go away even when something throws or on Ctrl-C
// ---------------------------------------------------------------------------------------------

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A child process (`node --import tsx ...`) with the last lines of its output. */
export interface BenchChild {
  name: string;
  proc: ChildProcess;
  /** The port it was told to listen on (PORT), if any. */
  port: number | undefined;
  /** Its last 20 lines of output (stdout and stderr), each cut at 400 characters. */
  logTail: string[];
  /** How many non-empty lines it has written. */
  logLines: number;
  exited: Promise<ExitStatus>;
  hasExited: () => boolean;
}

export interface SpawnChildOptions {
  /** Sets PORT (and HOST, loopback) in its environment. */
  port?: number;
  /** Node flags before `--import tsx` (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** false: plain `node [nodeArgs] ...args`, for compiled JavaScript (default true). */
  tsx?: boolean;
}

export interface BenchLifecycle {
  /** Registers a cleanup; they run last in, first out. */
  addCleanup(fn: () => Promise<void>): void;
  /**
   * Runs the cleanups registered so far, each once, last in first out; one that throws is
   * reported and the others still run. A call while a run is under way waits for that run (a
   * Ctrl-C and the main flow's own error path wait for the same cleanup).
   */
  runCleanups(): Promise<void>;
  /** `node [nodeArgs] --import tsx ...args` in the repository's root, env on top of this process's (its pid is node's own). */
  spawnChild(name: string, args: string[], env: Record<string, string>, opts?: SpawnChildOptions): BenchChild;
  /**
   * Runs the benchmark's main: then the cleanups, and exits with its code; on an error prints it
   * (unless interrupted), runs the cleanups and exits 1 (130 when interrupted).
   */
  run(main: () => Promise<number>): void;
}

/**
 * Installs the process handlers of a benchmark: on SIGINT/SIGTERM it prints
 * `<signal>: <onSignalMessage>`, runs the cleanups and exits 130; on exit it SIGKILLs any child
 * still alive. With `killChildrenFirst`, every run of the cleanups starts by SIGKILLing the live
 * children (instead of leaving them to the cleanups that stop them).
 */
export function createBenchLifecycle(opts: { onSignalMessage: string; killChildrenFirst?: boolean }): BenchLifecycle {
  const cleanups: Array<() => Promise<void>> = [];
  const liveChildren = new Set<ChildProcess>();
  let interrupted = false;
  let cleanupRun: Promise<void> | undefined;

  function runCleanups(): Promise<void> {
    cleanupRun ??= (async () => {
      if (opts.killChildrenFirst) for (const child of liveChildren) child.kill('SIGKILL');
      while (cleanups.length > 0) {
        const fn = cleanups.pop()!;
        try {
          await fn();
        } catch (err) {
          process.stderr.write(`cleanup failed: ${err instanceof Error ? err.message : String(err)}\n`);
        }
      }
    })().finally(() => {
      cleanupRun = undefined;
    });
    return cleanupRun;
  }

  process.on('exit', () => {
    // Last resort (e.g. an uncaught error after the cleanups ran): never leave a child behind.
    for (const child of liveChildren) child.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = true;
      process.stderr.write(`\n${signal}: ${opts.onSignalMessage}\n`);
      runCleanups().finally(() => process.exit(130));
    });
  }

  function spawnChild(name: string, args: string[], env: Record<string, string>, spawnOpts: SpawnChildOptions = {}): BenchChild {
    const { port, nodeArgs = [], tsx = true } = spawnOpts;
    // Under tsx the workspace packages resolve to their sources, as in the tests.
    const proc = spawn(process.execPath, [...nodeArgs, ...(tsx ? ['--conditions=fawtara-source', '--import', 'tsx'] : []), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env, ...(port === undefined ? {} : { PORT: String(port), HOST }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    liveChildren.add(proc);
    let done = false;
    const child: BenchChild = {
      name,
      proc,
      port,
      logTail: [],
      logLines: 0,
      hasExited: () => done,
      exited: new Promise((resolve) => {
        proc.on('exit', (code, signal) => {
          done = true;
          liveChildren.delete(proc);
          resolve({ code, signal });
        });
      }),
    };
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        child.logLines++;
        child.logTail.push(line.length > 400 ? `${line.slice(0, 400)}…` : line);
        if (child.logTail.length > 20) child.logTail.shift();
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    return child;
  }

  function run(main: () => Promise<number>): void {
    main()
      .then(async (code) => {
        await runCleanups();
        process.exit(code);
      })
      .catch(async (err) => {
        if (!interrupted) process.stderr.write(`\nbenchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
        await runCleanups();
        process.exit(interrupted ? 130 : 1);
      });
  }

  return { addCleanup: (fn) => void cleanups.push(fn), runCleanups, spawnChild, run };
}

/** Polls GET /health on the child's port until it answers 200; the milliseconds that took. Throws (with the child's last lines) if it exits first or times out. */
export async function waitHealthy(
  child: BenchChild,
  timeoutMs: number,
  request: (port: number, method: string, urlPath: string) => Promise<{ status: number }>,
): Promise<number> {
  const { port } = child;
  if (port === undefined) throw new Error(`${child.name} was started without a port`);
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    if (child.hasExited()) throw new Error(`${child.name} exited during start-up:\n  ${child.logTail.join('\n  ')}`);
    try {
      if ((await request(port, 'GET', '/health')).status === 200) return performance.now() - t0;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${child.name} not healthy after ${timeoutMs} ms:\n  ${child.logTail.join('\n  ')}`);
}

export interface StopResult extends ExitStatus {
  /** From the SIGTERM to the exit. */
  ms: number;
  /** Exited with code 0 within the timeout. */
  clean: boolean;
  /** Did not exit within the timeout and was SIGKILLed. */
  timedOut: boolean;
}

/** SIGTERM, then wait for the exit; SIGKILL after `timeoutMs`. A clean stop is exit code 0. */
export async function stopChild(child: BenchChild, timeoutMs: number): Promise<StopResult> {
  const t0 = performance.now();
  if (!child.hasExited()) child.proc.kill('SIGTERM');
  const outcome = await Promise.race([child.exited, sleep(timeoutMs).then(() => 'timeout' as const)]);
  if (outcome === 'timeout') {
    child.proc.kill('SIGKILL');
    const { code, signal } = await child.exited;
    return { code, signal, ms: performance.now() - t0, clean: false, timedOut: true };
  }
  return { code: outcome.code, signal: outcome.signal, ms: performance.now() - t0, clean: outcome.code === 0, timedOut: false };
}
