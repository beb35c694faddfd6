import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';

/**
 * `dir` joined with a single file name, refusing names that could land outside `dir`: path
 * separators (`/`, `\`), `.`/`..`, absolute paths, drive letters, NUL and other control characters.
 * Throws a RangeError naming the problem.
 */
export function safeJoin(dir: string, fileName: string): string {
  if (typeof dir !== 'string' || dir === '') throw new TypeError('dir must be a non-empty string');
  if (typeof fileName !== 'string') throw new TypeError('fileName must be a string');
  if (fileName === '' || fileName === '.' || fileName === '..') throw new RangeError(`fileName must name a file, got ${JSON.stringify(fileName)}`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(fileName)) throw new RangeError('fileName must not contain NUL or control characters');
  if (fileName.includes('/') || fileName.includes('\\')) throw new RangeError(`fileName must not contain path separators, got ${JSON.stringify(fileName)}`);
  if (isAbsolute(fileName) || /^[a-zA-Z]:/.test(fileName)) throw new RangeError(`fileName must not be an absolute path, got ${JSON.stringify(fileName)}`);
  const root = resolve(dir);
  const target = resolve(root, fileName);
  if (dirname(target) !== root || basename(target) !== fileName || !target.startsWith(root === sep ? root : `${root}${sep}`)) {
    throw new RangeError(`fileName escapes the destination folder: ${JSON.stringify(fileName)}`);
  }
  return target;
}

/** A sibling temporary path for `target` (same folder, so the final rename is atomic). */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.part`);
}

/**
 * Writes `data` to a temporary file next to `path`, then renames it over `path`: readers see the
 * old content or the new one, never half a file. The temporary file is removed on failure.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: { mode?: number } = {}): Promise<void> {
  if (typeof path !== 'string' || path === '') throw new TypeError('path must be a non-empty string');
  if (typeof data !== 'string' && !(data instanceof Uint8Array)) throw new TypeError('data must be a string or a Uint8Array');
  const temp = tempPathFor(resolve(path));
  try {
    await writeFile(temp, data, { flag: 'wx', flush: true, ...(options.mode !== undefined ? { mode: options.mode } : {}) });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
