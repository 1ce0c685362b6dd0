import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireDataDirLock, LOCK_FILE_NAME } from './data-dir-lock.ts';
import { openDatabase } from './database.ts';

let dir: string;
let lockPath: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fawtara-lock-'));
  lockPath = join(dir, LOCK_FILE_NAME);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  if (child.pid === undefined) throw new Error('could not spawn node');
  return child.pid;
}

describe('acquireDataDirLock', () => {
  it('writes our pid and refuses a second holder, naming the process', async () => {
    const lock = await acquireDataDirLock(dir);
    expect((await readFile(lockPath, 'utf8')).trim()).toBe(String(process.pid));
    await expect(acquireDataDirLock(dir)).rejects.toThrow(new RegExp(`in use by process ${process.pid}.*two processes on one PGlite folder lose data`, 'is'));
    await lock.release();
  });

  it('refuses while another live process holds the folder', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      await writeFile(lockPath, `${child.pid}\n`);
      await expect(acquireDataDirLock(dir)).rejects.toThrow(`in use by process ${child.pid}`);
    } finally {
      child.kill();
    }
  });

  it('takes over the lock of a process that has exited', async () => {
    await writeFile(lockPath, `${await deadPid()}\n`);
    const lock = await acquireDataDirLock(dir);
    expect((await readFile(lockPath, 'utf8')).trim()).toBe(String(process.pid));
    await lock.release();
  });

  it('takes over a lock file that holds no pid', async () => {
    await writeFile(lockPath, 'not a pid');
    const lock = await acquireDataDirLock(dir);
    expect((await readFile(lockPath, 'utf8')).trim()).toBe(String(process.pid));
    await lock.release();
  });

  it('takes over a lock left with our own pid by an earlier process (pid 1 in a container)', async () => {
    await writeFile(lockPath, `${process.pid}\n`);
    const lock = await acquireDataDirLock(dir);
    await lock.release();
    expect(await exists(lockPath)).toBe(false);
  });

  it('removes the file on release, once, and only while it still holds our pid', async () => {
    const first = await acquireDataDirLock(dir);
    await first.release();
    expect(await exists(lockPath)).toBe(false);
    await first.release();

    const second = await acquireDataDirLock(dir);
    await writeFile(lockPath, '1\n'); // someone else's now
    await second.release();
    expect(await readFile(lockPath, 'utf8')).toBe('1\n');
  });

  it('lets one of several concurrent acquirers in', async () => {
    const results = await Promise.allSettled([1, 2, 3].map(() => acquireDataDirLock(dir)));
    const held = results.filter((result) => result.status === 'fulfilled');
    expect(held).toHaveLength(1);
    await held[0]?.value.release();
  });
});

describe('openDatabase on a PGlite data folder', () => {
  it('refuses a second open of the same folder, and reopens after close', async () => {
    const dataDir = join(dir, 'nested', 'data');
    const first = await openDatabase({ dataDir });
    try {
      await first.executeSql('CREATE TABLE kept (n int); INSERT INTO kept VALUES (42);');
      await expect(openDatabase({ dataDir })).rejects.toThrow(`in use by process ${process.pid}`);
    } finally {
      await first.close();
    }
    await first.close();
    expect(await exists(join(dataDir, LOCK_FILE_NAME))).toBe(false);

    const reopened = await openDatabase({ dataDir });
    try {
      expect((await reopened.executeSql('SELECT n FROM kept')).rows).toEqual([{ n: 42 }]);
    } finally {
      await reopened.close();
    }
  });
});
