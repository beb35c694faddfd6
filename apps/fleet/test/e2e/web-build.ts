// Makes sure dist/web holds a build of the current page sources before a browser test serves it.
// CI builds first (`npm test` runs the turbo build), so there this only checks; locally it
// rebuilds when a file under src/web is newer than the bundle. Test files run in parallel
// workers, so the build is serialized with a lock directory.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, rmdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { webDistDir } from './browser.js';

const appRoot = join(webDistDir, '..', '..');
const webSrcDir = join(appRoot, 'src', 'web');
const outputs = ['app.js', 'index.html', 'styles.css', 'uPlot.min.css'].map((f) => join(webDistDir, f));

function newestSource(): number {
  return Math.max(
    statSync(join(appRoot, 'tsup.web.config.ts')).mtimeMs,
    ...readdirSync(webSrcDir)
      .filter((f) => !f.endsWith('.test.ts'))
      .map((f) => statSync(join(webSrcDir, f)).mtimeMs),
  );
}

function isFresh(): boolean {
  if (!outputs.every((f) => existsSync(f))) return false;
  const oldestOutput = Math.min(...outputs.map((f) => statSync(f).mtimeMs));
  return oldestOutput >= newestSource();
}

export async function ensureWebBuilt(): Promise<void> {
  if (isFresh()) return;
  const lock = join(appRoot, 'dist', '.web-build.lock');
  await mkdir(dirname(lock), { recursive: true });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock} (remove it if no build is running)`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    if (isFresh()) return;
    const tsupCli = join(dirname(createRequire(import.meta.url).resolve('tsup/package.json')), 'dist', 'cli-default.js');
    await promisify(execFile)(process.execPath, [tsupCli, '--config', 'tsup.web.config.ts'], { cwd: appRoot });
    if (!isFresh()) throw new Error(`the dashboard build did not produce ${outputs.join(', ')}`);
  } finally {
    await rmdir(lock);
  }
}
