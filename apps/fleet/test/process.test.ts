// `fleet` as users run it: the built dist/cli.js (CI builds before testing) in its own process.
// Help, version, a usage error (2), a configuration error (78), and the README's quick start
// (`fleet demo`): it comes up on the simulators, answers /api/status with data flowing from every
// cloud, and stops cleanly on SIGTERM with exit code 0 (README "The CLI"). `fleet start` bridges
// to SEPL G3 (today's SENERGY), configured by SEPL_* variables, against `sepl-connector simulate
// --protocol g3` and `comap simulate` in processes of their own.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ControlClient, runCli, startProcess, type StartedProcess } from '@x/http-core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const seplCli = fileURLToPath(new URL('../../../packages/sepl-connector/dist/cli.js', import.meta.url));
const comapCli = fileURLToPath(new URL('../../../packages/comap/dist/cli.js', import.meta.url));

/** The test process's environment without any fleet or vendor setting (they would change what runs). */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(FLEET_|DATABASE_URL|COMAP_|DEVICECLOUD_|THINQ_|SEPL_|DEBUG$)/.test(k)) env[k] = v;
  return env;
}

/** What `sepl-connector simulate --protocol g3` and `comap simulate` print. */
type SeplLine = { tokenUrl: string; hubUrl: string; deviceUrl: string; mqttUrl: string; clientId: string; user: string; password: string; control: string; caPath: string };
type ComapLine = { url: string; key: string; clientId: string; secret: string; loginId: string };
/** A record the G3 simulator's control API lists: a REST request, or an MQTT event or command response. */
type Received = { method?: string; path?: string; status?: number; body?: { device_local_ids?: string[] }; kind?: string; deviceId?: string; serviceId?: string; payload?: unknown };

