// Shared tsup settings: every publishable package emits ESM + CJS + declarations per library
// entry. An entry that no `exports` subpath names (the vendor CLIs, run through `bin`) is built as
// ESM alone, without declarations: nobody imports it, so a CJS build and types would only weigh.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, type Options } from 'tsup';

/** Entry names of the package in `dir` that no `exports` subpath points at (its CLI, run through `bin`). */
export function unexportedEntries(dir: string, entry: Record<string, string>): Set<string> {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { exports?: unknown };
  const targets = JSON.stringify(pkg.exports ?? {});
  return new Set(Object.keys(entry).filter((name) => !targets.includes(`"./dist/${name}.js"`)));
}

export function packageConfig(entry: Record<string, string>, extra: Partial<Options> = {}) {
  const bins = unexportedEntries(process.cwd(), entry);
  const library = Object.fromEntries(Object.entries(entry).filter(([name]) => !bins.has(name)));
  const common: Options = {
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    splitting: true,
    treeshake: true,
    shims: true,
    // The two builds below share dist/: clean it once here, not in each (they run concurrently).
    clean: false,
  };
  return defineConfig(() => {
    rmSync(join(process.cwd(), 'dist'), { recursive: true, force: true });
    return [
      { ...common, entry, format: ['esm'], dts: { entry: library }, ...extra },
      { ...common, entry: library, format: ['cjs'], dts: { entry: library }, ...extra },
    ];
  });
}
