import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('./merchant.ts', import.meta.url));
const dataDir = mkdtempSync(path.join(tmpdir(), 'fawtara-merchant-cmd-'));
const run = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' }, encoding: 'utf8' });

describe('npm run merchant', () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('creates a merchant, printing its fresh credentials once, and lists it', () => {
    const created = run('create', '--name', 'Acme Trading', '--username', 'acme-cmd', '--methods', '1,2');
    expect(created.status).toBe(0);
    const code = /merchant code\s+(\d{6})/.exec(created.stdout)?.[1];
    expect(code).toBeDefined();
    expect(created.stdout).toMatch(/secret key\s+[A-Za-z0-9]{32}\n/);
    expect(created.stdout).toMatch(/IV\s+[A-Za-z0-9]{16}\n/);
    const listed = run('list');
    expect(listed.status).toBe(0);
    expect(listed.stdout).toContain(`${code}\tAcme Trading\tlive\tmethods 1,2`);
    expect(listed.stdout).not.toMatch(/[A-Za-z0-9]{32}/); // no secrets in the list
    expect(listed.stdout).toContain(`${code}\tAcme Trading\tlive\tmethods 1,2\tarabic digits latn`);

    const digits = run('set-arabic-digits', code!, 'arab');
    expect(digits.status).toBe(0);
    expect(run('list').stdout).toContain(`${code}\tAcme Trading\tlive\tmethods 1,2\tarabic digits arab`);
    const wrong = run('set-arabic-digits', code!, 'roman');
    expect(wrong.status).toBe(64);
    expect(wrong.stderr).toContain('latn or arab');
  }, 60_000);

  it('exits non-zero with a clear message on bad input', () => {
    const bad = run('create', '--name', 'X', '--username', 'acme-cmd');
    expect(bad.status).toBe(65);
    expect(bad.stderr).toContain('already taken');
    const usage = run('frobnicate');
    expect(usage.status).toBe(64);
    expect(usage.stderr).toContain('unknown command "frobnicate"');
  }, 60_000);
});
