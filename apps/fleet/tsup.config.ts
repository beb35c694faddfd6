import { defineConfig } from 'tsup';

export default defineConfig({
  // The throw-away PostgreSQL cluster is built too: the benchmarks (bench/) start one when no DATABASE_URL is given.
  entry: { cli: 'src/cli.ts', index: 'src/index.ts', 'postgres-cluster': 'src/test-support/postgres-cluster.ts' },
  format: ['esm'],
  dts: false,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
});
