// The README's first quick-start command as a real process: `node dist/cli.js demo` (CI builds
// before testing) comes up on the simulators, data flows within seconds, SIGTERM stops it cleanly.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

describe.skipIf(!existsSync(cli) && process.env.CI !== 'true')('fleet demo as a process', () => {
  it('prints the URL, serves data from all simulators within seconds, and stops on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fleet-proc-'));
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(FLEET_|DATABASE_URL|COMAP_|DEVICECLOUD_|THINQ_|SEPL_)/.test(k)) env[k] = v;
    const child = spawn(process.execPath, [cli, 'demo', '--port', '0', '--data-dir', 'memory://'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await expect.poll(() => /fleet: listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(stdout)?.[1], { timeout: 40_000 }).toBeDefined();
      const url = /listening on (\S+)/.exec(stdout)![1]!;
      await expect
        .poll(
          async () => {
            const body = (await (await fetch(`${url}/api/devices`)).json()) as { devices: Array<{ vendor: string; lastValues: object }> };
            return ['comap', 'devicecloud', 'thinq'].every((v) => body.devices.some((d) => d.vendor === v && Object.keys(d.lastValues).length > 0));
          },
          { timeout: 30_000, interval: 250 },
        )
        .toBe(true);
      const status = (await (await fetch(`${url}/api/status`)).json()) as { demo: boolean; sepl: { state: string } };
      expect(status.demo).toBe(true);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr).toContain('fleet: stopping');
      expect(stdout).toBe(`fleet: listening on ${url}\n`);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
