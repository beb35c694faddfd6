// `fleet` as users run it: the built dist/cli.js (CI builds before testing) in its own process.
// Help, version, a usage error (2), a configuration error (78), and the README's quick start
// (`fleet demo`): it comes up on the simulators, answers /api/status with data flowing from every
// cloud, and stops cleanly on SIGTERM with exit code 0 (README "The CLI").
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '@x/http-core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** The test process's environment without any fleet or vendor setting (they would change what runs). */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(FLEET_|DATABASE_URL|COMAP_|DEVICECLOUD_|THINQ_|SEPL_|DEBUG$)/.test(k)) env[k] = v;
  return env;
}

describe.skipIf(!existsSync(cli) && process.env.CI !== 'true')('fleet as a process', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fleet-proc-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints help for the program and every command, and the version (exit 0)', async () => {
    const help = await runCli(cli, ['--help'], { env: cleanEnv(), cwd: dir });
    expect([help.code, help.stderr]).toEqual([0, '']);
    expect(help.stdout).toMatch(/^Usage: fleet <command> \[options\]\n\nOne service over ComAp/);
    for (const command of ['start', 'demo', 'devices', 'export', 'backfill']) expect(help.stdout).toContain(`  ${command} `);
    for (const command of ['start', 'demo', 'devices', 'export', 'backfill']) {
      const sub = await runCli(cli, [command, '--help'], { env: cleanEnv(), cwd: dir });
      expect([sub.code, sub.stderr]).toEqual([0, '']);
      expect(sub.stdout).toContain(`fleet ${command}`);
    }
    expect(await runCli(cli, ['--version'], { env: cleanEnv(), cwd: dir })).toEqual({ code: 0, signal: null, stdout: '0.1.0\n', stderr: '' });
  }, 60_000);

  it('exits 2 on a usage error, with the fleet: error: prefix and a hint', async () => {
    expect(await runCli(cli, ['demo', '--port', 'eighty'], { env: cleanEnv(), cwd: dir })).toEqual({
      code: 2,
      signal: null,
      stdout: '',
      stderr: "fleet: error: --port must be an integer, got 'eighty'\nRun 'fleet demo --help' for usage.\n",
    });
    const unknown = await runCli(cli, ['frobnicate'], { env: cleanEnv(), cwd: dir });
    expect([unknown.code, unknown.stderr]).toEqual([2, "fleet: error: unknown command 'frobnicate' for 'fleet'\nRun 'fleet --help' for usage.\n"]);
  }, 30_000);

  it('exits 78 on a configuration error, naming every problem and no secret', async () => {
    const env = { ...cleanEnv(), FLEET_PORT: 'abc', SEPL_PASSWORD: 'process-secret-value-9' };
    const result = await runCli(cli, ['start'], { env, cwd: dir });
    expect(result).toEqual({
      code: 78,
      signal: null,
      stdout: '',
      stderr:
        'fleet: error: invalid configuration (environment):\n' +
        '  - server.port: expected an integer from 0 to 65535, got "abc"\n' +
        '  - sepl: needs url (ws:// or wss://) or lookupUrl\n' +
        '  - sepl.user: required\n',
    });
  }, 30_000);

  it('runs the demo in its own process: /api/status answers with data from every cloud; SIGTERM stops it with 0', async () => {
    const child = spawn(process.execPath, [cli, 'demo', '--port', '0', '--data-dir', 'memory://'], { cwd: dir, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (code, signal) => resolve([code, signal])));
    try {
      await expect.poll(() => /fleet: listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(stdout)?.[1], { timeout: 40_000 }).toBeDefined();
      const url = /listening on (\S+)/.exec(stdout)![1]!;
      type Status = { demo: boolean; vendors: Record<string, { state: string; devices: number }>; sepl: { state: string } };
      const status = async (): Promise<Status> => (await (await fetch(`${url}/api/status`)).json()) as Status;
      await expect
        .poll(async () => Object.values((await status()).vendors).map((v) => v.state === 'connected' && v.devices > 0), { timeout: 40_000, interval: 250 })
        .toEqual([true, true, true]);
      const body = await status();
      expect(body.demo).toBe(true);
      expect(Object.keys(body.vendors)).toEqual(['comap', 'devicecloud', 'thinq']);
      const devices = (await (await fetch(`${url}/api/devices`)).json()) as { devices: Array<{ vendor: string; lastValues: object }> };
      expect(['comap', 'devicecloud', 'thinq'].every((v) => devices.devices.some((d) => d.vendor === v && Object.keys(d.lastValues).length > 0))).toBe(true);
      // Still running after the checks: a process that exits early fails here, not only on its code.
      expect(child.exitCode).toBeNull();
      child.kill('SIGTERM');
      expect(await exited).toEqual([0, null]);
      expect(stderr).toContain('fleet: stopping\n');
      expect(stderr).not.toContain('fleet: error:');
      expect(stdout).toBe(`fleet: listening on ${url}\n`);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 120_000);
});
