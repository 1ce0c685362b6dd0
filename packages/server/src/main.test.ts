import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './test-support/free-port.ts';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCodec } from '@fawtara/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX } from './modules/merchants/sandbox-credentials.ts';
import { loadConfig, rotateMerchantSecret } from './runtime.ts';
import {
  invoiceRequestSample,
  invoiceReplySample,
  installmentsRequestSample,
  openInvoiceRequestSample,
  openInvoiceReplySample,
  shapeDifferences,
} from './test-support/documented-samples.ts';

/**
 * `npm start` as a user runs it: the compiled server (`node packages/server/dist/main.js`, what
 * the start script runs; the test set-up builds it) as a real process on a real port, the
 * embedded database in a fresh folder, the sandbox merchant, and the documented sample requests
 * over HTTP.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = path.join(ROOT, 'packages/server/dist/main.js');
const codec = createCodec({ secretKey: SANDBOX.secretKey, iv: SANDBOX.iv });

interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(env: Record<string, string>): Proc {
  return watch(spawn(process.execPath, [MAIN], { env: { ...process.env, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] }));
}

function watch(child: ChildProcess): Proc {
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitHealthy(base: string, proc: Proc): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`server exited early:\n${proc.output()}`);
    try {
      const res = await fetch(`${base}/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not become healthy:\n${proc.output()}`);
}

function inDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

describe('npm start: the gateway process on the embedded database', () => {
  let dataDir: string;
  let base: string;
  let server: Proc;
  let token: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fawtara-start-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = start({ PORT: String(port), DATA_DIR: dataDir, PUBLIC_BASE_URL: base });
    await waitHealthy(base, server);
    const login = await fetch(`${base}/api/v1/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'Test', password: SANDBOX.password }),
    });
    expect(login.status).toBe(200);
    token = ((await login.json()) as any).response.token.access_token;
  }, 90_000);

  afterAll(async () => {
    if (server?.child.exitCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  const post = async (url: string, data: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${url}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', accessCode: SANDBOX.accessCode, authorization: `Bearer ${token}`, ...headers },
      body: JSON.stringify({ data }),
    });
    const raw = (await res.json()) as any;
    return {
      status: res.status,
      replayed: res.headers.get('idempotent-replayed'),
      body: typeof raw.response === 'string' ? JSON.parse(codec.decrypt(raw.response)) : raw,
    };
  };
  let seedPayload = '';
  let seedInvoiceId = 0;

  it('logs where it runs and that the sandbox merchant is ready', () => {
    expect(server.output()).toContain(`Fawtara (sandbox) running as process ${server.child.pid} on embedded PGlite`);
    expect(server.output()).toContain(`Sandbox merchant ${SANDBOX.merchantCode}`);
    expect(existsSync(path.join(dataDir, 'fawtara.lock'))).toBe(true);
  });

  it('creates the documented invoice sample once its expiry is moved into the future, and refuses the sample as sent only for its expiry', async () => {
    const payload = { ...JSON.parse(codec.decrypt(invoiceRequestSample.hex)), expiresAt: inDays(30) };
    seedPayload = codec.encrypt(JSON.stringify(payload));
    const ok = await post('/api/v1/invoice', seedPayload, { 'idempotency-key': 'survives-restart' });
    expect(ok.status).toBe(200);
    seedInvoiceId = ok.body.response.id;
    expect(shapeDifferences(invoiceReplySample.json, ok.body)).toEqual([]);
    expect(ok.body.response.url).toBe(`${base}/s/${ok.body.response.access_key}`);

    const asSent = await post('/api/v1/invoice', invoiceRequestSample.hex);
    expect(asSent.status).toBe(422);
    expect(Object.keys(asSent.body.response)).toEqual(['expiresAt']);
  });

  it('creates the documented open invoice and installment plan samples', async () => {
    const sample = JSON.parse(codec.decrypt(openInvoiceRequestSample.hex));
    const data = sample.expiryDate >= inDays(0) ? openInvoiceRequestSample.hex : codec.encrypt(JSON.stringify({ ...sample, expiryDate: inDays(30) }));
    const open = await post('/api/v1/open-invoice', data);
    expect(open.status).toBe(200);
    expect(shapeDifferences(openInvoiceReplySample.json, open.body)).toEqual([]);

    const emi = await post('/api/v1/invoice/emi', codec.encrypt(JSON.stringify(installmentsRequestSample(inDays(30)))));
    expect(emi.status).toBe(200);
    expect(emi.body.response).toHaveLength(2);
  });

  it('refuses a second process on the same data folder', async () => {
    const second = start({ PORT: String(await freePort()), DATA_DIR: dataDir });
    expect(await second.exited).not.toBe(0);
    expect(second.output()).toMatch(/in use by process \d+/);
  }, 60_000);

  it('finishes an in-flight request on SIGTERM, then exits 0 and releases the folder', async () => {
    const one = installmentsRequestSample(inDays(30)).invoices[0]!;
    const invoices = Array.from({ length: 500 }, (_, i) => ({ ...one, referenceNumber: `S-${i}` }));
    const inFlight = post('/api/v1/invoice/emi', codec.encrypt(JSON.stringify({ merchantCode: SANDBOX.merchantCode, invoices })));
    await new Promise((r) => setTimeout(r, 150));
    server.child.kill('SIGTERM');
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.body.response).toHaveLength(500);
    expect(await server.exited).toBe(0);
    expect(existsSync(path.join(dataDir, 'fawtara.lock'))).toBe(false);
  }, 60_000);

  it('keeps what it acknowledged: a restart on the same folder sees the invoices', async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = start({ PORT: String(port), DATA_DIR: dataDir, PUBLIC_BASE_URL: base });
    await waitHealthy(base, server);
    const login = await fetch(`${base}/api/v1/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'test', password: SANDBOX.password }),
    });
    token = ((await login.json()) as any).response.token.access_token;
    const again = await post('/api/v1/invoice', seedPayload, { 'idempotency-key': 'survives-restart' });
    expect(again.status).toBe(200);
    expect(again.replayed).toBe('true');
    expect(again.body.response.id).toBe(seedInvoiceId);
    expect(server.output()).not.toMatch(/"level":(50|60)/);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 90_000);
});

describe('npm start, as typed', () => {
  it('reports the process id of the server itself; SIGTERM to it stops the server with exit code 0 and releases the data folder', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'fawtara-npm-start-'));
    try {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      // npm as the user has it (the one running this suite when there is one): npm → sh → node.
      const npm = process.env.npm_execpath;
      const child = npm
        ? spawn(process.execPath, [npm, 'start'], {
            cwd: ROOT,
            env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, PUBLIC_BASE_URL: base },
            stdio: ['ignore', 'pipe', 'pipe'],
          })
        : spawn('npm', ['start'], {
            cwd: ROOT,
            env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, PUBLIC_BASE_URL: base },
            stdio: ['ignore', 'pipe', 'pipe'],
          });
      const run = watch(child);
      await waitHealthy(base, run);
      // The start-up line follows the first healthy answer by the time the workers take to start.
      const deadline = Date.now() + 30_000;
      while (!/running as process \d+/.test(run.output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const pid = Number(/running as process (\d+)/.exec(run.output())?.[1]);
      expect(pid).toBeGreaterThan(0);
      expect(pid).not.toBe(child.pid);
      expect(await readFile(`/proc/${pid}/cmdline`, 'utf8')).toContain('packages/server/dist/main.js');

      process.kill(pid, 'SIGTERM');
      // npm exits with its script's status, which is the server's own exit code.
      expect(await run.exited).toBe(0);
      expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
      expect(existsSync(path.join(dataDir, 'fawtara.lock'))).toBe(false);
      expect(run.output()).not.toMatch(/"level":(50|60)/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('start-up refusals', () => {
  it('stops on bad configuration, naming the variable', async () => {
    const p = start({ PORT: 'eighty' });
    expect(await p.exited).toBe(78);
    expect(p.output()).toContain('Configuration error: PORT: must be a whole number');
  });

  it('refuses production mode while the sandbox merchant has the public credentials', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'fawtara-prod-'));
    try {
      const sandbox = start({ PORT: String(await freePort()), DATA_DIR: dataDir });
      // Wait for the sandbox run to have created the merchant, then stop it.
      const deadline = Date.now() + 60_000;
      while (!sandbox.output().includes('Sandbox merchant') && Date.now() < deadline && sandbox.child.exitCode === null)
        await new Promise((r) => setTimeout(r, 100));
      sandbox.child.kill('SIGTERM');
      expect(await sandbox.exited).toBe(0);

      const prod = start({ PORT: String(await freePort()), DATA_DIR: dataDir, FAWTARA_MODE: 'production', PUBLIC_BASE_URL: 'https://pay.example.com' });
      expect(await prod.exited).toBe(1);
      expect(prod.output()).toMatch(/production refuses to start: merchant\(s\) 842217 .*public sandbox credentials/);

      // After rotate-secret the log stops offering the public values, and production starts.
      const issued = await rotateMerchantSecret(loadConfig({ DATA_DIR: dataDir }), SANDBOX.merchantCode);
      const rotated = start({ PORT: String(await freePort()), DATA_DIR: dataDir });
      while (!rotated.output().includes('Sandbox merchant') && Date.now() < deadline + 60_000 && rotated.child.exitCode === null)
        await new Promise((r) => setTimeout(r, 100));
      rotated.child.kill('SIGTERM');
      expect(await rotated.exited).toBe(0);
      expect(rotated.output()).toContain(`Sandbox merchant ${SANDBOX.merchantCode} no longer uses the public sandbox keys`);
      expect(rotated.output()).not.toContain(SANDBOX.accessCode);
      expect(rotated.output()).not.toContain(issued.secretKey);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
