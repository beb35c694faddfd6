// `fleet` as users run it: the built dist/cli.js (CI builds before testing) in its own process.
// Help, version, a usage error (2), a configuration error (78), and the README's quick start
// (`fleet demo`): it comes up on the simulators, answers /api/status with data flowing from every
// cloud, and stops cleanly on SIGTERM with exit code 0 (README "The CLI").
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
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
      // Devices show up (DeviceCore, discovery) before their first values (the demo gateways report every 2 s).
      const withValues = async (): Promise<boolean> => {
        const devices = (await (await fetch(`${url}/api/devices`)).json()) as { devices: Array<{ vendor: string; lastValues: object }> };
        return ['comap', 'devicecloud', 'thinq'].every((v) => devices.devices.some((d) => d.vendor === v && Object.keys(d.lastValues).length > 0));
      };
      await expect.poll(withValues, { timeout: 20_000, interval: 250 }).toBe(true);
      // ThinQ Connect energy (read through the package's energy API) shows as a daily Wh value.
      const acEnergy = async (): Promise<unknown> => {
        const devices = (await (await fetch(`${url}/api/devices`)).json()) as { devices: Array<{ id: string; lastValues: Record<string, { value: unknown; unit: unknown }> }> };
        const energy = devices.devices.find((d) => d.id === 'thinq:sim-conn-ac-0001')?.lastValues['energy.dailyUsage'];
        return energy && typeof energy.value === 'number' && energy.value > 0 ? energy.unit : undefined;
      };
      await expect.poll(acEnergy, { timeout: 20_000, interval: 250 }).toBe('Wh');
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

  it('one process per data folder: a second demo exits 75 naming the holder; devices and export go through the running service, then open the folder once it stopped', async () => {
    const data = join(dir, 'locked-data');
    const child = spawn(process.execPath, [cli, 'demo', '--port', '0', '--data-dir', data], { cwd: dir, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.resume();
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (code, signal) => resolve([code, signal])));
    try {
      await expect.poll(() => /fleet: listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(stdout)?.[1], { timeout: 60_000 }).toBeDefined();
      const url = /listening on (\S+)/.exec(stdout)![1]!;
      type Listed = Array<{ id: string; vendor: string; sepl: { registered: boolean } }>;
      const listed = async (): Promise<Listed> => ((await (await fetch(`${url}/api/devices`)).json()) as { devices: Listed }).devices;
      // Registered on SEPL: only the running service knows (the database alone says false).
      await expect.poll(async () => (await listed()).some((d) => d.sepl.registered), { timeout: 40_000, interval: 250 }).toBe(true);

      // The built server refuses a DNS-rebinding request (a foreign name as Host) with 421.
      const rebound = await new Promise<number>((resolve, reject) => {
        request(`${url}/api/status`, { headers: { host: 'evil.example' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end();
      });
      expect(rebound).toBe(421);

      const second = await runCli(cli, ['demo', '--port', '0', '--data-dir', data], { env: cleanEnv(), cwd: dir, timeoutInMs: 30_000 });
      expect(second.code).toBe(75);
      expect(second.stderr).toMatch(
        new RegExp(`^fleet: error: the data folder ${data.replaceAll('/', '\\/')} is in use by process ${child.pid} \\(fleet demo, started \\S+, serving ${url.replaceAll('/', '\\/')}\\); stop it first, or use another --data-dir\\n$`),
      );

      // Through the running service's API: the same devices it serves, the CSV it exports.
      const devices = await runCli(cli, ['devices', '--json', '--data-dir', data], { env: cleanEnv(), cwd: dir, timeoutInMs: 30_000 });
      expect([devices.code, devices.stderr]).toEqual([0, '']);
      const viaCli = (JSON.parse(devices.stdout) as Listed).map((d) => d.id);
      expect((JSON.parse(devices.stdout) as Listed).some((d) => d.sepl.registered)).toBe(true);
      const csvFile = join(dir, 'locked.csv');
      const exported = await runCli(cli, ['export', '--data-dir', data, '--out', csvFile], { env: cleanEnv(), cwd: dir, timeoutInMs: 30_000 });
      expect(exported.code).toBe(0);
      const csv = await readFile(csvFile, 'utf8');
      const rows = csv.split('\r\n').filter((l) => l !== '');
      expect(rows[0]).toBe('timestamp,device_id,vendor,vendor_id,device_name,metric,value,unit');
      expect(rows.length).toBeGreaterThan(1);
      expect(exported.stderr).toMatch(/^fleet: wrote (\d+) readings to /);
      expect(Number(/wrote (\d+)/.exec(exported.stderr)![1])).toBe(rows.length - 1);
      expect(child.exitCode).toBeNull();

      child.kill('SIGTERM');
      expect(await exited).toEqual([0, null]);
      // Stopped: the lock is gone and the CLI opens the database itself, with what the service stored.
      expect(existsSync(join(data, 'fleet.lock'))).toBe(false);
      const after = await runCli(cli, ['devices', '--json', '--data-dir', data], { env: cleanEnv(), cwd: dir, timeoutInMs: 60_000 });
      expect(after.code).toBe(0);
      const direct = JSON.parse(after.stdout) as Listed;
      expect(direct.map((d) => d.id)).toEqual(expect.arrayContaining(viaCli));
      expect(direct.some((d) => d.sepl.registered)).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 180_000);
});
