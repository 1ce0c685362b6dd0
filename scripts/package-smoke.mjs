// `npm run test:packages` (CI runs it before the suite): the packages as another project gets
// them. Builds from clean, packs every workspace package, installs the tarballs into scratch
// projects outside the repository (npm fetches only the third-party dependencies, from its cache
// when it has them), then with plain `node` and no TypeScript loader:
//   1. the installed CLI and server start a gateway (`fawtara serve`);
//   2. the README's SDK example, run from the scratch project, calls it through the installed SDK;
//   3. a consumer's TypeScript, checked strictly against the installed declarations alone;
//   4. a client-only install (no @fawtara/server): `fawtara encrypt` and `fawtara invoice list`
//      work, and `fawtara serve` explains what to install instead of crashing.
// Prints one line per check and `N passed, N failed`; exits 1 on any failure.
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];
const scratch = mkdtempSync(path.join(tmpdir(), 'fawtara-packages-'));
const results = [];
let gateway;

function sh(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024, ...opts });
}
const npmRun = (args, cwd) => sh(npm[0], [...npm.slice(1), ...args], { cwd });

async function check(name, fn) {
  try {
    await fn();
    results.push(true);
    console.log(`ok   ${name}`);
  } catch (err) {
    results.push(false);
    const detail = [err.message, err.stdout, err.stderr].filter(Boolean).join('\n').slice(0, 4000);
    console.log(`FAIL ${name}\n${detail.replace(/^/gm, '     ')}`);
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function project(name, tarballs) {
  const dir = path.join(scratch, name);
  rmSync(dir, { recursive: true, force: true });
  execFileSync('mkdir', ['-p', dir]);
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `smoke-${name}`, private: true, type: 'module' }, null, 2));
  npmRun(['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs], dir);
  return dir;
}

const packs = path.join(scratch, 'tarballs');
const tarball = (name) =>
  path.join(
    packs,
    readdirSync(packs).find((f) => f.startsWith(`fawtara-${name}-`)),
  );

try {
  await check('build from clean and pack wire, contract, sdk, server, cli', () => {
    sh(process.execPath, ['scripts/build.mjs', '--clean'], { cwd: root });
    execFileSync('mkdir', ['-p', packs]);
    const names = ['wire', 'contract', 'sdk', 'server', 'cli'];
    npmRun(['pack', '--pack-destination', packs, '--loglevel=error', ...names.flatMap((n) => ['-w', `packages/${n}`])], root);
    for (const name of names) {
      const listing = sh('tar', ['-tzf', tarball(name)]);
      assert(listing.includes('package/LICENSE') && listing.includes('package/README.md'), `${name}: LICENSE or README.md missing`);
      assert(!/package\/src\/|\.test\.|test-support/.test(listing), `${name}: sources or tests packed`);
      assert(/package\/dist\/.*\.d\.ts/.test(listing), `${name}: no declarations`);
    }
  });

  let full;
  await check('install every tarball into a scratch project', () => {
    full = project('full', ['wire', 'contract', 'sdk', 'server', 'cli'].map(tarball));
  });

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  await check('the installed CLI serves a gateway on the embedded database (plain node, no loader)', async () => {
    const dataDir = path.join(scratch, 'data');
    gateway = spawn(process.execPath, [path.join(full, 'node_modules/@fawtara/cli/bin/fawtara.js'), 'serve', '--port', String(port), '--data-dir', dataDir], {
      cwd: full,
      env: { ...process.env, PUBLIC_BASE_URL: base, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    gateway.stdout.on('data', (d) => (output += d));
    gateway.stderr.on('data', (d) => (output += d));
    for (const deadline = Date.now() + 60_000; ;) {
      assert(gateway.exitCode === null, `the gateway exited:\n${output}`);
      const ok = await fetch(`${base}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      assert(Date.now() < deadline, `no answer on ${base}/health:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  await check("the README's SDK example, run from the scratch project, calls the gateway through the installed SDK", () => {
    copyFileSync(path.join(root, 'examples/sdk-quickstart.mjs'), path.join(full, 'sdk-quickstart.mjs'));
    const out = sh(process.execPath, ['sdk-quickstart.mjs'], { cwd: full, env: { ...process.env, FAWTARA_BASE_URL: base } });
    assert(/^created \d+ http/m.test(out) && /^refused \{"amount"/m.test(out), `unexpected output:\n${out}`);
  });

  await check("a consumer's strict TypeScript compiles against the installed declarations alone", () => {
    writeFileSync(
      path.join(full, 'consumer.ts'),
      [
        "import { Client, SANDBOX_CREDENTIALS, ValidationError, verifyWebhookSignature, type Invoice, type InvoiceCreateParams } from '@fawtara/sdk';",
        "import { createCodec, parseMoney } from '@fawtara/wire';",
        "const client = new Client({ baseUrl: 'http://localhost:3000', ...SANDBOX_CREDENTIALS });",
        "const params: InvoiceCreateParams = { amount: '1.000', customerName: 'A', mobileNumber: '66666666', countryCode: '965', invoiceType: '0', invoiceSubType: '3', allocatePayType: '1', expiresAt: '2030-01-01' };",
        'export const created: Promise<Invoice> = client.invoices.create(params);',
        "export const fils: bigint = parseMoney('1.250');",
        "export const hex: string = createCodec(SANDBOX_CREDENTIALS).encrypt('{}');",
        "export const check = verifyWebhookSignature('{}', undefined, 'whsec_x');",
        'export const isValidation = (e: unknown): boolean => e instanceof ValidationError;',
        '',
      ].join('\n'),
    );
    writeFileSync(
      path.join(full, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2023',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: [],
          typeRoots: [path.join(root, 'node_modules/@types')],
        },
        files: ['consumer.ts'],
      }),
    );
    // The repository's compiler, but nothing else of the repository: the types come from the scratch node_modules.
    sh(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', full], { cwd: full });
  });

  let client;
  await check('install the client packages only (no @fawtara/server)', () => {
    client = project('client', ['wire', 'contract', 'sdk', 'cli'].map(tarball));
  });

  const cli = (args, env = {}) =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [path.join(client, 'node_modules/@fawtara/cli/bin/fawtara.js'), ...args], {
        cwd: client,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  await check('client-only CLI: --version, encrypt, and invoice list against the gateway', async () => {
    const version = await cli(['--version']);
    const { version: expected } = JSON.parse(sh('tar', ['-xzOf', tarball('cli'), 'package/package.json']));
    assert(version.code === 0 && version.stdout.trim() === expected, `--version: ${JSON.stringify(version)}, package ${expected}`);
    const enc = await cli(['encrypt', '{"merchantCode":"842217"}']);
    assert(enc.code === 0 && enc.stdout.includes('0e7898bd7464d0c402fe8a949d9cbf9b826ccb9b83b56fa003373275f1947a65'), `encrypt: ${JSON.stringify(enc)}`);
    const list = await cli(['invoice', 'list', '--json'], { FAWTARA_URL: base });
    assert(list.code === 0 && JSON.parse(list.stdout).data.length >= 1, `invoice list: ${JSON.stringify(list)}`);
  });

  await check('client-only CLI: serve says how to install the server (exit 78)', async () => {
    const serve = await cli(['serve', '--port', '0']);
    assert(serve.code === 78 && serve.stderr.includes('npm install @fawtara/cli @fawtara/server'), `serve: ${JSON.stringify(serve)}`);
  });

  await check('SIGTERM stops the installed gateway with exit code 0', async () => {
    assert(gateway && gateway.exitCode === null, 'the gateway is not running');
    const exited = new Promise((resolve) => gateway.on('exit', (code) => resolve(code)));
    gateway.kill('SIGTERM');
    const code = await exited;
    assert(code === 0, `exit code ${code}`);
  });
} finally {
  if (gateway && gateway.exitCode === null) gateway.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
}

const passed = results.filter(Boolean).length;
console.log(`${passed} passed, ${results.length - passed} failed`);
process.exit(passed === results.length ? 0 : 1);
