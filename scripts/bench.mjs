// Runs every benchmark script of the workspace (packages/*/bench/*.mjs, apps/*/bench/*.mjs) one
// after another, each in its own process on the built packages. `npm run bench -- comap` runs
// only the benchmarks whose path contains "comap".
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const filter = process.argv[2] ?? '';
const scripts = ['packages', 'apps'].flatMap((group) =>
  readdirSync(join(root, group)).flatMap((dir) => {
    const benchDir = join(root, group, dir, 'bench');
    if (!existsSync(benchDir)) return [];
    return readdirSync(benchDir)
      .filter((f) => f.endsWith('.mjs'))
      .sort()
      .map((f) => join(benchDir, f));
  }),
);
const selected = scripts.filter((s) => relative(root, s).includes(filter));
if (selected.length === 0) {
  console.error(`bench: no benchmark matches "${filter}"`);
  process.exit(1);
}
for (const script of selected) {
  console.log(`\n## ${relative(root, script)}`);
  execFileSync(process.execPath, ['--expose-gc', script], { cwd: dirname(script), stdio: 'inherit' });
}
