// Shared tsup settings: every publishable package emits ESM + CJS + declarations per library
// entry. An entry that is only a `bin` target (the vendor CLIs) is built as ESM alone, without
// declarations: nobody imports it, so its CJS build and types would only weigh on the tarball.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, type Options } from 'tsup';

/** Entry names whose `dist/<name>.js` is a bin target of the package in `dir`. */
export function binEntries(dir: string, entry: Record<string, string>): Set<string> {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { bin?: string | Record<string, string> };
  const targets = typeof pkg.bin === 'string' ? [pkg.bin] : Object.values(pkg.bin ?? {});
  const normalized = new Set(targets.map((t) => t.replace(/^\.\//, '')));
  return new Set(Object.keys(entry).filter((name) => normalized.has(`dist/${name}.js`)));
}

export function packageConfig(entry: Record<string, string>, extra: Partial<Options> = {}) {
  const bins = binEntries(process.cwd(), entry);
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
