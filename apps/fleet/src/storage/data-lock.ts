// One process per embedded database: an exclusive lock file in the data folder. PGlite is a
// single-process database; two processes writing one folder corrupt it ("Aborted()" on the next
// open). The lock file is created atomically (a complete temp file hard-linked into place, which
// fails when the name exists), names its holder (pid, host, process start, command, and the
// service's URL once it listens), and a lock left by a dead process is taken over under a second,
// short-lived lock so two starters never both take it.
import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, lstat, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const LOCK_FILE = 'fleet.lock';
/** A takeover that has not finished within this long was interrupted (its process died). */
const TAKEOVER_STALE_IN_MS = 10_000;
/** sysexits EX_TEMPFAIL: the folder is busy now; try again once the other process ended. */
export const EXIT_DATA_DIR_LOCKED = 75;

export interface LockHolder {
  pid: number;
  hostname: string;
  /** This boot's id and the process's start tick (Linux), so a reused pid is not mistaken for the holder. */
  processStart: string | null;
  startedAt: string;
  command: string;
  /** The holder's HTTP API, once it listens (`fleet devices`/`export` go through it). */
  url: string | null;
  /** Random: tells this holder's lock from a later one with the same pid. */
  token: string;
}

export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError';
  readonly code = 'DATA_DIR_LOCKED';
  readonly exitCode = EXIT_DATA_DIR_LOCKED;
  readonly holder: LockHolder;

  constructor(dataDir: string, holder: LockHolder) {
    const where = holder.hostname === hostname() ? `process ${holder.pid}` : `process ${holder.pid} on ${holder.hostname}`;
    super(
      `the data folder ${dataDir} is in use by ${where} (${holder.command}, started ${holder.startedAt}` +
        `${holder.url ? `, serving ${holder.url}` : ''}); stop it first, or use another --data-dir`,
    );
    this.holder = holder;
  }
}

/** Linux: `<boot id>:<start tick>` of a process, null elsewhere or when it is gone. */
function processStart(pid: number): string | null {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces and parentheses); start time is field 22.
    const tick = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return tick === undefined ? null : `${boot}:${tick}`;
  } catch {
    return null;
  }
}

/** Whether the holder still runs. A holder on another host cannot be checked: it counts as running. */
export function holderAlive(holder: LockHolder): boolean {
  if (holder.hostname !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // The pid runs; it is the holder unless the pid was reused since (another boot or start tick).
  const now = processStart(holder.pid);
  return holder.processStart === null || now === null || now === holder.processStart;
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockHolder>;
    if (typeof v.pid !== 'number' || typeof v.hostname !== 'string' || typeof v.token !== 'string') return undefined;
    return {
      pid: v.pid,
      hostname: v.hostname,
      processStart: typeof v.processStart === 'string' ? v.processStart : null,
      startedAt: typeof v.startedAt === 'string' ? v.startedAt : 'unknown',
      command: typeof v.command === 'string' ? v.command : 'unknown',
      url: typeof v.url === 'string' ? v.url : null,
      token: v.token,
    };
  } catch {
    return undefined;
  }
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The lock's holder when one is running; undefined when the folder is free (no lock, or a dead holder's). */
export async function readDataDirLock(dataDir: string): Promise<LockHolder | undefined> {
  const text = await readText(join(dataDir, LOCK_FILE));
  const holder = text === undefined ? undefined : parseHolder(text);
  return holder && holderAlive(holder) ? holder : undefined;
}

export interface DataDirLock {
  readonly holder: LockHolder;
  /** Records the service's URL in the lock file (atomically replaced). */
  setUrl(url: string): Promise<void>;
  /** Removes the lock file (only if it is still this process's). */
  release(): Promise<void>;
}

/** Writes `holder` to a fresh temp file next to the lock and hard-links it to `target`; false when `target` exists. */
async function linkNew(dir: string, target: string, holder: LockHolder): Promise<boolean> {
  const temp = join(dir, `${LOCK_FILE}.${process.pid}.${randomBytes(4).toString('hex')}`);
  await writeFile(temp, `${JSON.stringify(holder)}\n`, { flag: 'wx' });
  try {
    await link(temp, target);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/** Removes the lock file of a dead holder, under the takeover lock; re-checks it still holds `staleText`. */
async function removeStale(dir: string, lockPath: string, staleText: string, me: LockHolder): Promise<void> {
  const takeover = `${lockPath}.takeover`;
  if (!(await linkNew(dir, takeover, me))) {
    const info = await lstat(takeover).catch(() => undefined);
    // An interrupted takeover: clear it; the caller retries either way.
    if (info && Date.now() - info.mtimeMs > TAKEOVER_STALE_IN_MS) await unlink(takeover).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 20));
    return;
  }
  try {
    if ((await readText(lockPath)) === staleText) await unlink(lockPath).catch(() => undefined);
  } finally {
    await unlink(takeover).catch(() => undefined);
  }
}

/** Takes the data folder's lock, or throws DataDirLockedError naming the running holder. */
export async function acquireDataDirLock(dataDir: string, command: string): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true });
  const lockPath = join(dataDir, LOCK_FILE);
  const holder: LockHolder = {
    pid: process.pid,
    hostname: hostname(),
    processStart: processStart(process.pid),
    startedAt: new Date().toISOString(),
    command: command.slice(0, 200),
    url: null,
    token: randomBytes(12).toString('hex'),
  };
  for (let attempt = 0; ; attempt += 1) {
    if (await linkNew(dataDir, lockPath, holder)) break;
    const text = await readText(lockPath);
    if (text === undefined) continue; // released meanwhile
    const current = parseHolder(text);
    if (current && holderAlive(current)) throw new DataDirLockedError(dataDir, current);
    if (attempt >= 50) throw new Error(`cannot take over the stale lock ${lockPath}; remove it if no fleet process uses ${dataDir}`);
    // Unreadable (not a fleet lock) or a dead holder's: take it over.
    await removeStale(dataDir, lockPath, text, holder);
  }
  return lockHandle(dataDir, lockPath, holder);
}

function lockHandle(dataDir: string, lockPath: string, holder: LockHolder): DataDirLock {
  const ours = (text: string | undefined): boolean => text !== undefined && parseHolder(text)?.token === holder.token;
  // A process that exits without stop() (an uncaught error) leaves no lock behind; kill -9 leaves a stale one.
  const onExit = (): void => {
    try {
      if (ours(readFileSync(lockPath, 'utf8'))) unlinkSync(lockPath);
    } catch {
      // already gone
    }
  };
  process.on('exit', onExit);
  let released = false;
  return {
    holder,
    async setUrl(url) {
      holder.url = url;
      const temp = join(dataDir, `${LOCK_FILE}.${process.pid}.url`);
      await writeFile(temp, `${JSON.stringify(holder)}\n`);
      await rename(temp, lockPath);
    },
    async release() {
      if (released) return;
      released = true;
      process.off('exit', onExit);
      if (ours(await readText(lockPath))) await unlink(lockPath).catch(() => undefined);
    },
  };
}
