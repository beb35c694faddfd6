import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRateLimiter } from '@x/http-core';
import { run } from '@x/http-core/cli';
import { afterEach, describe, expect, it } from 'vitest';
import { startComapSimulator, type ComapSimulator } from '../testing/index.js';
import { comapProgram } from './program.js';
import { tokenCacheDir, tokenCacheFile } from './token-cache.js';

// The CLI's token between invocations (in-process runs; test/process.test.ts runs the built binary).
const open: ComapSimulator[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const tokenRateLimiter = createRateLimiter({ tokensPerInterval: 1000, intervalInMs: 1000 });

async function setup() {
  const sim = await startComapSimulator({ units: 2, rateLimit: false, seed: 3 });
  open.push(sim);
  const cache = mkdtempSync(join(tmpdir(), 'comap-cache-'));
  dirs.push(cache);
  const env: Record<string, string> = { COMAP_KEY: sim.key, COMAP_CLIENT_ID: sim.clientId, COMAP_SECRET: sim.secret, COMAP_LOGIN_ID: sim.loginId, COMAP_BASE_URL: sim.url, COMAP_CACHE_DIR: cache };
  const comap = async (argv: string[], extra: Record<string, string> = {}) => {
    let out = '';
    let err = '';
    const code = await run(comapProgram({ rateLimit: false, tokenRateLimiter }), {
      argv,
      env: { ...env, ...extra },
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: (t: string) => (err += t) },
    });
    return { code, out, err };
  };
  return { sim, cache, comap, file: tokenCacheFile(cache, sim.url, sim.key, sim.clientId) };
}

describe('the CLI token cache', () => {
  it('one token for several invocations, in a 0600 file in a 0700 folder named by a hash; `token` prints it, `token --clear` deletes it', async () => {
    const { sim, cache, comap, file } = await setup();
    for (let i = 0; i < 6; i++) expect((await comap(['units'])).code).toBe(0);
    expect(sim.stats.tokenRequests).toBe(1);
    expect(readdirSync(cache)).toEqual([file.slice(cache.length + 1)]);
    expect(file).toMatch(/token-[0-9a-f]{32}\.json$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(cache).mode & 0o777).toBe(0o700);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { accessToken: string; expiresAt: number };
    expect(Object.keys(stored)).toEqual(['accessToken', 'expiresAt']);
    expect(stored.expiresAt).toBeGreaterThan(Date.now() + 3_500_000);
    let r = await comap(['token']);
    expect([r.code, r.err]).toEqual([0, '']);
    expect(JSON.parse(r.out)).toEqual({ access_token: stored.accessToken, expires_in: expect.any(Number) as number });
    expect(sim.stats.tokenRequests).toBe(1);
    r = await comap(['token', '--clear']);
    expect([r.code, r.out]).toEqual([0, '{"cleared":true}\n']);
    expect(existsSync(file)).toBe(false);
    expect((await comap(['token', '--clear'])).out).toBe('{"cleared":false}\n');
    expect((await comap(['units'])).code).toBe(0);
    expect(sim.stats.tokenRequests).toBe(2);
  });

  it('refreshed before expiry; a revoked cached token is fetched again once; a file others can read is not trusted', async () => {
    const { sim, comap, file } = await setup();
    await comap(['units']);
    const first = (JSON.parse(readFileSync(file, 'utf8')) as { accessToken: string }).accessToken;
    // 30 s left: inside the one-minute refresh margin.
    writeFileSync(file, JSON.stringify({ accessToken: first, expiresAt: Date.now() + 30_000 }), { mode: 0o600 });
    await comap(['units']);
    expect(sim.stats.tokenRequests).toBe(2);
    sim.revokeTokens();
    expect((await comap(['units'])).code).toBe(0);
    expect(sim.stats.tokenRequests).toBe(3);
    chmodSync(file, 0o644);
    await comap(['units']);
    expect(sim.stats.tokenRequests).toBe(4);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('COMAP_TOKEN is used as is (no client id or secret needed); --no-token-cache / COMAP_TOKEN_CACHE=false write nothing', async () => {
    const { sim, cache, comap } = await setup();
    const token = JSON.parse((await comap(['token', '--no-token-cache'])).out) as { access_token: string };
    expect(readdirSync(cache)).toEqual([]);
    const r = await comap(['units'], { COMAP_TOKEN: token.access_token, COMAP_CLIENT_ID: '', COMAP_SECRET: '' });
    expect([r.code, r.err, r.out.trim().split('\n').map((l) => (JSON.parse(l) as { unitGuid: string }).unitGuid)]).toEqual([0, '', sim.units.map((u) => u.unitGuid)]);
    expect((await comap(['units'], { COMAP_TOKEN_CACHE: 'false' })).code).toBe(0);
    expect(readdirSync(cache)).toEqual([]);
    expect(sim.stats.tokenRequests).toBe(2);
  });

  it('the cache folder follows COMAP_CACHE_DIR, XDG_CACHE_HOME, the platform, or none without a home', () => {
    expect(tokenCacheDir({ COMAP_CACHE_DIR: '/c', HOME: '/h' })).toBe('/c');
    expect(tokenCacheDir({ XDG_CACHE_HOME: '/x', HOME: '/h' }, 'linux')).toBe('/x/x-comap');
    expect(tokenCacheDir({ HOME: '/h' }, 'linux')).toBe('/h/.cache/x-comap');
    expect(tokenCacheDir({ HOME: '/h' }, 'darwin')).toBe('/h/Library/Caches/x-comap');
    expect(tokenCacheDir({ LOCALAPPDATA: 'C:/L' }, 'win32')).toBe(join('C:/L', 'x-comap', 'Cache'));
    expect(tokenCacheDir({}, 'linux')).toBeUndefined();
    expect(tokenCacheDir({}, 'win32')).toBeUndefined();
    expect(tokenCacheDir({ HOME: '' }, 'darwin')).toBeUndefined();
  });
});
