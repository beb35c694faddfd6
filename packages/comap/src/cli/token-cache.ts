/**
 * The CLI's token between invocations: one file per API origin + key + client id under the user's
 * cache directory, mode 0600 in a 0700 folder, written atomically. The Identity API allows 5 tokens
 * per 5 minutes: without it the 6th command of a shell session would wait for minutes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StoredToken, TokenStore } from '../token-store.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * `COMAP_CACHE_DIR`, else the platform's cache folder + `x-comap` (`$XDG_CACHE_HOME` or
 * `~/.cache` on Linux, `~/Library/Caches` on macOS, `%LOCALAPPDATA%` on Windows); undefined when
 * the environment names no home (then nothing is cached).
 */
export function tokenCacheDir(env: Env, platform: NodeJS.Platform = process.platform): string | undefined {
  const set = (name: string) => (env[name] !== undefined && env[name] !== '' ? env[name] : undefined);
  const explicit = set('COMAP_CACHE_DIR');
  if (explicit) return explicit;
  if (platform === 'win32') {
    const local = set('LOCALAPPDATA');
    return local ? join(local, 'x-comap', 'Cache') : undefined;
  }
  const home = set('HOME');
  if (platform === 'darwin') return home ? join(home, 'Library', 'Caches', 'x-comap') : undefined;
  const xdg = set('XDG_CACHE_HOME');
  if (xdg) return join(xdg, 'x-comap');
  return home ? join(home, '.cache', 'x-comap') : undefined;
}

/** The cache file of one identity: named by a hash, so neither key nor client id shows in the name. */
export function tokenCacheFile(dir: string, baseUrl: string, key: string, clientId: string): string {
  const id = createHash('sha256').update(`${baseUrl}\n${key}\n${clientId}`).digest('hex').slice(0, 32);
  return join(dir, `token-${id}.json`);
}

function parseStored(text: string): StoredToken | undefined {
  try {
    const v = JSON.parse(text) as { accessToken?: unknown; expiresAt?: unknown };
    if (typeof v.accessToken === 'string' && v.accessToken !== '' && typeof v.expiresAt === 'number' && Number.isFinite(v.expiresAt)) return { accessToken: v.accessToken, expiresAt: v.expiresAt };
  } catch {
    // A damaged file is no token: a new one is fetched and written over it.
  }
  return undefined;
}

/** A TokenStore on `file`; a file that others may read (mode beyond 0600) is not trusted. */
export function fileTokenStore(file: string): TokenStore & { clear(): Promise<boolean> } {
  return {
    async load() {
      try {
        if (process.platform !== 'win32' && ((await stat(file)).mode & 0o077) !== 0) return undefined;
        return parseStored(await readFile(file, 'utf8'));
      } catch {
        return undefined;
      }
    },
    async save(token) {
      const dir = join(file, '..');
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await writeFile(temp, JSON.stringify(token), { mode: 0o600, flag: 'wx' });
        await chmod(temp, 0o600);
        await rename(temp, file);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
    },
    async clear() {
      try {
        await rm(file);
        return true;
      } catch (error) {
        if ((error as { code?: unknown }).code === 'ENOENT') return false;
        throw error;
      }
    },
  };
}
