// One root config: a project per package and app, with sources aliased so tests run against
// src (and coverage maps to it) while builds stay the published shape.
import { readdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = dirname(fileURLToPath(import.meta.url));
const packageDirs = readdirSync(join(root, 'packages')).filter((d) => existsSync(join(root, 'packages', d, 'package.json')));
const appDirs = readdirSync(join(root, 'apps')).filter((d) => existsSync(join(root, 'apps', d, 'package.json')));

// `@x/name`, `@x/name/testing` and `@x/name/cli` resolve to their sources.
const alias = packageDirs.flatMap((d) => [
  { find: new RegExp(`^@x/${d}/testing$`), replacement: join(root, 'packages', d, 'src/testing/index.ts') },
  { find: new RegExp(`^@x/${d}/cli$`), replacement: join(root, 'packages', d, 'src/cli/index.ts') },
  { find: new RegExp(`^@x/${d}$`), replacement: join(root, 'packages', d, 'src/index.ts') },
]);

const project = (dir: string, name: string) => ({
  resolve: { alias },
  test: {
    name,
    root: join(root, dir),
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});

export default defineConfig({
  test: {
    projects: [
      ...packageDirs.map((d) => project(`packages/${d}`, d)),
      ...appDirs.map((d) => project(`apps/${d}`, d)),
      { test: { name: 'tooling', root: join(root, 'tooling'), include: ['**/*.test.ts'], testTimeout: 120_000 } },
    ],
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.ts', 'apps/*/src/**/*.ts'],
      exclude: ['**/*.test.ts', '**/cli.ts', '**/*.d.ts', 'apps/*/src/web/**'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: join(root, 'coverage'),
      // Floors only go up as the code grows (see CONTRIBUTING.md).
      // Set a few points under what the suites reach, so a change that drops tested code fails.
      thresholds: {
        'packages/http-core/src/**': { lines: 95 },
        'packages/comap/src/**': { lines: 95 },
        'packages/devicecloud-monitor/src/**': { lines: 92 },
        'packages/thinq/src/**': { lines: 92 },
        'packages/sepl-connector/src/**': { lines: 90 },
        'apps/fleet/src/**': { lines: 85 },
      },
    },
  },
});
