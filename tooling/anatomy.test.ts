// The package anatomy of CONTRIBUTING.md, checked: every vendor package has the same parts in the
// same places, its public faces name their exports, and each part is built on @x/http-core's shared
// piece (options, errors, sessions, CLI kit, simulator control API) instead of a private copy.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

interface Anatomy {
  dir: string;
  /** Client, options and errors files, per API (ThinQ has two). */
  apis: readonly string[];
  /** Session files on the shared base. */
  sessions: readonly string[];
}

const vendors: readonly Anatomy[] = [
  { dir: 'packages/comap', apis: ['src'], sessions: [] },
  { dir: 'packages/devicecloud-monitor', apis: ['src'], sessions: ['src/session.ts'] },
  { dir: 'packages/thinq', apis: ['src/v1', 'src/connect'], sessions: ['src/v1/session.ts', 'src/connect/session.ts'] },
  { dir: 'packages/sepl-connector', apis: ['src'], sessions: ['src/session.ts'] },
];

const read = (path: string): string => readFileSync(join(root, path), 'utf8');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir))) {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

describe.each(vendors)('$dir', ({ dir, apis, sessions }) => {
  it('has the parts in their places', () => {
    const required = [
      'src/index.ts',
      'src/cli.ts',
      'src/testing/index.ts',
      'src/testing/simulator.ts',
      'test/process.test.ts',
      ...apis.flatMap((api) => [`${api}/client.ts`, `${api}/options.ts`, `${api}/errors.ts`].map((f) => relative(dir, join(dir, f)))),
      ...sessions,
    ];
    const missing = required.filter((file) => !existsSync(join(root, dir, file)));
    expect(missing).toEqual([]);
  });

  it('names every export of its public faces (no export *)', () => {
    for (const face of ['src/index.ts', 'src/testing/index.ts']) {
      expect(read(join(dir, face)), `${dir}/${face}`).not.toMatch(/^export \* from/m);
    }
  });

  it('builds each part on the shared piece of @x/http-core', () => {
    for (const api of apis) {
      expect(read(join(dir, api, 'options.ts')), `${api}/options.ts`).toMatch(/\bClientOptionsBase\b/);
      expect(read(join(dir, api, 'errors.ts')), `${api}/errors.ts`).toMatch(/from '@x\/http-core'/);
    }
    for (const session of sessions) expect(read(join(dir, session)), session).toMatch(/from '@x\/http-core'/);
    const cli = sourceFiles(join(dir, 'src')).filter((f) => /\/cli(\/|\.ts$)/.test(f)).map(read).join('\n');
    expect(cli).toMatch(/from '@x\/http-core\/cli'|from '@x\/http-core'/);
  });

  it('keeps no private raw-preview helper or unref\'d work timer in the client', () => {
    // Simulators are servers and may unref their own housekeeping; the client code may not.
    for (const file of sourceFiles(join(dir, 'src')).filter((f) => !f.includes('/testing/'))) {
      const text = read(file);
      expect(text, file).not.toMatch(/\.unref\(\)/);
      expect(text, file).not.toMatch(/function\s+\w*[rR]awPreview\b/);
    }
  });
});
