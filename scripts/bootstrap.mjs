// Installs the workspace with the pinned pnpm when it is not installed yet, so that `npm test`
// and `npm run demo` work on a fresh machine that has only Node and npm.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const pnpmSpec = pkg.packageManager; // e.g. pnpm@10.34.9
const marker = join(root, 'node_modules', '.modules.yaml');
const lockfile = join(root, 'pnpm-lock.yaml');

const upToDate = existsSync(marker) && statSync(marker).mtimeMs >= statSync(lockfile).mtimeMs;
if (!upToDate) {
  const args = ['-y', pnpmSpec, 'install', '--frozen-lockfile'];
  process.stderr.write(`bootstrap: npx ${args.join(' ')}\n`);
  execFileSync('npx', args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  });
}
