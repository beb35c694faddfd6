import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type CliIo } from './cli-main.js';
import { startThinqSimulator, type ThinqSimulator } from './testing/simulator.js';

// Commands that make RSA-2048 keys (`watch`'s client key pair, `simulate`'s CA in a fresh process)
// take seconds on a busy 2-core machine: generous limits.
const KEYGEN_TIMEOUT = 60_000;

interface Run {
  code: number;
  out: string;
  err: string;
}

function makeIo(env: Record<string, string> = {}, readLine?: (out: string) => Promise<string | undefined>, signal?: AbortSignal): { io: CliIo; result: () => { out: string; err: string } } {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    readLine: () => (readLine ? readLine(out) : Promise.resolve(undefined)),
    env,
    ...(signal ? { signal } : {}),
  };
  return { io, result: () => ({ out, err }) };
}

async function run(argv: string[], env: Record<string, string> = {}, readLine?: (out: string) => Promise<string | undefined>): Promise<Run> {
  const { io, result } = makeIo(env, readLine);
  const code = await main(argv, io);
  return { code, ...result() };
}

describe('thinq CLI (in process, against the simulator)', () => {
  let sim: ThinqSimulator;
  let dir: string;
  let stateFile: string;
  let caFile: string;
  let v1: string[];
  let env: Record<string, string>;
  beforeAll(async () => {
    sim = await startThinqSimulator();
    dir = await mkdtemp(join(tmpdir(), 'thinq-cli-'));
    stateFile = join(dir, 'state.json');
    caFile = join(dir, 'ca.pem');
    await writeFile(caFile, sim.caPem);
    v1 = ['--state', stateFile, '--gateway-url', sim.gatewayUrl, '--interval', '1'];
    env = { THINQ_PAT: sim.pat, THINQ_COUNTRY: 'US', THINQ_CONNECT_URL: sim.connectUrl, THINQ_CLIENT_ID: 'cli-client' };
  }, KEYGEN_TIMEOUT);
  afterAll(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints usage', async () => {
    expect((await run([])).code).toBe(2);
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('simulate [--port N]');
    expect((await run(['--bogus'])).code).toBe(2);
  });

  it('v1: login through the printed URL, then ls, mon, set and config', async () => {
    expect(await run(['ls', ...v1])).toMatchObject({ code: 2, err: 'not logged in: run "thinq login" first\n' });
    const login = await run(['login', ...v1], {}, async (out) => {
      const url = /Log in here: (\S+)/.exec(out)?.[1];
      const res = await fetch(url ?? '', { redirect: 'manual' });
      return res.headers.get('location') ?? undefined;
    });
    expect(login).toMatchObject({ code: 0, out: expect.stringContaining('Logged in; 4 device(s). State saved.') as unknown });
    const saved = JSON.parse(await readFile(stateFile, 'utf8')) as { auth: { refresh_token: string }; gateway: { api_root: string } };
    expect(saved.auth.refresh_token).toBe(sim.v1.refreshToken);
    expect(saved.gateway.api_root).toBe(`${sim.url}/api`);

    const ls = await run(['ls', ...v1]);
    expect(ls.out).toBe(
      [
        'sim-washer-0001: Washer (WASHER SIMWASH_W1)',
        'sim-fridge-0001: Fridge (REFRIGERATOR SIMFRIDGE_R1)',
        'sim-ac-0001: Living room AC (AC SIMAC_A1)',
        'sim-dryer-0001: Dryer (offline) (DRYER SIMDRY_D1)',
        '',
      ].join('\n'),
    );

    const mon = await run(['mon', 'sim-washer-0001', '--count', '1', ...v1]);
    expect(mon.code).toBe(0);
    const line = JSON.parse(mon.out) as { status: Record<string, unknown>; values: Record<string, unknown> };
    expect(line.status).toMatchObject({ course: 'Cotton', remainingTimeInMinutes: 21 });
    expect(line.values.SpinSpeed).toEqual({ value: '3', label: '@WM_OPTION_SPIN_HIGH_W' });
    expect(line.values.Option1).toEqual({ value: '9', bits: { ChildLock: 1, Steam: 1 } });

    expect(await run(['set', 'sim-ac-0001', 'OpMode=@AC_MAIN_OPERATION_MODE_HEAT_W', ...v1])).toMatchObject({ code: 0, out: 'ok\n' });
    expect(sim.v1.device('sim-ac-0001').status.OpMode).toBe('4');
    expect(await run(['set', 'Living room AC', 'TempCfg=26', ...v1])).toMatchObject({ code: 0 });
    expect(sim.v1.device('sim-ac-0001').status.TempCfg).toBe('26');
    expect((await run(['set', 'sim-ac-0001', 'TempCfg=99', ...v1])).code).toBe(2);
    expect((await run(['set', 'sim-ac-0001', 'OpMode=BOGUS', ...v1])).err).toContain('neither a code nor a label');

    expect(await run(['config', 'sim-ac-0001', 'Filter', ...v1])).toMatchObject({ code: 0, out: '{"FilterUse":"1200","FilterLife":"4000"}\n' });
    expect(await run(['config', 'sim-ac-0001', 'SpkVolume', '--control', ...v1])).toMatchObject({ code: 0, out: '"3"\n' });
    expect(await run(['set-temp', 'sim-ac-0001', '75', ...v1])).toMatchObject({ code: 0, out: 'ok\n' });
    expect(sim.v1.device('sim-ac-0001').status.TempCfg).toBe('24');
    expect(await run(['set-temp', 'sim-ac-0001', '21', '--celsius', ...v1])).toMatchObject({ code: 0 });
    expect(sim.v1.device('sim-ac-0001').status.TempCfg).toBe('21');
    expect(await run(['set-temp', 'Fridge', '3', ...v1])).toMatchObject({ code: 0 });
    expect(await run(['set-temp-freezer', 'Fridge', '-20', ...v1])).toMatchObject({ code: 0 });
    expect(sim.v1.device('sim-fridge-0001').status).toMatchObject({ TempRefrigerator: '5', TempFreezer: '7' });
    expect((await run(['set-temp', 'sim-washer-0001', '3', ...v1])).err).toBe('set-temp is not supported for WASHER devices\n');
    expect(await run(['turn', 'sim-ac-0001', 'off', ...v1])).toMatchObject({ code: 0 });
    expect(sim.v1.device('sim-ac-0001').status.Operation).toBe('0');
    expect((await run(['turn', 'sim-ac-0001', 'sideways', ...v1])).code).toBe(2);
    const acConfig = await run(['ac-config', 'sim-ac-0001', ...v1]);
    expect(JSON.parse(acConfig.out)).toEqual({ filter: { FilterUse: '1200', FilterLife: '4000' }, energyTarget: 150, outdoorPower: 0, light: true, volume: 3 });
    const offline = await run(['mon', 'sim-dryer-0001', ...v1]);
    expect(offline).toMatchObject({ code: 1, err: expect.stringContaining('NotConnectedError') as unknown });
    expect((await run(['frobnicate', ...v1])).code).toBe(2);
  });

  it('connect: ls, profile, state, control (validated) and watch', { timeout: KEYGEN_TIMEOUT }, async () => {
    const ls = await run(['ls'], env);
    expect(ls.out.split('\n')[0]).toBe('sim-conn-ac-0001: Bedroom AC (DEVICE_AIR_CONDITIONER SIM_AC_C1)');
    const profile = await run(['profile', 'sim-conn-ac-0001'], env);
    expect((JSON.parse(profile.out) as { notification: unknown }).notification).toEqual({ push: ['FILTER_RESET_REQUIRED', 'HIGH_HUMIDITY'] });
    expect(await run(['control', 'sim-conn-ac-0001', 'temperature.targetTemperature=31'], env)).toMatchObject({
      code: 2,
      err: 'invalid control: temperature.targetTemperature: 31 is outside 16..30\n',
    });
    expect((await run(['control', 'sim-conn-ac-0001', 'airFlow.windStrength="HIGH"', 'powerSave.powerSaveEnabled=true'], env)).code).toBe(0);
    expect((await run(['control', 'sim-conn-ac-0001', '{"temperature":{"targetTemperature":20}}'], env)).code).toBe(0);
    const state = JSON.parse((await run(['state', 'sim-conn-ac-0001'], env)).out) as Record<string, unknown>;
    expect(state).toMatchObject({ airFlow: { windStrength: 'HIGH' }, powerSave: { powerSaveEnabled: true }, temperature: { targetTemperature: 20 } });
    expect(await run(['connect', 'ls'], {})).toMatchObject({ code: 2, err: 'a personal access token is needed: --pat or THINQ_PAT\n' });

    const watchIo = makeIo(env);
    const watching = main(['watch', 'sim-conn-washer-0001', '--count', '2', '--ca', caFile], watchIo.io);
    // "watching" is printed once push has started, i.e. after the broker acknowledged the subscription.
    await waitFor(() => watchIo.result().err.includes('watching 1 device(s)\n'));
    expect(sim.connect.clients.get('cli-client')?.certificates).toBe(1);
    await sim.connect.notify('sim-conn-washer-0001', 'WASHING_IS_COMPLETE');
    await sim.connect.report('sim-conn-washer-0001', { runState: { currentState: 'END' } });
    expect(await watching).toBe(0);
    const w = watchIo.result();
    const events = w.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events[0]).toEqual({ type: 'notification', deviceId: 'sim-conn-washer-0001', deviceType: 'DEVICE_WASHER', pushCode: 'WASHING_IS_COMPLETE' });
    expect(events[1]).toMatchObject({ type: 'status', report: { runState: { currentState: 'END' } } });
    expect(sim.connect.clients.has('cli-client')).toBe(false);
  });

  it('simulate prints one JSON line and stops on abort', { timeout: KEYGEN_TIMEOUT }, async () => {
    const ac = new AbortController();
    const { io, result } = makeIo({}, undefined, ac.signal);
    const done = main(['simulate', '--port', '0'], io);
    await waitFor(() => result().out.includes('\n'));
    const info = JSON.parse(result().out) as Record<string, string>;
    expect(Object.keys(info)).toEqual(['url', 'gatewayUrl', 'connectUrl', 'pat', 'country', 'mqttUrl', 'caFile']);
    expect(info.gatewayUrl).toBe(`${info.url}/api/common/gatewayUriList`);
    expect(existsSync(info.caFile ?? '')).toBe(true);
    const gw = await fetch(info.gatewayUrl ?? '', { method: 'POST', body: JSON.stringify({ lgedmRoot: { countryCode: 'US', langCode: 'en-US' } }), headers: { 'x-thinq-application-key': 'wideq', 'x-thinq-security-key': 'nuts_securitykey' } });
    expect(((await gw.json()) as { lgedmRoot: { thinqUri: string } }).lgedmRoot.thinqUri).toBe(`${info.url}/api`);
    ac.abort();
    expect(await done).toBe(0);
    expect(existsSync(info.caFile ?? '')).toBe(false);
  });
});

async function waitFor(cond: () => boolean, timeoutInMs = 45_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutInMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const cliPath = join(dirname(fileURLToPath(import.meta.url)), '../dist/cli.js');

describe.skipIf(!existsSync(cliPath))('thinq CLI binary', () => {
  it('simulate runs as a process and prints its URLs', { timeout: KEYGEN_TIMEOUT }, async () => {
    const child = spawn(process.execPath, [cliPath, 'simulate'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let buf = '';
        child.stdout.on('data', (d: Buffer) => {
          buf += d.toString();
          if (buf.includes('\n')) resolve(buf.split('\n')[0] ?? '');
        });
        void exited.then((code) => reject(new Error(`exited ${String(code)}`)));
      });
      const info = JSON.parse(line) as Record<string, string>;
      expect(info.country).toBe('US');
      expect(info.pat).toMatch(/^thinqpat_[0-9a-f]{40}$/);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
