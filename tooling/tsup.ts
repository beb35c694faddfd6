// Shared tsup settings: every publishable package emits ESM + CJS + declarations per entry.
import { defineConfig, type Options } from 'tsup';

export function packageConfig(entry: Record<string, string>, extra: Partial<Options> = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: true,
    treeshake: true,
    shims: true,
    ...extra,
  });
}
