// The dashboard's browser bundle, served by the fleet service from dist/web.
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { app: 'src/web/app.ts' },
  outDir: 'dist/web',
  format: ['esm'],
  platform: 'browser',
  target: 'es2022',
  dts: false,
  sourcemap: true,
  clean: false,
  noExternal: [/.*/],
});
