// Exercises the contributor flow of CONTRIBUTING.md without network: changesets sees the
// workspace as independently versioned public packages, and every package packs and
// passes a publish dry run with workspace ranges rewritten to real versions.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
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

type Manifest = { name: string; version: string; private?: boolean; dependencies?: Record<string, string> };

function manifest(dir: string, base = root): Manifest {
  return JSON.parse(readFileSync(join(base, dir, 'package.json'), 'utf8'));
}

const publishableNames = publishable.map((dir) => manifest(`packages/${dir}`).name);
const bumpOrder = ['patch', 'minor', 'major'] as const;
type Bump = (typeof bumpOrder)[number];

/** The strongest bump each package gets from the pending changesets' front matter. */
function pendingBumps(): Map<string, Bump> {
  const bumps = new Map<string, Bump>();
  for (const file of readdirSync(join(root, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md')) {
    const front = /^---\n([\s\S]*?)\n---/.exec(readFileSync(join(root, '.changeset', file), 'utf8'));
    expect(front, `${file} has front matter`).not.toBeNull();
    for (const line of front![1]!.split('\n').filter((l) => l.trim() !== '')) {
      const entry = /^["'](@x\/[^"']+)["']:\s*(patch|minor|major)$/.exec(line.trim());
      expect(entry, `${file}: ${line}`).not.toBeNull();
      const [, name, type] = entry! as unknown as [string, string, Bump];
      // The private sample app is never released: its changes belong in its README, not here.
      expect(publishableNames, `${file} names ${name}, which is not a published package`).toContain(name);
      const before = bumps.get(name);
      if (before === undefined || bumpOrder.indexOf(type) > bumpOrder.indexOf(before)) bumps.set(name, type);
    }
  }
  return bumps;
}

/** Semver bump as changesets applies it (0.x versions included). */
function bumped(version: string, type: Bump): string {
  const [major, minor, patch] = version.split('.').map(Number) as [number, number, number];
  if (type === 'major') return `${major + 1}.0.0`;
  if (type === 'minor') return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
}

/**
 * A scratch copy of what a release touches: root manifests, the changesets, and each package's
 * manifest, README, LICENSE and build, with its @x dependencies linked inside the copy the way
 * pnpm install would link them (publish resolves workspace ranges through those links).
 */
function releaseCopy(): string {
  const copy = join(scratch, 'release-copy');
  mkdirSync(join(copy, 'apps', 'fleet'), { recursive: true });
  for (const file of ['package.json', 'pnpm-workspace.yaml']) cpSync(join(root, file), join(copy, file));
  cpSync(join(root, '.changeset'), join(copy, '.changeset'), { recursive: true });
  cpSync(join(root, 'apps/fleet/package.json'), join(copy, 'apps/fleet/package.json'));
  for (const dir of publishable) {
    const from = join(root, 'packages', dir);
    const to = join(copy, 'packages', dir);
    for (const entry of ['package.json', 'README.md', 'LICENSE', 'dist']) {
      if (existsSync(join(from, entry))) cpSync(join(from, entry), join(to, entry), { recursive: true });
    }
    for (const dep of Object.keys(manifest(`packages/${dir}`).dependencies ?? {}).filter((d) => d.startsWith('@x/'))) {
      mkdirSync(join(to, 'node_modules', '@x'), { recursive: true });
      symlinkSync(join('..', '..', '..', dep.slice(3)), join(to, 'node_modules', dep));
    }
  }
  return copy;
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

  it('every pending changeset bumps published packages only', () => {
    expect(pendingBumps().size).toBeGreaterThan(0);
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

  it('versions every package from the pending changesets in a scratch copy, then publishes the new versions in a dry run', () => {
    const expected = pendingBumps();
    const copy = releaseCopy();
    execFileSync(bin('changeset'), ['version'], { cwd: copy, env: offlineEnv, stdio: 'pipe' });
    expect(readdirSync(join(copy, '.changeset')).sort()).toEqual(['README.md', 'config.json']);
    expect(manifest('apps/fleet', copy).version).toBe(manifest('apps/fleet').version);
    const versions = new Map<string, string>();
    for (const dir of publishable) {
      const before = manifest(`packages/${dir}`);
      const after = manifest(`packages/${dir}`, copy);
      const type = expected.get(before.name);
      // Without a changeset of its own a package moves only when a dependency does (a patch).
      if (type !== undefined) expect(after.version, before.name).toBe(bumped(before.version, type));
      else expect([before.version, bumped(before.version, 'patch')], before.name).toContain(after.version);
      versions.set(after.name, after.version);
      if (after.version !== before.version) {
        expect(readFileSync(join(copy, 'packages', dir, 'CHANGELOG.md'), 'utf8')).toContain(`## ${after.version}`);
      }
    }
    const out = execFileSync(bin('pnpm'), ['-r', '--filter', './packages/*', 'publish', '--dry-run', '--no-git-checks'], {
      cwd: copy,
      env: offlineEnv,
      encoding: 'utf8',
      stdio: 'pipe',
    });
    for (const [name, version] of versions) expect(out).toContain(`+ ${name}@${version}`);
    const dest = join(scratch, 'released-comap');
    execFileSync(bin('pnpm'), ['pack', '--pack-destination', dest], { cwd: join(copy, 'packages', 'comap'), env: offlineEnv, stdio: 'pipe' });
    const [tarball] = readdirSync(dest);
    const packed = JSON.parse(execFileSync('tar', ['-xzOf', join(dest, tarball!), 'package/package.json'], { encoding: 'utf8' }));
    expect(packed.dependencies['@x/http-core']).toBe(`^${versions.get('@x/http-core')}`);
  }, 120_000);
});
