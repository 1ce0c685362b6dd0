import { open, readFile, rename, unlink, link } from 'node:fs/promises';
import { resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * PGlite does not lock its data folder, and two processes writing one folder lose committed rows
 * without any error. This lock file is the only thing
 * standing between a second server or CLI and that data loss.
 */

export const LOCK_FILE_NAME = 'fawtara.lock';

export interface DataDirLock {
  readonly path: string;
  release(): Promise<void>;
}

/** Lock files this process holds, so that a pid match means "ours" only when it really is. */
const heldByThisProcess = new Set<string>();

export async function acquireDataDirLock(dir: string): Promise<DataDirLock> {
  const path = resolve(dir, LOCK_FILE_NAME);
  // Each round either creates the file or removes one stale lock, so a few rounds suffice;
  // the bound only stops a pathological race from spinning forever.
  for (let round = 0; round < 5; round++) {
    if (await tryCreate(path)) {
      return { path, release: () => release(path) };
    }
    const content = await readSettled(path);
    if (content === undefined) continue; // removed meanwhile: try again
    const pid = parsePid(content);
    if (pid !== undefined && isHeldBy(pid, path)) {
      throw new Error(
        `PGlite data folder ${dir} is in use by process ${pid} (lock file ${path}). ` +
          'Two processes on one PGlite folder lose data, so this one will not open it. ' +
          `Stop the other process, or delete the lock file if process ${pid} is not a Fawtara server.`,
      );
    }
    await removeStale(path, content);
  }
  throw new Error(`could not take the lock ${path}: it keeps changing hands`);
}

async function tryCreate(path: string): Promise<boolean> {
  let file;
  try {
    file = await open(path, 'wx');
  } catch (err) {
    if (errno(err) === 'EEXIST') return false;
    throw err;
  }
  // Before the pid is written, so that anyone who can read our pid also sees it as held.
  heldByThisProcess.add(path);
  try {
    await file.writeFile(`${process.pid}\n`);
    await file.sync();
    await file.close();
    return true;
  } catch (err) {
    heldByThisProcess.delete(path);
    await file.close().catch(() => {});
    await unlink(path).catch(() => {});
    throw err;
  }
}

/**
 * Between another process's open('wx') and its write the file is empty; give it a moment before
 * calling the content garbage. Returns undefined when the file has disappeared.
 */
async function readSettled(path: string): Promise<string | undefined> {
  let content = '';
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      content = await readFile(path, 'utf8');
    } catch (err) {
      if (errno(err) === 'ENOENT') return undefined;
      throw err;
    }
    if (parsePid(content) !== undefined) return content;
    await sleep(50);
  }
  return content;
}

function parsePid(content: string): number | undefined {
  const text = content.trim();
  if (!/^[0-9]{1,10}$/.test(text)) return undefined;
  const pid = Number(text);
  return pid > 0 ? pid : undefined;
}

function isHeldBy(pid: number, path: string): boolean {
  // Our own pid in a file we did not create is a leftover from an earlier life with the same pid,
  // which is the normal case for a server restarted as pid 1 in a container.
  if (pid === process.pid) return heldByThisProcess.has(path);
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user, so it is alive.
    return errno(err) !== 'ESRCH';
  }
}

/**
 * Two processes may find the same stale lock. Moving it aside is atomic, and checking what was
 * moved tells whether the other process had already replaced it with a live lock, which is then
 * put back (link fails rather than overwrite, should a third process have created one).
 */
async function removeStale(path: string, staleContent: string): Promise<void> {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch (err) {
    if (errno(err) === 'ENOENT') return;
    throw err;
  }
  const moved = await readFile(aside, 'utf8');
  if (moved !== staleContent) {
    await link(aside, path).catch(() => {});
  }
  await unlink(aside);
}

async function release(path: string): Promise<void> {
  if (!heldByThisProcess.delete(path)) return;
  try {
    // Never delete a lock that someone else has (wrongly) taken over since.
    if (parsePid(await readFile(path, 'utf8')) === process.pid) await unlink(path);
  } catch (err) {
    if (errno(err) !== 'ENOENT') throw err;
  }
}

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}
