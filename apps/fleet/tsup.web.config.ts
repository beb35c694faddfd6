// The dashboard's browser bundle, served by the fleet service from dist/web: app.js (uPlot
// bundled in, nothing fetched from a CDN), plus the static files copied next to it.
import { copyFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { defineConfig } from 'tsup';

const outDir = 'dist/web';
const require = createRequire(import.meta.url);

/** Static files of the page: [source, name in dist/web]. */
const staticFiles: ReadonlyArray<readonly [string, string]> = [
  ['src/web/index.html', 'index.html'],
  ['src/web/styles.css', 'styles.css'],
  // uPlot's stylesheet, from the installed package (no CDN at runtime).
  [require.resolve('uplot/dist/uPlot.min.css'), 'uPlot.min.css'],
];

export default defineConfig({
  entry: { app: 'src/web/app.ts' },
  outDir,
  format: ['esm'],
  platform: 'browser',
  target: 'es2022',
  dts: false,
  sourcemap: true,
  minify: true,
  clean: false,
  noExternal: [/.*/],
  async onSuccess() {
    await mkdir(outDir, { recursive: true });
    await Promise.all(staticFiles.map(([from, to]) => copyFile(from, `${outDir}/${to}`)));
  },
});
