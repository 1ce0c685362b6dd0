import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, SANDBOX_CREDENTIALS } from '@fawtara/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, startServer, type RunningServer } from '../packages/server/src/runtime.ts';
import { createCustomer, KNET_OK } from '../packages/server/src/test-support/customer.ts';
import { eventually } from '../packages/server/src/test-support/eventually.ts';
import { freePort } from '../packages/server/src/test-support/free-port.ts';

/**
 * The README's examples as a reader runs them: each example is a file in examples/, the README
 * shows it verbatim under an `<!-- example: … -->` marker (checked here), and each file is run
 * with plain `node`, `bash` and the linked `fawtara` binary against a real gateway. Every other
 * code block must say why it is not run, so nothing in the README escapes this test unnoticed.
 */
const ROOT = fileURLToPath(new URL('../', import.meta.url));

interface Block {
  marker: string | undefined;
  lang: string;
  body: string;
  line: number;
}

function codeBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]!);
    let back = start - 1;
    while (back >= 0 && lines[back]!.trim() === '') back--;
    const marker = back >= 0 && /^<!-- .* -->$/.test(lines[back]!) ? lines[back] : undefined;
    blocks.push({ marker, lang: open[1]!, body: body.join('\n'), line: start + 1 });
  }
  return blocks;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('README examples', () => {
  let readme: string;
  let dataDir: string;
  let server: RunningServer;
  let env: Record<string, string>;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
    dataDir = await mkdtemp(path.join(tmpdir(), 'fawtara-readme-'));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    server = await startServer(loadConfig({ PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, PUBLIC_BASE_URL: base, LOG_LEVEL: 'warn' }));
    env = {
      FAWTARA_BASE_URL: base,
      FAWTARA_URL: base,
      PATH: `${path.join(ROOT, 'node_modules/.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
    };
  }, 90_000);

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await server?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('shows every file of examples/ verbatim, and says of every other code block why it is not run', async () => {
    const blocks = codeBlocks(readme);
    const shown = new Set<string>();
    for (const block of blocks) {
      const example = /^<!-- example: (\S+) -->$/.exec(block.marker ?? '')?.[1];
      if (example) {
        const file = await readFile(path.join(ROOT, example), 'utf8');
        expect(block.body, `README line ${block.line} shows ${example}`).toBe(file.trimEnd());
        shown.add(example);
      } else {
        expect(block.marker, `README line ${block.line}: a code block with neither <!-- example: … --> nor <!-- not run: why -->`).toMatch(
          /^<!-- not run: .+ -->$/,
        );
      }
    }
    const files = (await readdir(path.join(ROOT, 'examples'))).map((f) => `examples/${f}`).sort();
    expect([...shown].sort()).toEqual(files);
  });

  it('runs the CLI example on a fresh gateway: creates invoice 1, reads, lists and cancels it, makes an open invoice, encrypts and decrypts', async () => {
    const result = await run('bash', ['-e', 'examples/cli-invoices.sh'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('"id": 1');
    expect(result.stdout).toMatch(/Ahmad/);
    expect(result.stdout).toContain('/open-invoice/checkout/');
    expect(result.stdout).toContain('0e7898bd7464d0c402fe8a949d9cbf9b826ccb9b83b56fa003373275f1947a65');
    expect(result.stdout).toContain('"merchantCode": "842217"');
    // Written to a pipe, the open invoice's QR code is left out rather than sent as escape codes.
    expect(result.stdout).not.toContain('\u001b[');
  }, 120_000);

  it('runs the curl example: logs in, posts an encrypted invoice and decrypts the reply', async () => {
    const result = await run('bash', ['-e', '-o', 'pipefail', 'examples/api-with-curl.sh'], env);
    expect(result.code, result.stderr).toBe(0);
    const reply = JSON.parse(result.stdout) as { status: boolean; response: { id: number; url: string } };
    expect(reply.status).toBe(true);
    expect(reply.response.url).toContain(`${env.FAWTARA_BASE_URL}/s/`);
  }, 60_000);

  it('runs the SDK example with plain node: creates, reads and lists, and catches the validation error', async () => {
    const result = await run(process.execPath, ['examples/sdk-quickstart.mjs'], env);
    expect(result.code, result.stderr).toBe(0);
    const id = /^created (\d+) (\S+)$/m.exec(result.stdout);
    expect(id, result.stdout).not.toBeNull();
    expect(result.stdout).toMatch(new RegExp(`^listed ${id![1]} `, 'm'));
    expect(result.stdout).toMatch(/^refused \{"amount":\[".+"\]\}$/m);
  }, 60_000);

  it('runs the webhook receiver: it accepts the signed webhook of a real payment and rejects a forged one', async () => {
    const client = new Client({ baseUrl: env.FAWTARA_BASE_URL!, ...SANDBOX_CREDENTIALS });
    const [secret] = await client.webhooks.secrets();
    const port = await freePort();
    const receiver = spawn(process.execPath, ['examples/webhook-receiver.mjs'], {
      cwd: ROOT,
      env: { ...process.env, ...env, PORT: String(port), FAWTARA_WEBHOOK_SECRET: secret! },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(receiver);
    let out = '';
    receiver.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    receiver.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
    await eventually(async () => out.includes('listening'), { what: 'the receiver listening' });

    const invoice = await client.invoices.create({
      amount: '12.500',
      customerName: 'Fatima',
      mobileNumber: '66666666',
      countryCode: '965',
      invoiceType: '0',
      invoiceSubType: '3',
      allocatePayType: '1,2',
      expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
      webhook: `http://127.0.0.1:${port}/`,
    });
    const paid = await createCustomer(server.app).payInvoice(new URL(invoice.url).pathname, 1, KNET_OK);
    expect(paid.status).toBe(303);
    await eventually(async () => new RegExp(`^event \\S+ invoice\\.paid ${invoice.id}$`, 'm').test(out), {
      what: `invoice.paid in:\n${out}`,
      timeoutMs: 20_000,
    });

    const forged = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'fawtara-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` },
      body: JSON.stringify({ event_type: 'invoice.paid' }),
    });
    expect(forged.status).toBe(400);
    expect(await forged.text()).toBe('bad_signature');
    expect(out).toContain('rejected bad_signature');
  }, 60_000);

  it('imports the CSV example: every row is created, the two-row plan as one plan', async () => {
    const scratch = await mkdtemp(path.join(tmpdir(), 'fawtara-readme-csv-'));
    try {
      const result = await run('npx', ['fawtara', 'import', path.join(ROOT, 'examples/invoices.csv'), '--failed', path.join(scratch, 'failed.csv')], env);
      expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
      expect(result.stdout + result.stderr).toMatch(/4 (rows|invoices)/);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }, 60_000);
});
