// What an npm user gets: packs every publishable package (built dist/ required), installs the
// tarballs into an empty temporary project with npm (no workspace links; their dependencies come
// from the registry), then checks ESM import, CJS require, a strict TypeScript compile with
// moduleResolution nodenext and bundler, each CLI's --help, the optional-peer message of
// @x/thinq/testing without aedes, each README's quick start against its simulator, and each
// tarball's packed size (at most MAX_PACKED_BYTES).
// Usage: node tooling/consumer-check.mjs [package dir…]   (all of packages/ by default; exit code 0
// when every check passed)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAX_PACKED_BYTES = 200 * 1024;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const selected = process.argv.slice(2);
const packages = (selected.length > 0 ? selected : readdirSync(join(root, 'packages')))
  .sort()
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) }));
const scratch = mkdtempSync(join(tmpdir(), 'x-consumer-'));
const failures = [];
let passed = 0;

function check(name, fn) {
  try {
    fn();
    passed += 1;
    console.log(`ok   ${name}`);
  } catch (error) {
    failures.push(name);
    console.log(`FAIL ${name}\n${String(error instanceof Error ? error.message : error).replace(/^/gm, '     ')}`);
  }
}

function run(cmd, args, cwd, extraEnv = {}) {
  const result = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...extraEnv } });
  if (result.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${result.status}\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

/** Subpaths a consumer imports: every key of `exports` except package.json. */
function subpaths(manifest) {
  return Object.keys(manifest.exports).filter((key) => key !== './package.json');
}

function specifier(name, subpath) {
  return subpath === '.' ? name : `${name}/${subpath.slice(2)}`;
}

function packAll() {
  const tarballs = join(scratch, 'tarballs');
  mkdirSync(tarballs);
  const pnpm = join(root, 'node_modules', '.bin', 'pnpm');
  for (const { dir, manifest } of packages) {
    if (!existsSync(join(root, 'packages', dir, 'dist', 'index.d.ts'))) throw new Error(`packages/${dir}/dist is not built: run the build first`);
    const before = new Set(readdirSync(tarballs));
    run(pnpm, ['pack', '--pack-destination', tarballs], join(root, 'packages', dir));
    const [file] = readdirSync(tarballs).filter((f) => !before.has(f));
    const size = statSync(join(tarballs, file)).size;
    console.log(`size ${manifest.name}: ${(size / 1024).toFixed(1)} kB packed (${file})`);
    check(`${manifest.name} packs under ${MAX_PACKED_BYTES / 1024} kB`, () => {
      if (size > MAX_PACKED_BYTES) throw new Error(`${size} bytes`);
    });
    check(`${manifest.name} tarball has LICENSE, its bins, and no unexported CJS entry or source map`, () => {
      const listing = execFileSync('tar', ['-tzf', join(tarballs, file)], { encoding: 'utf8' }).trim().split('\n');
      const exported = JSON.stringify(manifest.exports);
      const bins = Object.values(manifest.bin ?? {}).map((b) => `package/${b.replace(/^\.\//, '')}`);
      const missing = ['package/LICENSE', ...bins].filter((f) => !listing.includes(f));
      const stray = listing.filter((f) => f.endsWith('.map') || (/^package\/dist\/(?!chunk-)[^/]+\.cjs$/.test(f) && !exported.includes(`"./${f.slice(8)}"`)));
      if (missing.length > 0 || stray.length > 0) throw new Error(`missing ${missing.join(', ') || 'nothing'}; stray ${stray.join(', ') || 'nothing'}`);
    });
  }
  return readdirSync(tarballs).map((f) => join(tarballs, f));
}

function writeProject(dir) {
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x-consumer', private: true, version: '0.0.0' }, null, 2));
  const namespaces = packages.flatMap(({ manifest }) =>
    subpaths(manifest).map((sub, i) => ({ id: `${manifest.name.slice(3).replace(/-/g, '_')}${i}`, spec: specifier(manifest.name, sub) })),
  );
  const lines = namespaces.map((n) => `import * as ${n.id} from '${n.spec}';`);
  const use = `export const loaded: number = [${namespaces.map((n) => n.id).join(', ')}].map((m) => Object.keys(m).length).reduce((a, b) => a + b, 0);\n`;
  writeFileSync(join(dir, 'esm.ts'), `${lines.join('\n')}\n${use}`);
  writeFileSync(join(dir, 'cjs.cts'), `${namespaces.map((n) => `import ${n.id} = require('${n.spec}');`).join('\n')}\n${use}`);
  const base = { strict: true, skipLibCheck: false, noEmit: true, types: ['node'], target: 'es2022', exactOptionalPropertyTypes: true };
  writeFileSync(join(dir, 'tsconfig.nodenext.json'), JSON.stringify({ compilerOptions: { ...base, module: 'nodenext', moduleResolution: 'nodenext' }, files: ['esm.ts', 'cjs.cts'] }));
  writeFileSync(join(dir, 'tsconfig.bundler.json'), JSON.stringify({ compilerOptions: { ...base, module: 'esnext', moduleResolution: 'bundler' }, files: ['esm.ts'] }));
}

/** ESM import and CJS require of every subpath give the same, non-empty export names. */
function checkRuntime(dir) {
  for (const { manifest } of packages) {
    for (const sub of subpaths(manifest)) {
      const spec = specifier(manifest.name, sub);
      check(`${spec}: ESM import and CJS require export the same names`, () => {
        const esm = run('node', ['--input-type=module', '-e', `const m = await import('${spec}'); console.log(JSON.stringify(Object.keys(m).filter((k) => k !== 'default').sort()))`], dir);
        const cjs = run('node', ['-e', `console.log(JSON.stringify(Object.keys(require('${spec}')).sort()))`], dir);
        if (JSON.parse(esm).length === 0) throw new Error('no exports');
        if (esm !== cjs) throw new Error(`ESM ${esm.trim()}\nCJS ${cjs.trim()}`);
      });
    }
  }
}

function checkClis(dir) {
  for (const { manifest } of packages) {
    for (const bin of Object.keys(manifest.bin ?? {})) {
      check(`${bin} --help`, () => {
        const out = run(join(dir, 'node_modules', '.bin', bin), ['--help'], dir);
        if (!out.startsWith(`Usage: ${bin} `)) throw new Error(`unexpected help:\n${out}`);
      });
    }
  }
}

function checkOptionalPeer(dir) {
  if (!packages.some(({ dir: d }) => d === 'thinq')) return;
  check('@x/thinq/testing without aedes says to install it', () => {
    const script = `const t = await import('@x/thinq/testing'); const ca = await t.createTestCa();
      try { await t.startMqttBroker(ca); console.log('started'); process.exit(1); } catch (e) { console.log(e.message); }`;
    const out = run('node', ['--input-type=module', '-e', script], dir);
    if (!out.includes('npm install aedes@')) throw new Error(out);
  });
}

/** The first code block under a README's "## Quick start" heading, with its language, if any. */
function quickStart(dir) {
  const readme = readFileSync(join(root, 'packages', dir, 'README.md'), 'utf8');
  const at = readme.search(/^## Quick start/m);
  if (at === -1) return undefined;
  const match = /```(js|ts)\n([\s\S]*?)```/.exec(readme.slice(at));
  return match ? { lang: match[1], code: match[2] } : undefined;
}

/** Each README's quick start, as written, against its simulator from the installed tarball. */
function checkQuickStarts(dir) {
  const tsc = join(dir, 'node_modules/typescript/bin/tsc');
  for (const { dir: pkgDir, manifest } of packages) {
    const example = quickStart(pkgDir);
    if (!example) continue;
    check(`${manifest.name} README quick start runs (${example.lang})`, () => {
      let file = join(dir, `quick-start-${pkgDir}.mjs`);
      if (example.lang === 'ts') {
        // Strict compile first: the README's TypeScript must be what a strict project accepts.
        writeFileSync(join(dir, `quick-start-${pkgDir}.mts`), example.code);
        run('node', [tsc, '--strict', '--module', 'nodenext', '--target', 'es2022', '--types', 'node', '--outDir', join(dir, 'out'), `quick-start-${pkgDir}.mts`], dir);
        file = join(dir, 'out', `quick-start-${pkgDir}.mjs`);
      } else {
        writeFileSync(file, example.code);
      }
      const result = spawnSync('node', [file], { cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
      if (result.status !== 0 || result.stdout.trim() === '') throw new Error(`exit ${result.status}\n${result.stdout}\n${result.stderr}`);
      // A user running the example as written sees no Node process warning.
      if (/^\(node:\d+\) /m.test(result.stderr)) throw new Error(`process warning:\n${result.stderr}`);
    });
  }
}

try {
  const tarballs = packAll();
  const project = join(scratch, 'project');
  mkdirSync(project);
  writeProject(project);
  const { typescript, '@types/node': typesNode } = rootManifest.devDependencies;
  const started = Date.now();
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs, `typescript@${typescript}`, `@types/node@${typesNode}`], project);
  console.log(`npm install of the tarballs: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  checkRuntime(project);
  for (const mode of ['nodenext', 'bundler']) {
    check(`strict tsc, moduleResolution ${mode}`, () => run('node', [join(project, 'node_modules/typescript/bin/tsc'), '-p', `tsconfig.${mode}.json`], project));
  }
  checkClis(project);
  checkOptionalPeer(project);
  // The simulators' optional peer, as the README tells users to install it.
  if (packages.some(({ dir }) => dir === 'thinq')) run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', 'aedes@^1.2.0'], project);
  checkQuickStarts(project);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
console.log(`consumer check: ${passed} checks ok, ${failures.length} failed${failures.length > 0 ? ` (${failures.join("; ")})` : ""}`);
if (failures.length > 0) process.exitCode = 1;
