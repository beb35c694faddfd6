import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '@x/http-core/cli';
import { afterEach, describe, expect, it } from 'vitest';
import { seplProgram } from './cli/program.js';
import { startSeplSimulator, type SeplSimulator } from './testing/simulator.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** The program in this process: its lines, and a controller standing in for SIGTERM. */
function io(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const controller = new AbortController();
  const sink = (lines: string[]) => {
    let partial = '';
    return {
      write(chunk: string) {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop() ?? '';
        lines.push(...parts);
        return true;
      },
    };
  };
  const stdout = sink(out);
  const stderr = sink(err);
  const main = (argv: string[]) => run(seplProgram(), { argv, env, stdout, stderr, signal: controller.signal });
  return { main, out, err, controller };
}

async function until(check: () => boolean, timeoutInMs = 5000): Promise<void> {
  const end = Date.now() + timeoutInMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function fixture(): Promise<{ sim: SeplSimulator; dir: string; env: Record<string, string> }> {
  const sim = await startSeplSimulator({ users: { cli: 'cli-pw' } });
  cleanup.push(() => sim.close());
  const dir = await mkdtemp(join(tmpdir(), 'sepl-cli-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'devices.json'), JSON.stringify([{ id: 'lamp', type: 'iot#t', name: 'Lamp', tags: { room: 'hall' } }]));
  return { sim, dir, env: { CONNECTOR_LOOKUP_URL: sim.lookupUrl, CONNECTOR_USER: 'cli', CONNECTOR_PASSWORD: 'cli-pw', LOGLEVEL: 'error' } };
}

describe('sepl-connector CLI', () => {
  it('prints help, and a usage error for a missing or unknown command', async () => {
    const t = io();
    expect(await t.main(['--help'])).toBe(0);
    expect(t.out.slice(0, 3)).toEqual(['Usage: sepl-connector <command> [options]', '', 'A SEPL / SENERGY gateway from the command line: run a connector, send events, query averages; and a simulator.']);
    const none = io();
    expect(await none.main([])).toBe(2);
    expect(none.err).toEqual(["sepl-connector: error: missing command for 'sepl-connector'", "Run 'sepl-connector --help' for usage."]);
    const bad = io();
    expect(await bad.main(['fly'])).toBe(2);
    expect(bad.err[0]).toBe("sepl-connector: error: unknown command 'fly' for 'sepl-connector'");
  });

  it('simulate prints one JSON line and stops on abort', async () => {
    const t = io({ CONNECTOR_USER: 'me', CONNECTOR_PASSWORD: 'pw' });
    const done = t.main(['simulate']);
    await until(() => t.out.length === 1);
    const line = JSON.parse(t.out[0]!);
    expect(line).toEqual({
      lookupUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/lookup$/),
      websocketUrl: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+$/),
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/),
      registrationPath: 'discovery',
      user: 'me',
      password: 'pw',
      control: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/control$/),
    });
    expect(await (await fetch(line.lookupUrl)).text()).toBe(line.websocketUrl);
    t.controller.abort();
    expect(await done).toBe(130);
    const bad = io();
    expect(await bad.main(['simulate', '--port', 'x'])).toBe(2);
    expect(bad.err[0]).toBe("sepl-connector: error: --port must be an integer, got 'x'");
  });

  it('run registers the devices, prints commands and answers with the fixed reply', async () => {
    const { sim, dir, env } = await fixture();
    const t = io(env);
    const done = t.main(['run', '--devices', join(dir, 'devices.json'), '--reply', '{"data":"ok"}']);
    await until(() => [...sim.gateways.values()].some((g) => g.committed.has('lamp')));
    const answer = await sim.sendCommand('lamp', 'on', { data: '1' });
    expect(answer['protocol_parts']).toEqual([{ name: 'data', value: 'ok' }]);
    expect(JSON.parse(t.out[0]!)).toMatchObject({ device_url: 'lamp', service_url: 'on', protocol_parts: [{ name: 'data', value: '1' }] });
    t.controller.abort();
    expect(await done).toBe(130);
    expect(JSON.parse(t.err[0]!)).toMatchObject({ ready: true, protocol: 'g2', resynced: true });
  });

  it('run answers from a handler script, over G1', async () => {
    const { sim, dir, env } = await fixture();
    await writeFile(join(dir, 'handler.mjs'), 'export default (command) => ({ body: `handled ${command.service_url}` });\n');
    const t = io(env);
    const done = t.main(['run', '--devices', join(dir, 'devices.json'), '--protocol', 'g1', '--handler', join(dir, 'handler.mjs')]);
    await until(() => sim.registrations.length === 1);
    await until(() => t.err.length > 0);
    const answer = await sim.sendCommand('lamp', 'sepl_get', null);
    expect(answer['protocol_parts']).toEqual([{ name: 'body', value: 'handled sepl_get' }]);
    t.controller.abort();
    expect(await done).toBe(130);
  });

  it('run --store keeps the devices and the gateway id: a second run needs no --devices and no reset', async () => {
    const { sim, dir, env } = await fixture();
    const first = io(env);
    const one = first.main(['run', '--devices', join(dir, 'devices.json'), '--store', join(dir, 'state.json'), '--reply', '{"data":"1"}']);
    await until(() => first.err.some((l) => l.includes('"ready":true')));
    first.controller.abort();
    expect(await one).toBe(130);
    const [gateway] = [...sim.gateways.values()];
    expect(JSON.parse(await readFile(join(dir, 'state.json'), 'utf8'))).toEqual({
      version: 1,
      gatewayId: gateway!.id,
      devices: [{ id: 'lamp', type: 'iot#t', name: 'Lamp', tags: [['room', 'hall']] }],
    });
    const second = io(env);
    const two = second.main(['run', '--store', join(dir, 'state.json'), '--reply', '{"data":"2"}']);
    await until(() => second.err.some((l) => l.includes('"ready":true')));
    expect(JSON.parse(second.err.find((l) => l.includes('"ready":true'))!)).toEqual({ ready: true, protocol: 'g2', gatewayId: gateway!.id, resynced: false });
    expect(sim.gateways.size).toBe(1);
    expect(gateway!.clears).toBe(1);
    const answer = await sim.sendCommand('lamp', 'on', null);
    expect(answer['protocol_parts']).toEqual([{ name: 'data', value: '2' }]);
    second.controller.abort();
    expect(await two).toBe(130);
  });

  it('run rejects bad usage', async () => {
    const { dir, env } = await fixture();
    const cases: Array<[string[], string]> = [
      [['run'], 'run needs --devices devices.json (or --store file.json)'],
      [['run', '--devices', 'x.json', '--reply', '1', '--handler', 'h.mjs'], 'use either --handler or --reply'],
      [['run', '--devices', 'missing.json'], 'cannot read --devices missing.json: ENOENT'],
      [['run', '--devices', join(dir, 'devices.json'), '--reply', '7'], '--reply must be an object of strings, an array of {name, value} or null'],
      [['run', '--devices', join(dir, 'devices.json'), '--protocol', 'g4'], "--protocol must be one of g2, g1, g3, got 'g4'"],
    ];
    for (const [argv, message] of cases) {
      const t = io(env);
      expect(await t.main(argv), argv.join(' ')).toBe(2);
      expect(t.err[0]).toBe(`sepl-connector: error: ${message}`);
    }
    const noUser = io({ CONNECTOR_LOOKUP_URL: 'http://127.0.0.1:1/lookup' });
    expect(await noUser.main(['run', '--devices', join(dir, 'devices.json')])).toBe(78);
    expect(noUser.err[0]).toBe('sepl-connector: error: CONNECTOR_USER is not set');
    const badEnv = io({ CONNECTOR_HTTPS: 'perhaps' });
    expect(await badEnv.main(['run', '--devices', join(dir, 'devices.json')])).toBe(78);
    expect(badEnv.err[0]).toBe('sepl-connector: error: CONNECTOR_HTTPS must be true/false, 1/0, yes/no or on/off');
    const g3Missing = io({ ...env, CONNECTOR_PROTOCOL: 'g3', CONNECTOR_G3_CLIENT_ID: 'cc' });
    expect(await g3Missing.main(['run', '--devices', join(dir, 'devices.json')])).toBe(78);
    expect(g3Missing.err[0]).toBe('sepl-connector: error: --protocol g3 needs CONNECTOR_G3_TOKEN_URL, CONNECTOR_G3_HUB_URL, CONNECTOR_G3_DEVICE_URL, CONNECTOR_G3_MQTT_URL');
    const g3Env = { CONNECTOR_G3_TOKEN_URL: 'http://127.0.0.1:1/t', CONNECTOR_G3_CLIENT_ID: 'cc', CONNECTOR_G3_HUB_URL: 'http://127.0.0.1:1/h', CONNECTOR_G3_DEVICE_URL: 'http://127.0.0.1:1/d', CONNECTOR_G3_MQTT_URL: 'mqtts://127.0.0.1:1' };
    const noCa = io({ ...env, ...g3Env });
    expect(await noCa.main(['run', '--protocol', 'g3', '--devices', join(dir, 'devices.json'), '--ca', join(dir, 'missing.pem')])).toBe(78);
    expect(noCa.err[0]).toBe(`sepl-connector: error: cannot read the CA file ${join(dir, 'missing.pem')}: ENOENT`);
  });

  it('event sends one event; average reads it back', async () => {
    const { sim, dir, env } = await fixture();
    const t = io(env);
    expect(await t.main(['event', 'lamp', 'power', '{"metadata":"","data":"12.5"}', '--devices', join(dir, 'devices.json')])).toBe(0);
    expect(t.out).toEqual(['{"sent":true,"device":"lamp","service":"power"}']);
    expect(sim.events.map((e) => [e.deviceId, e.service, e.parts])).toEqual([
      [
        'lamp',
        'power',
        [
          { name: 'metadata', value: '' },
          { name: 'data', value: '12.5' },
        ],
      ],
    ]);
    const avg = io(env);
    expect(await avg.main(['average', 'lamp', '--granularity', 'hour', '--time-window', '12h'])).toBe(0);
    expect(avg.out).toHaveLength(1);
    expect(JSON.parse(avg.out[0]!)).toEqual({ time_stamp: expect.stringMatching(/T\d\d:00:00\.000Z$/), result: 12.5, data_points: 1 });
    const unknown = io(env);
    expect(await unknown.main(['event', 'ghost', 'power', '{}'])).toBe(1);
    expect(unknown.err[0]).toBe('sepl-connector: error: event request failed with status 400: device not connected [SEPL_REQUEST_FAILED]');
  });

  it('event fails fast when the platform cannot be reached', async () => {
    const { sim, env } = await fixture();
    const t = io({ ...env, CONNECTOR_LOOKUP_URL: `${sim.url}no-lookup-here` });
    expect(await t.main(['event', 'lamp', 'power', '{"data":"1"}'])).toBe(1);
    expect(t.err).toEqual([expect.stringMatching(/^sepl-connector: error: .*404/)]);
    const ws = io(env);
    await sim.close();
    expect(await ws.main(['event', 'lamp', 'power', '{"data":"1"}', '--url', sim.websocketUrl])).toBe(1);
    expect(ws.err[0]).toMatch(/^sepl-connector: error: .*ECONNREFUSED/);
  });

  it('honours every variable end to end: lookup URL, registration path, user and password, LOGLEVEL', async () => {
    const password = 'pw-7f3c-never-printed';
    const sim = await startSeplSimulator({ users: { envy: password }, registrationPath: 'api/register' });
    cleanup.push(() => sim.close());
    const dir = await mkdtemp(join(tmpdir(), 'sepl-cli-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'devices.json'), JSON.stringify({ devices: [{ id: 'lamp', type: 'iot#t', name: 'Lamp' }] }));
    const env = {
      CONNECTOR_LOOKUP_URL: sim.lookupUrl,
      CONNECTOR_DEVICE_REGISTRATION_PATH: '/api/register',
      CONNECTOR_HTTPS: 'false',
      CONNECTOR_USER: 'envy',
      CONNECTOR_PASSWORD: password,
      LOGLEVEL: 'debug',
    };
    const debug = io(env);
    expect(await debug.main(['event', 'lamp', 'power', '{"data":"3"}', '--devices', join(dir, 'devices.json'), '--protocol', 'g1'])).toBe(0);
    expect(sim.registrations).toEqual([{ user: 'envy', devices: [{ id: 'lamp', zway_type: 'iot#t', title: 'Lamp' }], path: '/api/register' }]);
    expect(sim.framesOf('credentials', 'g1').map((f) => f.payload)).toEqual([{ user: 'envy', gid: undefined }]);
    expect(sim.events.map((e) => [e.generation, e.deviceId, e.service])).toEqual([['g1', 'lamp', 'power']]);
    // LOGLEVEL=debug: the connector's and the HTTP layer's lines reach stderr, never the password
    expect(debug.err.some((l) => l.startsWith('[sepl-connector] info ready'))).toBe(true);
    expect(debug.err.some((l) => l.includes('debug'))).toBe(true);
    expect([...debug.err, ...debug.out].filter((l) => l.includes(password))).toEqual([]);
    const quiet = io({ ...env, LOGLEVEL: 'error' });
    expect(await quiet.main(['event', 'lamp', 'power', '{"data":"4"}', '--devices', join(dir, 'devices.json'), '--protocol', 'g1'])).toBe(0);
    expect(quiet.err).toEqual([]);
    // CONNECTOR_HTTPS=true: the looked-up ws: URL becomes wss:, which this plain simulator cannot speak
    const secure = io({ ...env, CONNECTOR_HTTPS: 'true', LOGLEVEL: 'error' });
    const credentials = sim.framesOf('credentials').length;
    expect(await secure.main(['event', 'lamp', 'power', '{"data":"5"}', '--devices', join(dir, 'devices.json'), '--protocol', 'g1'])).toBe(1);
    expect(secure.err.find((l) => l.startsWith('sepl-connector: error:'))).toMatch(/^sepl-connector: error: .*(EPROTO|SSL)/);
    expect(sim.framesOf('credentials')).toHaveLength(credentials);
    expect(sim.events).toHaveLength(2);
    const wrong = io({ ...env, CONNECTOR_PASSWORD: 'nope-not-it', LOGLEVEL: 'debug' });
    expect(await wrong.main(['event', 'lamp', 'power', '{"data":"6"}', '--devices', join(dir, 'devices.json'), '--protocol', 'g1'])).toBe(1);
    expect(wrong.err.at(-1)).toBe('sepl-connector: error: credentials rejected by the registration endpoint (status 401) [SEPL_AUTH]');
    expect(wrong.err.filter((l) => l.includes('nope-not-it'))).toEqual([]);
  });

  it('average and event validate their arguments', async () => {
    const { env } = await fixture();
    const cases: Array<[string[], string]> = [
      [['average'], "missing <device> for 'sepl-connector average'"],
      [['average', 'd', '--granularity', 'decade'], "--granularity must be one of all, second, minute, fifteen_minute, thirty_minute, hour, day, week, month, quarter, year, got 'decade'"],
      [['average', 'd', '--time-window', '3d'], "--time-window must be a positive whole number followed by h, m or s (e.g. '12h')"],
      [['event', 'd', 's'], "missing <parts> for 'sepl-connector event'"],
      [['event', 'd', 's', 'not json'], '<parts> must be JSON: an object of strings, an array of {name, value} or null'],
    ];
    for (const [argv, message] of cases) {
      const t = io(env);
      expect(await t.main(argv), argv.join(' ')).toBe(2);
      expect(t.err[0]).toBe(`sepl-connector: error: ${message}`);
    }
    const noUrl = io({});
    expect(await noUrl.main(['average', 'd'])).toBe(2);
    expect(noUrl.err[0]).toBe('sepl-connector: error: set CONNECTOR_LOOKUP_URL or pass --url with the query service');
  });
});
