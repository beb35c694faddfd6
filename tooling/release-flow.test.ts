// Exercises the contributor flow of CONTRIBUTING.md without network: changesets sees the
// workspace as independently versioned public packages, and every package packs and
// passes a publish dry run with workspace ranges rewritten to real versions.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
// An unreachable registry plus offline mode: any attempt to use the network fails fast.
const offlineEnv = { ...process.env, npm_config_offline: 'true', npm_config_registry: 'http://127.0.0.1:9/' };
const publishable = readdirSync(join(root, 'packages')).sort();
const scratch = mkdtempSync(join(tmpdir(), 'x-release-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function manifest(dir: string): { name: string; version: string; private?: boolean; dependencies?: Record<string, string> } {
  return JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
}

describe('release flow', () => {
  it('changesets config: independent versions, public access, main, private app not released', () => {
    const config = JSON.parse(readFileSync(join(root, '.changeset/config.json'), 'utf8'));
    expect(config.fixed).toEqual([]);
    expect(config.linked).toEqual([]);
    expect(config.access).toBe('public');
    expect(config.baseBranch).toBe('main');
    expect(config.privatePackages).toEqual({ version: false, tag: false });
    expect(manifest('apps/fleet').private).toBe(true);
  });

  it('changeset status runs and only ever releases publishable packages', () => {
    const out = join(scratch, 'status.json');
    execFileSync(bin('changeset'), ['status', '--output', out], { cwd: root, env: offlineEnv, stdio: 'pipe' });
    const status = JSON.parse(readFileSync(out, 'utf8')) as { releases: { name: string; type: string }[] };
    const names = new Set(publishable.map((d) => manifest(`packages/${d}`).name));
    // Dependents that only see a workspace range move are listed with type "none".
    const bumped = status.releases.filter((r) => r.type !== 'none');
    for (const release of bumped) expect(names.has(release.name), release.name).toBe(true);
    expect(bumped.map((r) => r.name)).not.toContain(manifest('apps/fleet').name);
  }, 60_000);

  it.each(publishable)('packs %s with workspace ranges rewritten', (dir) => {
    const dest = join(scratch, dir);
    execFileSync(bin('pnpm'), ['pack', '--pack-destination', dest], { cwd: join(root, 'packages', dir), env: offlineEnv, stdio: 'pipe' });
    const [tarball] = readdirSync(dest).filter((f) => f.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    const files = execFileSync('tar', ['-tzf', join(dest, tarball!)], { encoding: 'utf8' }).trim().split('\n');
    expect(files).toContain('package/package.json');
    expect(files).toContain('package/dist/index.js');
    expect(files).toContain('package/dist/index.cjs');
    expect(files).toContain('package/dist/testing.d.cts');
    expect(files.filter((f) => f.includes('/src/') || f.endsWith('.test.ts'))).toEqual([]);
    const packed = JSON.parse(execFileSync('tar', ['-xzOf', join(dest, tarball!), 'package/package.json'], { encoding: 'utf8' }));
    for (const [name, range] of Object.entries<string>(packed.dependencies ?? {})) {
      expect(range, name).not.toMatch(/^workspace:/);
      if (name.startsWith('@x/')) expect(range).toBe(`^${manifest(`packages/${name.slice(3)}`).version}`);
    }
  }, 60_000);

  it('publishes every package in a dry run without network', () => {
    const out = execFileSync(bin('pnpm'), ['-r', '--filter', './packages/*', 'publish', '--dry-run', '--no-git-checks'], {
      cwd: root,
      env: offlineEnv,
      encoding: 'utf8',
      stdio: 'pipe',
    });
    for (const dir of publishable) {
      const { name, version } = manifest(`packages/${dir}`);
      expect(out).toContain(`+ ${name}@${version}`);
    }
  }, 120_000);
});
