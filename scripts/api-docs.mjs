// `npm run docs`: the API reference from the TSDoc comments (TypeDoc, one section per package)
// into docs/api/. Every TypeDoc warning fails, except "does not have any documentation" for the
// public exports listed in tooling/api-docs-baseline.json: that list records what was
// undocumented when the check began and may only shrink. A newly undocumented export fails; a
// listed one that got documented is named so it can be dropped (`--update-baseline` rewrites it).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const baselinePath = join(root, 'tooling', 'api-docs-baseline.json');
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const UNDOCUMENTED = /^\[warning\] (.+) \((\w+)\), defined in (@x\/[\w-]+)\/\S+, does not have any documentation$/;

// Types from other packages resolve through their built declarations (inherited docs included).
const missing = readdirSync(join(root, 'packages')).filter((dir) => !existsSync(join(root, 'packages', dir, 'dist', 'index.d.ts')));
if (missing.length > 0) {
  console.log(`api docs: build first (no dist/index.d.ts in ${missing.join(', ')})`);
  process.exit(1);
}
const result = spawnSync(join(root, 'node_modules', '.bin', 'typedoc'), [], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
const lines = `${result.stdout}\n${result.stderr}`.split('\n').map((l) => l.replace(ANSI, '').trimEnd());
const undocumented = new Set();
const otherWarnings = [];
for (const line of lines) {
  const match = UNDOCUMENTED.exec(line);
  if (match) undocumented.add(`${match[3]} ${match[1]} (${match[2]})`);
  else if (/^\[(warning|error)\]/.test(line) && !/^\[warning\] Found \d+ errors and \d+ warnings$/.test(line)) otherWarnings.push(line);
}

if (process.argv.includes('--update-baseline')) {
  writeFileSync(baselinePath, `${JSON.stringify([...undocumented].sort(), null, 2)}\n`);
  console.log(`api docs: baseline written (${undocumented.size} undocumented exports)`);
  process.exit(0);
}
const baseline = new Set(JSON.parse(readFileSync(baselinePath, 'utf8')));
const added = [...undocumented].filter((name) => !baseline.has(name));
const fixed = [...baseline].filter((name) => !undocumented.has(name));
for (const line of otherWarnings) console.log(line);
for (const name of added) console.log(`undocumented public export: ${name}`);
for (const name of fixed) console.log(`now documented, remove from tooling/api-docs-baseline.json: ${name}`);
console.log(`api docs: ${undocumented.size} undocumented exports (baseline ${baseline.size}), ${otherWarnings.length} other warnings; docs/api/`);
if (result.status !== 0 || otherWarnings.length > 0 || added.length > 0) {
  if (result.status !== 0) console.log(lines.filter((l) => l !== '').slice(-20).join('\n'));
  process.exitCode = 1;
}
