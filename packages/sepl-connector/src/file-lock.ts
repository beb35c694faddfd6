import { open, stat, unlink } from 'node:fs/promises';
import { sleep } from '@x/http-core';
import { SeplStoreError } from './errors.js';

/** A lock file older than this belongs to a writer that crashed while holding it. */
const STALE_AFTER_MS = 30_000;
const RETRY_EVERY_MS = 10;
/** How long a writer waits for another writer's lock by default. */
export const DEFAULT_LOCK_TIMEOUT_MS = 5_000;

/**
 * Runs `work` while holding `<path>.lock` (created exclusively), so writers in other processes
 * or other store instances on the same file take turns. A stale lock (older than 30 s) is broken;
 * a lock still held after `timeoutInMs` is a SeplStoreError ("in use").
 */
export async function withFileLock<T>(path: string, work: () => Promise<T>, timeoutInMs = DEFAULT_LOCK_TIMEOUT_MS): Promise<T> {
  const lockPath = `${path}.lock`;
  const started = Date.now();
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const age = await stat(lockPath).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > STALE_AFTER_MS) {
      await unlink(lockPath).catch(() => undefined);
      continue;
    }
    if (Date.now() - started > timeoutInMs) throw new SeplStoreError(`device store ${path} is in use by another writer (${lockPath} exists)`, '');
    await sleep(RETRY_EVERY_MS);
  }
  try {
    return await work();
  } finally {
    await unlink(lockPath).catch(() => undefined);
  }
}
