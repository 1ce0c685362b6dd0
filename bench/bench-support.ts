import http from 'node:http';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import pg from 'pg';

/** Helpers shared by the benchmarks in this folder. Everything stays on loopback. */
export const HOST = '127.0.0.1';
export const ADMIN_URL = process.env.BENCH_PG_ADMIN_URL?.trim() || 'postgres://postgres@127.0.0.1:5432/test';

export interface HttpResult {
  status: number;
  text: string;
  ms: number;
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
      const t0 = performance.now();
      const req = http.request({ host: HOST, port, method, path: urlPath, agent, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - t0 }));
        res.on('error', reject);
      });
      req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${urlPath}: timeout`)));
      req.on('error', reject);
      req.end(body);
    });
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

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

