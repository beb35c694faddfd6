// `thinq` as users run it: the BUILT binary (dist/cli.js, after `build`) in its own process, against
// `thinq simulate` in another one, driven through the simulator control API. A process that exits
// in the middle of its work (a reconnect wait or a poll wait that held nothing) fails these tests:
// they check what was printed and what the simulator received, not only the exit code.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ControlClient, runCli, startProcess, type StartedProcess } from '@x/http-core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redirectOver } from '../src/https-redirect.test-helper.js';
import { VERSION } from '../src/version.js';

const bin = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
// `simulate` makes the test CA (RSA-2048) and `watch` a client key: seconds on a busy machine.
const SLOW = 90_000;

interface SimLine {
  url: string;
  gatewayUrl: string;
  connectUrl: string;
  pat: string;
  country: string;
  mqttUrl: string;
  control: string;
  caPath: string;
  /** `simulate --tls`: the HTTPS server's CA. */
  tlsCaFile?: string;
}

let sim: StartedProcess<SimLine>;
let control: ControlClient;
let env: Record<string, string>;
let dir: string;

beforeAll(async () => {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: build @x/thinq first (npx turbo run build --filter=@x/thinq...)`);
  sim = await startProcess<SimLine>(process.execPath, [bin, 'simulate'], { timeoutInMs: 60_000 });
  control = new ControlClient(sim.line.control);
  env = { THINQ_PAT: sim.line.pat, THINQ_COUNTRY: sim.line.country, THINQ_CONNECT_URL: sim.line.connectUrl, THINQ_CLIENT_ID: 'process-test' };
  dir = await mkdtemp(join(tmpdir(), 'thinq-process-'));
}, SLOW);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  // SIGTERM ends `simulate` cleanly with the documented code.
  expect(await sim.stop('SIGTERM')).toBe(143);
});

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

/** A long-running command (watch, mon) whose output is read while it runs. */
function launch(args: string[], extraEnv: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

async function waitFor(what: string, cond: () => boolean, running?: Running, timeoutInMs = 60_000): Promise<void> {
  const started = Date.now();
  while (!cond()) {
    if (running && running.child.exitCode !== null) throw new Error(`exited ${running.child.exitCode} before ${what}; stderr: ${running.stderr()}`);
    if (Date.now() - started > timeoutInMs) throw new Error(`timed out waiting for ${what}; stderr: ${running?.stderr() ?? ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const jsonLines = (text: string): Record<string, unknown>[] => text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
const received = async (): Promise<string[]> => ((await control.received()).records as { method: string; path: string }[]).map((r) => `${r.method} ${r.path}`);

/** Logs in to the v1 simulator like a user: the callback URL of the login page is pasted on stdin. */
async function v1Login(stateFile: string, line: SimLine = sim.line): Promise<string[]> {
  const args = ['--state', stateFile, '--gateway-url', line.gatewayUrl];
  const page = new URL('/login/sign_in?client_id=LGAO221A02&svcCode=SVC202', line.url);
  const callback = (await fetch(page, { redirect: 'manual' })).headers.get('location') ?? '';
  const login = await runCli(bin, ['login', ...args], { input: `${callback}\n` });
  expect([login.code, login.stdout.split('\n')[1]]).toEqual([0, 'Logged in; 4 device(s). State saved.']);
  return args;
}

describe('thinq (built binary) against thinq simulate in another process', () => {
  it('control: a multi-request command (profile, then the validated control) prints the answer', async () => {
    await control.clearReceived();
    const r = await runCli(bin, ['control', 'sim-conn-ac-0001', 'temperature.targetTemperature=22'], { env });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(JSON.parse(r.stdout)).toEqual({});
    expect(await received()).toEqual(['GET devices/sim-conn-ac-0001/profile', 'POST devices/sim-conn-ac-0001/control']);
  });

  it('control --location: a WashTower unit is controlled with a payload keyed by it', async () => {
    await control.clearReceived();
    const r = await runCli(bin, ['control', 'sim-conn-washtower-0001', '--location', 'dryer', 'operation.dryerOperationMode="START"'], { env });
    expect([r.code, r.stderr]).toEqual([0, '']);
    const records = (await control.received()).records as { method: string; path: string; body: unknown }[];
    expect(records.at(-1)).toMatchObject({ method: 'POST', path: 'devices/sim-conn-washtower-0001/control', body: { dryer: { operation: { dryerOperationMode: 'START' } } } });
    const bad = await runCli(bin, ['control', 'sim-conn-washtower-0001', 'operation.dryerOperationMode="START"'], { env });
    expect([bad.code, bad.stderr]).toEqual([
      2,
      "thinq: error: invalid control: location: this device has units washer, dryer; key the payload by one of them\nRun 'thinq control --help' for usage.\n",
    ]);
  });

  it('energy: daily usage as JSON; a range ending after today is a usage error', async () => {
    const today = new Date().toISOString().slice(0, 10).replaceAll('-', '');
    const r = await runCli(bin, ['energy', 'sim-conn-ac-0001', '--from', today, '--to', today], { env });
    expect([r.code, r.stderr]).toEqual([0, '']);
    const usage = JSON.parse(r.stdout) as { property: string; period: string; entries: { date: string; value: number }[] };
    expect([usage.property, usage.period, usage.entries.map((e) => e.date)]).toEqual(['energyUsage', 'DAILY', [today]]);
    const bad = await runCli(bin, ['energy', 'sim-conn-ac-0001', '--from', '20990101', '--to', '20990102'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^thinq: error: --to must not be after today \(\d{8}\)/);
  });

  it('connect ls: the first request gets a 503 (Retry-After: 1), is retried, and the list is printed', async () => {
    await control.clearReceived();
    await control.addFault({ kind: 'status', status: 503, retryAfterSeconds: 1, method: 'GET', path: '/connect/devices' });
    const started = Date.now();
    const r = await runCli(bin, ['connect', 'ls'], { env });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout.split('\n')[0]).toBe('sim-conn-ac-0001: Bedroom AC (DEVICE_AIR_CONDITIONER SIM_AC_C1)');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(await control.faults()).toEqual([]);
    expect(await received()).toEqual(['GET devices']);
  });

  it('v1 ls after a login: the device list call gets a 503, is retried, and the list is printed', async () => {
    const args = await v1Login(join(dir, 'ls-state.json'));
    await control.addFault({ kind: 'status', status: 503, method: 'POST', path: '/api/device/deviceList' });
    const r = await runCli(bin, ['v1', 'ls', ...args]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout.split('\n')).toEqual([
      'sim-washer-0001: Washer (WASHER SIMWASH_W1)',
      'sim-fridge-0001: Fridge (REFRIGERATOR SIMFRIDGE_R1)',
      'sim-ac-0001: Living room AC (AC SIMAC_A1)',
      'sim-dryer-0001: Dryer (offline) (DRYER SIMDRY_D1)',
      '',
    ]);
    expect(await control.faults()).toEqual([]);
  });

  it('connect watch outlives a dropped broker connection, prints an event pushed after the reconnect, and ends on SIGINT with 130', { timeout: SLOW }, async () => {
    await control.clearReceived();
    const watch = launch(['connect', 'watch', 'sim-conn-washer-0001', '--ca', sim.line.caPath], env);
    try {
      await waitFor('watching', () => watch.stderr().includes('watching 1 device(s)\n'), watch);
      await control.push({ deviceId: 'sim-conn-washer-0001', pushCode: 'WASHING_IS_COMPLETE' });
      await waitFor('the first event', () => watch.stdout().includes('WASHING_IS_COMPLETE'), watch);

      expect(await control.dropConnections()).toBe(1);
      await waitFor('the reconnect', () => watch.stderr().includes('reconnected\n'), watch);
      expect(watch.stderr()).toMatch(/reconnecting \(attempt 1\) in \d+ ms/);
      await control.push({ deviceId: 'sim-conn-washer-0001', report: { runState: { currentState: 'END' } } });
      await waitFor('the event after the reconnect', () => watch.stdout().includes('"END"'), watch);

      watch.child.kill('SIGINT');
      expect(await watch.exit).toBe(130);
      // MQTT QoS 1 may deliver a message twice around a reconnect: compare distinct events.
      const events = [...new Set(jsonLines(watch.stdout()).map((e) => JSON.stringify(e)))].map((e) => JSON.parse(e) as unknown);
      expect(events).toEqual([
        { type: 'notification', deviceId: 'sim-conn-washer-0001', deviceType: 'DEVICE_WASHER', pushCode: 'WASHING_IS_COMPLETE' },
        expect.objectContaining({ type: 'status', deviceId: 'sim-conn-washer-0001', report: { runState: { currentState: 'END' } } }),
      ]);
      const requests = await received();
      // One certificate, reused by the reconnect; the clean exit unsubscribes and unregisters.
      expect(requests.filter((r) => r === 'POST client/certificate')).toHaveLength(1);
      expect(requests.slice(-3)).toEqual(['DELETE push/sim-conn-washer-0001/unsubscribe', 'DELETE event/sim-conn-washer-0001/unsubscribe', 'DELETE client']);
    } finally {
      if (watch.child.exitCode === null) watch.child.kill('SIGKILL');
    }
  });

  it('mon prints its first frame (after the warm-up polls) and ends on SIGINT with 130', { timeout: SLOW }, async () => {
    const args = await v1Login(join(dir, 'mon-state.json'));
    const mon = launch(['mon', 'sim-washer-0001', '--interval', '200ms', ...args]);
    try {
      await waitFor('the first frame', () => mon.stdout().includes('\n'), mon);
      const [frame] = jsonLines(mon.stdout());
      expect(frame).toMatchObject({ deviceId: 'sim-washer-0001', status: { course: 'Cotton', remainingTimeInMinutes: 21 } });
      mon.child.kill('SIGINT');
      expect(await mon.exit).toBe(130);
      expect(mon.stderr()).toBe('');
    } finally {
      if (mon.child.exitCode === null) mon.child.kill('SIGKILL');
    }
  });

  it('state --words and mon --words print values in words (mon with the lang packs the simulator serves)', { timeout: SLOW }, async () => {
    const state = await runCli(bin, ['state', 'sim-conn-ac-0001', '--words'], { env });
    expect(state.code).toBe(0);
    expect(state.stdout.split('\n')).toContain('Mode: Cool');
    const args = await v1Login(join(dir, 'words-state.json'));
    const mon = await runCli(bin, ['mon', 'sim-washer-0001', '--interval', '200ms', '--count', '1', '--words', ...args]);
    expect(mon.code).toBe(0);
    const [frame] = jsonLines(mon.stdout);
    expect((frame?.display as unknown[]).slice(0, 1)).toEqual([{ label: 'Status', value: 'Rinsing now' }]);
  });

  it('simulate --tls: mon --words --ca reads the lang packs over TLS with that CA', { timeout: SLOW }, async () => {
    const tlsSim = await startProcess<SimLine>(process.execPath, [bin, 'simulate', '--tls'], { timeoutInMs: 60_000 });
    try {
      const ca = ['--ca', tlsSim.line.tlsCaFile ?? ''];
      const state = join(dir, 'tls-state.json');
      const page = new URL('/login/sign_in?client_id=LGAO221A02&svcCode=SVC202', tlsSim.line.url);
      expect(page.protocol).toBe('https:');
      const callback = await redirectOver(page.href, await readFile(tlsSim.line.tlsCaFile ?? '', 'utf8'));
      const done = await runCli(bin, ['login', '--state', state, '--gateway-url', tlsSim.line.gatewayUrl, ...ca], { input: `${callback}\n` });
      expect(done.code).toBe(0);
      const mon = await runCli(bin, ['mon', 'sim-washer-0001', '--interval', '200ms', '--count', '1', '--words', '--state', state, '--gateway-url', tlsSim.line.gatewayUrl, ...ca]);
      expect([mon.code, mon.stderr]).toEqual([0, '']);
      const [frame] = jsonLines(mon.stdout);
      // the washer's lang pack word (the built-in one differs)
      expect((frame?.display as unknown[]).slice(0, 1)).toEqual([{ label: 'Status', value: 'Rinsing now' }]);
    } finally {
      expect(await tlsSim.stop('SIGTERM')).toBe(143);
    }
  });

  it('simulate --monitor-type XML: mon decodes the XML frames the v1 washer sends like its binary ones', { timeout: SLOW }, async () => {
    const xmlSim = await startProcess<SimLine>(process.execPath, [bin, 'simulate', '--monitor-type', 'XML'], { timeoutInMs: 60_000 });
    try {
      const args = await v1Login(join(dir, 'xml-state.json'), xmlSim.line);
      const mon = await runCli(bin, ['mon', 'sim-washer-0001', '--interval', '200ms', '--count', '1', ...args]);
      expect(mon.code).toBe(0);
      const [frame] = jsonLines(mon.stdout);
      expect(frame).toMatchObject({ deviceId: 'sim-washer-0001', status: { state: 'RINSING', course: 'Cotton', remainingTimeInMinutes: 21 } });
      const bad = await runCli(bin, ['simulate', '--monitor-type', 'CSV']);
      expect(bad.code).toBe(2);
    } finally {
      expect(await xmlSim.stop('SIGTERM')).toBe(143);
    }
  });

  it('usage errors exit 2 with the program prefix; --help and --version exit 0', async () => {
    const missing = await runCli(bin, ['mon']);
    expect([missing.code, missing.stdout]).toEqual([2, '']);
    expect(missing.stderr.startsWith('thinq: error: ')).toBe(true);
    expect(missing.stderr).toContain("Run 'thinq mon --help' for usage.");
    const unknown = await runCli(bin, ['ls', '--bogus']);
    expect([unknown.code, unknown.stderr.split('\n')[0]]).toEqual([2, "thinq: error: unknown option --bogus for 'thinq ls'"]);
    const badNumber = await runCli(bin, ['watch', '--count', 'many'], { env });
    expect([badNumber.code, badNumber.stderr.startsWith('thinq: error: ')]).toEqual([2, true]);
    const help = await runCli(bin, ['--help']);
    expect(help.code).toBe(0);
    for (const command of ['simulate', 'login', 'mon', 'watch', 'control', 'connect ls', 'v1 ls']) expect(help.stdout).toContain(command);
    const watchHelp = await runCli(bin, ['connect', 'watch', '--help']);
    expect([watchHelp.code, watchHelp.stdout.includes('--ca'), watchHelp.stdout.includes('--count')]).toEqual([0, true, true]);
    const version = await runCli(bin, ['--version']);
    expect([version.code, version.stdout]).toEqual([0, `${VERSION}\n`]);
  });
});
