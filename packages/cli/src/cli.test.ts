import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../server/src/test-support/free-port.ts';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wireVectors as VECTORS } from '../../server/src/test-support/documented-samples.ts';
import { parseCsv } from './csv.ts';

/**
 * The `fawtara` binary as a user runs it: node_modules/.bin/fawtara (the workspace link to
 * bin/fawtara.js), from a temporary directory, against a gateway it started itself with
 * `fawtara serve` on a fresh embedded database.
 */
const BIN = fileURLToPath(new URL('../../../node_modules/.bin/fawtara', import.meta.url));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** An environment without the caller's Fawtara settings, so nothing leaks into the tests. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('FAWTARA_') || ['DATABASE_URL', 'DATA_DIR', 'PORT', 'HOST', 'PUBLIC_BASE_URL', 'LOG_LEVEL'].includes(key)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

let cwd = '';
let baseEnv: NodeJS.ProcessEnv = {};

function run(args: string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<Result> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, { cwd, env: { ...baseEnv, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
    child.stdin.end(options.input ?? '');
  });
}

function inDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** 1,000 data rows: three bad ones (rows 11, 21, 31), three rows forming one installment plan, Arabic names, quoted commas and quotes. */
function importFile(): string {
  const expires = inDays(60);
  const lines = ['customerName,mobileNumber,amount,expiresAt,referenceNumber,description,plan'];
  for (let row = 2; row <= 1001; row++) {
    let name = row % 4 === 0 ? `"محمد ${row}, الكويت"` : `Customer ${row}`;
    let mobile = String(60_000_000 + row);
    let amount = `${row}.250`;
    const plan = row >= 500 && row < 503 ? 'PLAN-A' : '';
    if (row === 11) amount = '12.3456';
    if (row === 21) mobile = '12';
    if (row === 31) name = '';
    lines.push(`${name},${mobile},${amount},${expires},REF-${row},"Order ""${row}""",${plan}`);
  }
  return `\ufeff${lines.join('\r\n')}\r\n`;
}