/** Spawns `fleet start` with ComAp from a config file and SEPL G3 from the environment (the CA as the simulator's CA file path). */
async function spawnG3Fleet(sepl: SeplLine, comap: ComapLine, dir: string) {
  const config = join(dir, 'g3.config.json');
  const { url, key, clientId, secret, loginId } = comap;
  await writeFile(config, JSON.stringify({ comap: { loginId, clientId, secret, key, baseUrl: url, pollIntervalInMs: 1000 } }));
  const env = {
    ...cleanEnv(),
    FLEET_CONFIG: config,
    SEPL_PROTOCOL: 'g3',
    SEPL_USER: sepl.user,
    SEPL_PASSWORD: sepl.password,
    SEPL_G3_TOKEN_URL: sepl.tokenUrl,
    SEPL_G3_CLIENT_ID: sepl.clientId,
    SEPL_G3_HUB_URL: sepl.hubUrl,
    SEPL_G3_DEVICE_URL: sepl.deviceUrl,
    SEPL_G3_MQTT_URL: sepl.mqttUrl,
    SEPL_G3_CA: sepl.caPath,
    SEPL_G3_HUB_NAME: 'fleet process test',
  };
  const proc = spawn(process.execPath, [cli, 'start', '--port', '0', '--data-dir', 'memory://'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  proc.stdout.on('data', (c: Buffer) => (output.stdout += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (output.stderr += c.toString()));
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => proc.on('exit', (code, signal) => resolve([code, signal])));
  const listening = (): string | undefined => /fleet: listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(output.stdout)?.[1];
  return { proc, output, exited, listening };
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
  it('start bridges to SEPL G3 (SEPL_PROTOCOL, SEPL_G3_*, the CA by path) against `sepl-connector simulate --protocol g3` in another process: devices registered, readings arrive as events, a platform command is answered; SIGTERM stops it with 0', async () => {
    const simulators: StartedProcess[] = [];
    let proc: ReturnType<typeof spawn> | undefined;
    try {
      const sepl = await startProcess<SeplLine>(process.execPath, [seplCli, 'simulate', '--protocol', 'g3'], { env: cleanEnv(), cwd: dir, timeoutInMs: 30_000 });
      simulators.push(sepl);
      const comap = await startProcess<ComapLine>(process.execPath, [comapCli, 'simulate', '--units', '2', '--no-rate-limit', '--no-token-limit'], { env: cleanEnv(), cwd: dir, timeoutInMs: 30_000 });
      simulators.push(comap);
      const fleet = await spawnG3Fleet(sepl.line, comap.line, dir);
      proc = fleet.proc;
      const { output, exited } = fleet;
      await expect.poll(fleet.listening, { timeout: 40_000 }).toBeDefined();
      const url = fleet.listening()!;
      type Status = { demo: boolean; sepl: { state: string; devicesRegistered: number; commandsReceived: number } };
      const status = async (): Promise<Status> => (await (await fetch(`${url}/api/status`)).json()) as Status;
      type Listed = Array<{ id: string; vendor: string; sepl: { registered: boolean } }>;
      const listed = async (): Promise<Listed> => ((await (await fetch(`${url}/api/devices`)).json()) as { devices: Listed }).devices;
      const control = new ControlClient(sepl.line.control);
      const received = async (): Promise<Received[]> => (await control.received({ limit: 1000 })).records as Received[];

      // Both gensets registered: the fleet says so, and the platform's hub lists them.
      await expect.poll(async () => (await status()).sepl.devicesRegistered, { timeout: 40_000, interval: 250 }).toBe(2);
      const devices = await listed();
      const ids = devices.map((d) => d.id).sort();
      expect(devices.map((d) => [d.vendor, d.sepl.registered])).toEqual([['comap', true], ['comap', true]]);
      expect([(await status()).demo, (await status()).sepl.state]).toEqual([false, 'connected']);
      const hubWrites = (await received()).filter((r) => r.method === 'PUT' && r.path?.startsWith('/hubs/') === true && r.status === 200);
      expect(hubWrites.at(-1)?.body?.device_local_ids?.slice().sort()).toEqual(ids);

      // The platform sends `start` to a genset: the fleet runs it on ComAp and answers once, with the record.
      const { correlationId } = (await control.push({ device: ids[0], service: 'start', data: '{}' })) as { correlationId: string };
      const answers = async (): Promise<Received[]> =>
        (await received()).filter((r) => r.kind === 'response' && (r.payload as { correlation_id: string }).correlation_id === correlationId);
      await expect.poll(async () => (await answers()).length, { timeout: 30_000, interval: 250 }).toBe(1);
      const answer = (await answers())[0]!;
      expect([answer.deviceId, answer.serviceId]).toEqual([ids[0], 'start']);
      const record = JSON.parse((answer.payload as { payload: { data: string } }).payload.data) as Record<string, unknown>;
      expect(record).toMatchObject({ deviceId: ids[0], command: 'start', source: 'sepl', status: 'ok', error: null });
      expect((await status()).sepl.commandsReceived).toBe(1);

      // The start changes the genset's values: the next poll's readings reach the platform as MQTT
      // events {metadata, data} (readings from before the registration were not bridged, and
      // unchanged values are stored again only after minutes).
      const event = async (): Promise<Received | undefined> => (await received()).find((r) => r.kind === 'event');
      await expect.poll(event, { timeout: 30_000, interval: 250 }).toBeDefined();
      const first = (await event())!;
      expect(ids).toContain(first.deviceId);
      const payload = first.payload as { metadata: string; data: unknown };
      expect(Object.keys(JSON.parse(payload.metadata) as object).sort()).toEqual(['time', 'unit']);
      expect(typeof payload.data).toBe('string');

      expect(proc.exitCode).toBeNull();
      proc.kill('SIGTERM');
      expect(await exited).toEqual([0, null]);
      expect(output.stderr).toContain('fleet: stopping\n');
      expect(output.stderr).not.toContain('fleet: error:');
    } finally {
      if (proc && proc.exitCode === null) proc.kill('SIGKILL');
      for (const sim of simulators.reverse()) await sim.stop();
    }
  }, 180_000);
});
