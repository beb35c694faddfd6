import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { main, type CliIo } from './cli-main.js';
import { testCertificate } from '@x/http-core/testing';
import { startSeplSimulator, type SeplSimulator } from './testing/simulator.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function io(env: Record<string, string> = {}, cwd = process.cwd()) {
  const out: string[] = [];
  const err: string[] = [];
  const controller = new AbortController();
  const value: CliIo = { stdout: (l) => out.push(l), stderr: (l) => err.push(l), env, cwd, signal: controller.signal };
  return { io: value, out, err, controller };
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
  it('prints usage', async () => {
    const t = io();
    expect(await main([], t.io)).toBe(2);
    expect(t.out[0]).toContain('usage: sepl-connector <command>');
    expect(await main(['help'], t.io)).toBe(0);
    const bad = io();
    expect(await main(['fly'], bad.io)).toBe(2);
    expect(bad.err[0]).toBe("sepl-connector: unknown command 'fly'");
  });

  it('simulate prints one JSON line and stops on abort', async () => {
    const t = io({ CONNECTOR_USER: 'me', CONNECTOR_PASSWORD: 'pw' });
    const done = main(['simulate'], t.io);
    await until(() => t.out.length === 1);
    const line = JSON.parse(t.out[0]!);
    expect(line).toEqual({
      lookupUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/lookup$/),
      websocketUrl: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+$/),
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/),
      registrationPath: 'discovery',
      user: 'me',
      password: 'pw',
    });
    expect(await (await fetch(line.lookupUrl)).text()).toBe(line.websocketUrl);
    t.controller.abort();
    expect(await done).toBe(0);
    const bad = io();
    expect(await main(['simulate', '--port', 'x'], bad.io)).toBe(2);
    expect(bad.err[0]).toBe('sepl-connector: --port must be a whole number from 0 to 65535');
  });

  it('run registers the devices, prints commands and answers with the fixed reply', async () => {
    const { sim, dir, env } = await fixture();
    const t = io(env, dir);
    const done = main(['run', '--devices', 'devices.json', '--reply', '{"data":"ok"}'], t.io);
    await until(() => [...sim.gateways.values()].some((g) => g.committed.has('lamp')));
    const answer = await sim.sendCommand('lamp', 'on', { data: '1' });
    expect(answer['protocol_parts']).toEqual([{ name: 'data', value: 'ok' }]);
    expect(JSON.parse(t.out[0]!)).toMatchObject({ device_url: 'lamp', service_url: 'on', protocol_parts: [{ name: 'data', value: '1' }] });
    t.controller.abort();
    expect(await done).toBe(0);
    expect(JSON.parse(t.err[0]!)).toMatchObject({ ready: true, protocol: 'g2', resynced: true });
  });

  it('run answers from a handler script, over G1', async () => {
    const { sim, dir, env } = await fixture();
    await writeFile(join(dir, 'handler.mjs'), 'export default (command) => ({ body: `handled ${command.service_url}` });\n');
    const t = io(env, dir);
    const done = main(['run', '--devices', 'devices.json', '--protocol', 'g1', '--handler', './handler.mjs'], t.io);
    await until(() => sim.registrations.length === 1);
    await until(() => t.err.length > 0);
    const answer = await sim.sendCommand('lamp', 'sepl_get', null);
    expect(answer['protocol_parts']).toEqual([{ name: 'body', value: 'handled sepl_get' }]);
    t.controller.abort();
    expect(await done).toBe(0);
  });

  it('run --store keeps the devices and the gateway id: a second run needs no --devices and no reset', async () => {
    const { sim, dir, env } = await fixture();
    const first = io(env, dir);
    const one = main(['run', '--devices', 'devices.json', '--store', 'state.json', '--reply', '{"data":"1"}'], first.io);
    await until(() => first.err.some((l) => l.includes('"ready":true')));
    first.controller.abort();
    expect(await one).toBe(0);
    const [gateway] = [...sim.gateways.values()];
    expect(JSON.parse(await readFile(join(dir, 'state.json'), 'utf8'))).toEqual({
      version: 1,
      gatewayId: gateway!.id,
      devices: [{ id: 'lamp', type: 'iot#t', name: 'Lamp', tags: [['room', 'hall']] }],
    });
    const second = io(env, dir);
    const two = main(['run', '--store', 'state.json', '--reply', '{"data":"2"}'], second.io);
    await until(() => second.err.some((l) => l.includes('"ready":true')));
    expect(JSON.parse(second.err.find((l) => l.includes('"ready":true'))!)).toEqual({ ready: true, protocol: 'g2', gatewayId: gateway!.id, resynced: false });
    expect(sim.gateways.size).toBe(1);
    expect(gateway!.clears).toBe(1);
    const answer = await sim.sendCommand('lamp', 'on', null);
    expect(answer['protocol_parts']).toEqual([{ name: 'data', value: '2' }]);
    second.controller.abort();
    expect(await two).toBe(0);
  });

  it('run rejects bad usage', async () => {
    const { dir, env } = await fixture();
    const cases: Array<[string[], string]> = [
      [['run'], 'run needs --devices devices.json (or --store file.json)'],
      [['run', '--devices', 'x.json', '--reply', '1', '--handler', 'h.mjs'], 'use either --handler or --reply'],
      [['run', '--devices', 'missing.json'], 'cannot read --devices missing.json: ENOENT'],
      [['run', '--devices', 'devices.json', '--reply', '7'], '--reply must be an object of strings, an array of {name, value} or null'],
      [['run', '--devices', 'devices.json', '--protocol', 'g3'], '--protocol must be g1 or g2'],
    ];
    for (const [argv, message] of cases) {
      const t = io(env, dir);
      expect(await main(argv, t.io), argv.join(' ')).toBe(2);
      expect(t.err[0]).toBe(`sepl-connector: ${message}`);
    }
    const noUser = io({ CONNECTOR_LOOKUP_URL: 'http://127.0.0.1:1/lookup' }, dir);
    expect(await main(['run', '--devices', 'devices.json'], noUser.io)).toBe(2);
    expect(noUser.err[0]).toBe('sepl-connector: CONNECTOR_USER is not set');
    const badEnv = io({ CONNECTOR_HTTPS: 'perhaps' }, dir);
    expect(await main(['run', '--devices', 'devices.json'], badEnv.io)).toBe(2);
    expect(badEnv.err[0]).toBe('sepl-connector: CONNECTOR_HTTPS must be true/false, 1/0, yes/no or on/off');
  });

  it('event sends one event; average reads it back', async () => {
    const { sim, dir, env } = await fixture();
    const t = io(env, dir);
    expect(await main(['event', 'lamp', 'power', '{"metadata":"","data":"12.5"}', '--devices', 'devices.json'], t.io)).toBe(0);
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
    const avg = io(env, dir);
    expect(await main(['average', 'lamp', '--granularity', 'hour', '--time-window', '12h'], avg.io)).toBe(0);
    expect(avg.out).toHaveLength(1);
    expect(JSON.parse(avg.out[0]!)).toEqual({ time_stamp: expect.stringMatching(/T\d\d:00:00\.000Z$/), result: 12.5, data_points: 1 });
    const unknown = io(env, dir);
    expect(await main(['event', 'ghost', 'power', '{}'], unknown.io)).toBe(1);
    expect(unknown.err[0]).toBe('sepl-connector: SeplRequestError: event request failed with status 400: device not connected');
  });

  it('event fails fast when the platform cannot be reached', async () => {
    const { sim, dir, env } = await fixture();
    const t = io({ ...env, CONNECTOR_LOOKUP_URL: `${sim.url}no-lookup-here` }, dir);
    expect(await main(['event', 'lamp', 'power', '{"data":"1"}'], t.io)).toBe(1);
    expect(t.err).toEqual([expect.stringMatching(/^sepl-connector: HttpError: .*404/)]);
    const ws = io(env, dir);
    await sim.close();
    expect(await main(['event', 'lamp', 'power', '{"data":"1"}', '--url', sim.websocketUrl], ws.io)).toBe(1);
    expect(ws.err[0]).toMatch(/^sepl-connector: .*ECONNREFUSED/);
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
    const debug = io(env, dir);
    expect(await main(['event', 'lamp', 'power', '{"data":"3"}', '--devices', 'devices.json', '--protocol', 'g1'], debug.io)).toBe(0);
    expect(sim.registrations).toEqual([{ user: 'envy', devices: [{ id: 'lamp', zway_type: 'iot#t', title: 'Lamp' }], path: '/api/register' }]);
    expect(sim.framesOf('credentials', 'g1').map((f) => f.payload)).toEqual([{ user: 'envy', gid: undefined }]);
    expect(sim.events.map((e) => [e.generation, e.deviceId, e.service])).toEqual([['g1', 'lamp', 'power']]);
    // LOGLEVEL=debug: the connector's and the HTTP layer's lines reach stderr, never the password
    expect(debug.err.some((l) => l.includes('info sepl-connector: ready'))).toBe(true);
    expect(debug.err.some((l) => l.includes('debug'))).toBe(true);
    expect([...debug.err, ...debug.out].filter((l) => l.includes(password))).toEqual([]);
    const quiet = io({ ...env, LOGLEVEL: 'error' }, dir);
    expect(await main(['event', 'lamp', 'power', '{"data":"4"}', '--devices', 'devices.json', '--protocol', 'g1'], quiet.io)).toBe(0);
    expect(quiet.err).toEqual([]);
    // CONNECTOR_HTTPS=true: the looked-up ws: URL becomes wss:, which this plain simulator cannot speak
    const secure = io({ ...env, CONNECTOR_HTTPS: 'true', LOGLEVEL: 'error' }, dir);
    const credentials = sim.framesOf('credentials').length;
    expect(await main(['event', 'lamp', 'power', '{"data":"5"}', '--devices', 'devices.json', '--protocol', 'g1'], secure.io)).toBe(1);
    expect(secure.err.at(-1)).toMatch(/^sepl-connector: .*(EPROTO|SSL)/);
    expect(sim.framesOf('credentials')).toHaveLength(credentials);
    expect(sim.events).toHaveLength(2);
    const wrong = io({ ...env, CONNECTOR_PASSWORD: 'nope-not-it', LOGLEVEL: 'debug' }, dir);
    expect(await main(['event', 'lamp', 'power', '{"data":"6"}', '--devices', 'devices.json', '--protocol', 'g1'], wrong.io)).toBe(1);
    expect(wrong.err.at(-1)).toBe('sepl-connector: SeplAuthError: credentials rejected by the registration endpoint (status 401)');
    expect(wrong.err.filter((l) => l.includes('nope-not-it'))).toEqual([]);
  });

  it('average and event validate their arguments', async () => {
    const { env } = await fixture();
    const cases: Array<[string[], string]> = [
      [['average'], 'usage: sepl-connector average <device> [--granularity g] [--time-window 12h]'],
      [['average', 'd', '--granularity', 'decade'], '--granularity must be one of all, second, minute, fifteen_minute, thirty_minute, hour, day, week, month, quarter, year'],
      [['average', 'd', '--time-window', '3d'], "--time-window must be a positive whole number followed by h, m or s (e.g. '12h')"],
      [['event', 'd', 's'], 'usage: sepl-connector event <device> <service> <json parts>'],
      [['event', 'd', 's', 'not json'], '<json parts> must be JSON: an object of strings, an array of {name, value} or null'],
    ];
    for (const [argv, message] of cases) {
      const t = io(env);
      expect(await main(argv, t.io), argv.join(' ')).toBe(2);
      expect(t.err[0]).toBe(`sepl-connector: ${message}`);
    }
    const noUrl = io({});
    expect(await main(['average', 'd'], noUrl.io)).toBe(2);
    expect(noUrl.err[0]).toBe('sepl-connector: set CONNECTOR_LOOKUP_URL or pass --url with the query service');
  });

  const built = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
  it.skipIf(!existsSync(built))('the built bin runs simulate and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [built, 'simulate', '--port', '0'], { env: { ...process.env, CONNECTOR_USER: 'x', CONNECTOR_PASSWORD: 'y' } });
    const line = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stdout.on('data', (d: Buffer) => {
        text += d.toString('utf8');
        if (text.includes('\n')) resolve(text.slice(0, text.indexOf('\n')));
      });
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
    });
    expect(JSON.parse(line)).toMatchObject({ user: 'x', password: 'y' });
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
  }, 45_000);

  it.skipIf(!existsSync(built))('the built bin honours CONNECTOR_HTTPS: ws: becomes wss:, the registration goes over https', async () => {
    const { key, cert, ca } = testCertificate();
    const sim = await startSeplSimulator({ users: { tls: 'tls-pw' }, tls: { key, cert } });
    cleanup.push(() => sim.close());
    const dir = await mkdtemp(join(tmpdir(), 'sepl-cli-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'ca.pem'), ca);
    await writeFile(join(dir, 'devices.json'), JSON.stringify([{ id: 'lamp', type: 'iot#t', name: 'Lamp' }]));
    const plain = sim.websocketUrl.replace('wss:', 'ws:');
    const child = spawn(process.execPath, [built, 'event', 'lamp', 'power', '{"data":"8"}', '--devices', 'devices.json', '--protocol', 'g1', '--url', plain], {
      cwd: dir,
      env: { PATH: process.env['PATH'] ?? '', NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'), CONNECTOR_HTTPS: 'on', CONNECTOR_USER: 'tls', CONNECTOR_PASSWORD: 'tls-pw', LOGLEVEL: 'error' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect({ code, out, err }).toEqual({ code: 0, out: '{"sent":true,"device":"lamp","service":"power"}\n', err: '' });
    expect(sim.registrations).toHaveLength(1);
    expect(sim.events.map((e) => [e.generation, e.deviceId])).toEqual([['g1', 'lamp']]);
  }, 45_000);
});