describe('fawtara (the linked binary)', () => {
  let dataDir = '';
  let base = '';
  let server: ChildProcess | undefined;
  let serverOutput = '';
  let serverExit: Promise<number | null> = Promise.resolve(null);
  let merchant: Record<string, string> = {};
  let credentials: Record<string, string> = {};
  let firstInvoiceId = 0;

  beforeAll(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'fawtara-cli-'));
    dataDir = path.join(cwd, 'data');
    baseEnv = cleanEnv({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
  });

  afterAll(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGKILL');
      await serverExit;
    }
    if (cwd) await rm(cwd, { recursive: true, force: true });
  });

  it('creates a merchant on the data folder (DATA_DIR) and lists it without secrets', async () => {
    const created = await run(['merchant', 'create', '--name', 'Acme Trading', '--username', 'acme-cli', '--methods', '1,2', '--json']);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    merchant = JSON.parse(created.stdout);
    expect(merchant.merchantCode).toMatch(/^\d{6}$/);
    expect(merchant.secretKey).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(merchant.iv).toMatch(/^[A-Za-z0-9]{16}$/);
    credentials = {
      FAWTARA_MERCHANT_CODE: merchant.merchantCode!,
      FAWTARA_ACCESS_CODE: merchant.accessCode!,
      FAWTARA_SECRET_KEY: merchant.secretKey!,
      FAWTARA_IV: merchant.iv!,
      FAWTARA_USERNAME: merchant.username!,
      FAWTARA_PASSWORD: merchant.password!,
    };

    const listed = await run(['merchant', 'list', '--json']);
    expect(listed.code).toBe(0);
    const merchants = JSON.parse(listed.stdout) as { code: string; name: string; sandbox: boolean; paymentMethods: number[] }[];
    expect(merchants).toContainEqual(expect.objectContaining({ code: merchant.merchantCode, name: 'Acme Trading', sandbox: false, paymentMethods: [1, 2] }));
    expect(listed.stdout).not.toContain(merchant.secretKey);

    const taken = await run(['merchant', 'create', '--name', 'X', '--username', 'acme-cli']);
    expect(taken.code).toBe(65);
    expect(taken.stderr).toContain('already taken');

    // Arabic digits on the merchant's payment pages (npm run merchant runs this same command).
    const digits = await run(['merchant', 'set-arabic-digits', merchant.merchantCode!, 'arab']);
    expect(digits.code).toBe(0);
    expect(digits.stdout).toContain('Arabic-Indic');
    const relisted = JSON.parse((await run(['merchant', 'list', '--json'])).stdout) as { code: string; arabicDigits: string }[];
    expect(relisted.find((m) => m.code === merchant.merchantCode)?.arabicDigits).toBe('arab');
    const roman = await run(['merchant', 'set-arabic-digits', merchant.merchantCode!, 'roman']);
    expect(roman.code).toBe(64);
    expect(roman.stderr).toMatch(/latn|arab/);
    const unknownVerb = await run(['merchant', 'frobnicate']);
    expect(unknownVerb.code).toBe(64);
  }, 90_000);

  it('serves the gateway on --port and --data-dir', async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    baseEnv = { ...baseEnv, FAWTARA_URL: base };
    server = spawn(BIN, ['serve', '--port', String(port), '--data-dir', dataDir], {
      cwd,
      env: cleanEnv({ LOG_LEVEL: 'warn', DATA_DIR: path.join(cwd, 'elsewhere') }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout!.on('data', (d) => (serverOutput += d));
    server.stderr!.on('data', (d) => (serverOutput += d));
    const proc = server;
    serverExit = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (server.exitCode !== null) throw new Error(`serve exited early:\n${serverOutput}`);
      const ok = await fetch(`${base}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`serve did not become healthy:\n${serverOutput}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 90_000);

  it("creates an invoice and lists it with the new merchant's credentials", async () => {
    const created = await run(
      ['invoice', 'create', '--amount', '12.500', '--customer-name', 'Ahmad', '--mobile', '66666666', '--reference', 'CLI-1', '--json'],
      { env: credentials },
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const invoice = JSON.parse(created.stdout);
    firstInvoiceId = invoice.id;
    expect(invoice).toMatchObject({ amount: '12.500', status: 'pending', reference_number: 'CLI-1', customer: { name: 'Ahmad' } });
    expect(invoice.url).toMatch(/\/s\/[\w-]+$/);

    const human = await run(['invoice', 'get', String(invoice.id)], { env: credentials });
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`Invoice ${invoice.id} (pending): 12.500 KWD for Ahmad`);
    expect(human.stdout).toContain(invoice.url);

    const listed = await run(['invoice', 'list', '--json'], { env: credentials });
    expect(listed.code).toBe(0);
    const page = JSON.parse(listed.stdout);
    expect(page.total).toBe(1);
    expect(page.data[0]).toMatchObject({ id: invoice.id, reference_number: 'CLI-1' });
  }, 60_000);

  it('falls back to the public sandbox merchant on a local URL without credentials, and says so on stderr', async () => {
    const listed = await run(['invoice', 'list', '--json']);
    expect(listed.code).toBe(0);
    expect(listed.stderr).toContain('Using the public sandbox merchant 842217');
    expect(JSON.parse(listed.stdout).total).toBe(0); // the sandbox merchant has none: the new merchant's invoice is not visible
  }, 30_000);

  it('creates an open invoice and prints its link and, with --qr, a QR code', async () => {
    const created = await run(['open-invoice', 'create', '--title', 'Donation', '--min', '1', '--max', '100', '--qr'], { env: credentials });
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('the customer chooses 1.000–100.000 KWD');
    expect(created.stdout).toMatch(/http:\/\/localhost:\d+\/open-invoice\/checkout\/[\w-]+/);
    expect(created.stdout).toMatch(/[▀▄█]{5}/); // the terminal QR code
  }, 30_000);

  it('prints the open invoice link without the terminal QR code or escape codes into a pipe', async () => {
    const created = await run(['open-invoice', 'create', '--title', 'Gift', '--amount', '5'], { env: credentials });
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/http:\/\/localhost:\d+\/open-invoice\/checkout\/[\w-]+/);
    expect(created.stdout).not.toMatch(/[▀▄█]/);
    expect(created.stdout).not.toContain('\u001b[');
  }, 30_000);

  const importTimings: Record<string, number> = {};

  it('imports 1,000 rows: 997 invoices (one 3-installment plan), exit 2, and a failed-rows file with exactly the 3 bad rows', async () => {
    await writeFile(path.join(cwd, 'invoices.csv'), importFile());
    const imported = await run(['import', 'invoices.csv', '--concurrency', '8', '--json'], { env: credentials });
    importTimings.first = imported.ms;
    expect(imported.code, imported.stderr).toBe(2);
    const summary = JSON.parse(imported.stdout);
    expect(summary).toMatchObject({ rows: 1000, created: 997, existing: 0, failed: 3, failedFile: 'invoices.failed.csv' });
    expect(summary.results.filter((r: { status: string }) => r.status === 'failed').map((r: { row: number }) => r.row)).toEqual([11, 21, 31]);
    // Not a terminal: progress is plain lines, on stderr only.
    expect(imported.stderr).not.toContain('\r');

    const failed = parseCsv(await readFile(path.join(cwd, 'invoices.failed.csv'), 'utf8'));
    expect(failed.hadBom).toBe(true);
    const [header, ...rows] = failed.records.map((r) => r.fields);
    expect(header).toEqual(['customerName', 'mobileNumber', 'amount', 'expiresAt', 'referenceNumber', 'description', 'plan', 'error']);
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => r.slice(0, 3))).toEqual([
      ['Customer 11', '60000011', '12.3456'],
      ['Customer 21', '12', '21.250'],
      ['', '60000031', '31.250'],
    ]);
    expect(rows[0]![5]).toBe('Order "11"');
    expect(rows[0]![7]).toMatch(/^amount: /);
    expect(rows[1]![7]).toMatch(/^mobileNumber: /);
    expect(rows[2]![7]).toMatch(/^customerName: /);

    const listed = JSON.parse((await run(['invoice', 'list', '--json'], { env: credentials })).stdout);
    expect(listed.total).toBe(1 + 997);
    const plans = JSON.parse((await run(['invoice', 'list', '--type', '7', '--json'], { env: credentials })).stdout);
    expect(plans.total).toBe(3);
    expect(plans.data.map((i: { installment_number: number; installments_count: number }) => `${i.installment_number}/${i.installments_count}`).sort()).toEqual(
      ['1/3', '2/3', '3/3'],
    );
    const arabic = JSON.parse((await run(['invoice', 'list', '--search', 'REF-500', '--json'], { env: credentials })).stdout);
    expect(arabic.data[0].customer.name).toBe('محمد 500, الكويت');
  }, 180_000);

  it('creates nothing new when the same file is imported again (Idempotency-Key per row)', async () => {
    const again = await run(['import', 'invoices.csv', '--json'], { env: credentials });
    importTimings.rerun = again.ms;
    expect(again.code).toBe(2);
    expect(JSON.parse(again.stdout)).toMatchObject({ created: 0, existing: 997, failed: 3 });
    const listed = JSON.parse((await run(['invoice', 'list', '--json'], { env: credentials })).stdout);
    expect(listed.total).toBe(998);
    console.log(`import of 1,000 rows: ${importTimings.first} ms; re-run (all replayed): ${importTimings.rerun} ms (whole process, including start-up)`);
  }, 180_000);

  it('decrypts a documented sample with the sandbox keys and prints its JSON', async () => {
    const sample = VECTORS.valid.find((v) => v.source?.startsWith('000') && v.name.includes('request'))!;
    expect(VECTORS.secretKey).toBe('PkW64zMe5NVdrlPVNnjo2Jy9nOb7v1Xg');
    const plain = await run(['decrypt', sample.hex]);
    expect(plain.code).toBe(0);
    expect(JSON.parse(plain.stdout)).toEqual(JSON.parse(sample.plaintext));
    expect(plain.stderr).toContain('public sandbox key');

    const body = await run(['decrypt', '--json', '--secret-key', VECTORS.secretKey, '--iv', VECTORS.iv], { input: JSON.stringify({ data: sample.hex }) });
    expect(body.code).toBe(0);
    expect(body.stdout).toBe(`${sample.plaintext}\n`); // exactly as sent
    expect(body.stderr).toBe('');

    const reply = VECTORS.valid.find((v) => v.source?.startsWith('000') && v.name.includes('response'))!;
    const response = await run(['decrypt', JSON.stringify({ response: reply.hex })]);
    expect(JSON.parse(response.stdout)).toEqual(JSON.parse(reply.plaintext));

    const encrypted = await run(['encrypt', '--json', '{"merchantCode":"842217"}']);
    expect(JSON.parse(encrypted.stdout)).toEqual({ data: '0e7898bd7464d0c402fe8a949d9cbf9b826ccb9b83b56fa003373275f1947a65' });

    const wrongKey = await run(['decrypt', sample.hex], { env: { FAWTARA_SECRET_KEY: 'x'.repeat(32), FAWTARA_IV: 'y'.repeat(16) } });
    expect(wrongKey.code).toBe(65);
  }, 60_000);

  it('runs the client commands without loading the server, the database or the mailer', async () => {
    // A resolve hook in the child records every module it loads.
    const trace = path.join(cwd, 'loaded-modules.txt');
    const hooks = path.join(cwd, 'record-hooks.mjs');
    const register = path.join(cwd, 'record-register.mjs');
    await writeFile(
      hooks,
      `import { appendFileSync } from 'node:fs';\nexport async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(trace)}, r.url + '\\n'); return r; }\n`,
    );
    await writeFile(register, `import { register } from 'node:module';\nregister(${JSON.stringify(new URL(`file://${hooks}`).href)});\n`);
    const encrypted = await run(['encrypt', '--json', '{"merchantCode":"842217"}'], { env: { NODE_OPTIONS: `--import=${register}` } });
    expect(encrypted.code).toBe(0);
    const loaded = (await readFile(trace, 'utf8')).split('\n');
    expect(loaded.some((url) => url.includes('/packages/wire/'))).toBe(true);
    const heavy = loaded.filter(
      (url) =>
        /node_modules\/(fastify|@fastify|@electric-sql|pg|pg-boss|kysely|nodemailer|qrcode|preact)\//.test(url) || url.includes('/packages/server/src/app.ts'),
    );
    expect(heavy).toEqual([]);
  }, 60_000);

  it('exits 64 on usage errors', async () => {
    for (const args of [
      ['frobnicate'],
      ['invoice', 'create', '--customer-name', 'A', '--mobile', '66666666'],
      ['import', 'invoices.csv', '--concurrency', '0'],
      ['import', 'missing.csv'],
      ['invoice', 'get', 'abc'],
      ['invoice', 'cancel'],
      [],
    ]) {
      const result = await run(args, { env: credentials });
      expect(result.code, `fawtara ${args.join(' ')}: ${result.stderr}`).toBe(64);
      expect(result.stdout).toBe('');
      expect(result.stderr).not.toBe('');
    }
  }, 60_000);

  it('exits 77 on a wrong password', async () => {
    const result = await run(['invoice', 'list'], { env: { ...credentials, FAWTARA_PASSWORD: 'wrong-password-1' } });
    expect(result.code).toBe(77);
    expect(result.stderr).toContain('Authentication failed');
    const importing = await run(['import', 'invoices.csv'], { env: { ...credentials, FAWTARA_PASSWORD: 'wrong-password-1' } });
    expect(importing.code).toBe(77);
  }, 30_000);

  it('exits 69 when the server is unreachable', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const result = await run(['invoice', 'list', '--url', closed], { env: credentials });
    expect(result.code).toBe(69);
    expect(result.stderr).toContain('Server unreachable');
  }, 30_000);

  it('exits 78 on configuration errors', async () => {
    const partial = await run(['invoice', 'list'], { env: { FAWTARA_USERNAME: 'acme-cli' } });
    expect(partial.code).toBe(78);
    expect(partial.stderr).toContain('missing FAWTARA_MERCHANT_CODE');
    const remote = await run(['invoice', 'list', '--url', 'https://pay.example.com']);
    expect(remote.code).toBe(78);
    const port = await run(['serve', '--port', 'eighty']);
    expect(port.code).toBe(78);
    expect(port.stderr).toContain('--port');
  }, 30_000);

  it('has --help with examples on every verb, and the exit codes in the main help', async () => {
    const main = await run(['--help']);
    expect(main.code).toBe(0);
    for (const code of ['64', '65', '69', '77', '78']) expect(main.stdout).toContain(`  ${code}  `);
    const verbs = [
      ['serve'],
      ['worker'],
      ['migrate'],
      ['merchant'],
      ['merchant', 'create'],
      ['merchant', 'list'],
      ['merchant', 'rotate-secret'],
      ['merchant', 'set-arabic-digits'],
      ['invoice'],
      ['invoice', 'create'],
      ['invoice', 'get'],
      ['invoice', 'list'],
      ['invoice', 'cancel'],
      ['open-invoice'],
      ['open-invoice', 'create'],
      ['import'],
      ['encrypt'],
      ['decrypt'],
    ];
    const helps = await Promise.all(verbs.map((verb) => run([...verb, '--help'])));
    helps.forEach((help, i) => {
      expect(help.code, verbs[i]!.join(' ')).toBe(0);
      expect(help.stdout, verbs[i]!.join(' ')).toContain('Examples:');
    });
    expect(helps[verbs.findIndex((v) => v[0] === 'import')]!.stdout).toContain('customerName      required');
  }, 60_000);

  it('cancels an invoice by id, then refuses to cancel it again (65)', async () => {
    const cancelled = await run(['invoice', 'cancel', '--id', String(firstInvoiceId), '--json'], { env: credentials });
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(JSON.parse(cancelled.stdout)).toMatchObject({ cancelled: true, id: firstInvoiceId });
    const again = await run(['invoice', 'cancel', '--id', String(firstInvoiceId)], { env: credentials });
    expect(again.code).toBe(65);
  }, 30_000);

  it('stops the server on SIGTERM with exit code 0', async () => {
    server!.kill('SIGTERM');
    expect(await serverExit).toBe(0);
    expect(serverOutput).not.toMatch(/"level":(50|60)/);
  }, 60_000);
});
