import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as runProgram } from '@x/http-core/cli';
import { thinqProgram } from './program.js';
import type { ReadLine } from './v1-commands.js';
import { startThinqSimulator, type ThinqSimulator } from '../testing/simulator.js';

// Commands that make RSA-2048 keys (`watch`'s client key pair, `simulate`'s CA in a fresh process)
// take seconds on a busy 2-core machine: generous limits.
const KEYGEN_TIMEOUT = 60_000;

interface Run {
  code: number;
  out: string;
  err: string;
}

/** Starts the program in this process; `result()` reads what it printed so far. */
function start(argv: string[], env: Record<string, string> = {}, readLine?: (out: string) => Promise<string | undefined>, signal?: AbortSignal): { done: Promise<number>; result: () => { out: string; err: string } } {
  let out = '';
  let err = '';
  const lines: ReadLine = () => (readLine ? readLine(out) : Promise.resolve(undefined));
  const done = runProgram(thinqProgram({ readLine: lines }), {
    argv,
    env,
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    ...(signal ? { signal } : {}),
  });
  return { done, result: () => ({ out, err }) };
}

async function run(argv: string[], env: Record<string, string> = {}, readLine?: (out: string) => Promise<string | undefined>): Promise<Run> {
  const { done, result } = start(argv, env, readLine);
  const code = await done;
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
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['simulate', 'login', 'mon', 'set-temp-freezer', 'ac-config', 'profile', 'control', 'watch', 'v1 ls', 'connect ls']) expect(help.out).toContain(command);
    expect((await run(['--bogus'])).code).toBe(2);
    const mon = await run(['mon', '--help']);
    expect([mon.code, mon.out.includes('--interval'), mon.out.includes('--count')]).toEqual([0, true, true]);
  });

  it('v1: login through the printed URL, then ls, mon, set and config', async () => {
    expect(await run(['ls', ...v1])).toMatchObject({ code: 78, err: 'thinq: error: not logged in: run "thinq login" first\n' });
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
    // --words: each value in words; the washer's lang packs (served by the simulator) win over the built-in words.
    const worded = JSON.parse((await run(['mon', 'sim-washer-0001', '--count', '1', '--words', ...v1])).out) as { display: { label: string; value: string }[] };
    expect(worded.display.slice(0, 3)).toEqual([
      { label: 'Status', value: 'Rinsing now' },
      { label: 'Remaining hours', value: '0' },
      { label: 'Remaining minutes', value: '21' },
    ]);
    expect(worded.display).toContainEqual({ label: 'Spin speed', value: 'Spin: high' });

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
    expect((await run(['set-temp', 'sim-washer-0001', '3', ...v1])).err).toContain('thinq: error: set-temp is not supported for WASHER devices\n');
    expect(await run(['turn', 'sim-ac-0001', 'off', ...v1])).toMatchObject({ code: 0 });
    expect(sim.v1.device('sim-ac-0001').status.Operation).toBe('0');
    expect((await run(['turn', 'sim-ac-0001', 'sideways', ...v1])).code).toBe(2);
    const acConfig = await run(['ac-config', 'sim-ac-0001', ...v1]);
    expect(JSON.parse(acConfig.out)).toEqual({ filter: { FilterUse: '1200', FilterLife: '4000' }, energyTarget: 150, outdoorPower: 0, light: true, volume: 3 });
    // An offline device: the monitor session keeps retrying with backoff (and says so) until interrupted.
    const stop = new AbortController();
    const offline = start(['mon', 'sim-dryer-0001', ...v1], {}, undefined, stop.signal);
    await waitFor(() => offline.result().err.includes('monitor restarting (attempt 1)'));
    stop.abort();
    expect(await offline.done).toBe(130);
    expect(offline.result()).toMatchObject({ out: '', err: expect.stringContaining('ThinQ API error 0106: Device not connected') as unknown });
    expect((await run(['frobnicate', ...v1])).code).toBe(2);
  });

  it('connect: ls, profile, state, control (validated) and watch', { timeout: KEYGEN_TIMEOUT }, async () => {
    const ls = await run(['ls'], env);
    expect(ls.out.split('\n')[0]).toBe('sim-conn-ac-0001: Bedroom AC (DEVICE_AIR_CONDITIONER SIM_AC_C1)');
    const profile = await run(['profile', 'sim-conn-ac-0001'], env);
    expect((JSON.parse(profile.out) as { notification: unknown }).notification).toEqual({ push: ['FILTER_RESET_REQUIRED', 'HIGH_HUMIDITY'] });
    expect(await run(['control', 'sim-conn-ac-0001', 'temperature.targetTemperature=31'], env)).toMatchObject({
      code: 2,
      err: expect.stringContaining('thinq: error: invalid control: temperature.targetTemperature: 31 is outside 16..30\n') as unknown,
    });
    expect((await run(['control', 'sim-conn-ac-0001', 'airFlow.windStrength="HIGH"', 'powerSave.powerSaveEnabled=true'], env)).code).toBe(0);
    expect((await run(['control', 'sim-conn-ac-0001', '{"temperature":{"targetTemperature":20}}'], env)).code).toBe(0);
    const state = JSON.parse((await run(['state', 'sim-conn-ac-0001'], env)).out) as Record<string, unknown>;
    expect(state).toMatchObject({ airFlow: { windStrength: 'HIGH' }, powerSave: { powerSaveEnabled: true }, temperature: { targetTemperature: 20 } });
    const words = (await run(['state', 'sim-conn-ac-0001', '--words'], env)).out.split('\n');
    expect(words).toContain('Fan speed: High');
    expect(words).toContain('Power saving: On');
    expect(words).toContain('Target temperature: 20 °C');
    expect(await run(['connect', 'ls'], {})).toMatchObject({ code: 78, err: 'thinq: error: no ThinQ Connect PAT given: pass --pat or set THINQ_PAT\n' });

    const watchIo = start(['watch', 'sim-conn-washer-0001', '--count', '2', '--ca', caFile], env);
    const watching = watchIo.done;
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
    const { done, result } = start(['simulate', '--port', '0'], {}, undefined, ac.signal);
    await waitFor(() => result().out.includes('\n'));
    const info = JSON.parse(result().out) as Record<string, string>;
    expect(Object.keys(info)).toEqual(['url', 'gatewayUrl', 'connectUrl', 'pat', 'country', 'mqttUrl', 'caFile', 'control', 'caPath']);
    expect([info.control, info.caPath]).toEqual([`${info.url}/control`, info.caFile]);
    expect(info.gatewayUrl).toBe(`${info.url}/api/common/gatewayUriList`);
    expect(existsSync(info.caFile ?? '')).toBe(true);
    const gw = await fetch(info.gatewayUrl ?? '', { method: 'POST', body: JSON.stringify({ lgedmRoot: { countryCode: 'US', langCode: 'en-US' } }), headers: { 'x-thinq-application-key': 'wideq', 'x-thinq-security-key': 'nuts_securitykey' } });
    expect(((await gw.json()) as { lgedmRoot: { thinqUri: string } }).lgedmRoot.thinqUri).toBe(`${info.url}/api`);
    ac.abort();
    expect(await done).toBe(130);
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
