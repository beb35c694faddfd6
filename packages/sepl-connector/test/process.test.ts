// `sepl-connector` as users run it: the BUILT binary (dist/cli.js, after `build`) in its own
// process, against `sepl-connector simulate` in another one, driven through the simulator control
// API. Before issue 12, `run` exited 0 on its first reconnect wait: these tests check what the
// process printed and what the simulator received, not only exit codes.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ControlClient, runCli, startProcess, type StartedProcess } from '@x/http-core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../src/version.js';

const bin = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

interface SimLine {
  lookupUrl: string;
  websocketUrl: string;
  url: string;
  user: string;
  password: string;
  control: string;
}

interface Frame {
  handler: string;
  session: number;
  payload: Record<string, unknown> | null;
}

let sim: StartedProcess<SimLine>;
let control: ControlClient;
let dir: string;
let devices: string;
let env: Record<string, string>;

beforeAll(async () => {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: build @x/sepl-connector first (npx turbo run build --filter=@x/sepl-connector...)`);
  sim = await startProcess<SimLine>(process.execPath, [bin, 'simulate'], { env: { CONNECTOR_USER: 'gw', CONNECTOR_PASSWORD: 'gw-secret-4d1' } });
  control = new ControlClient(sim.line.control);
  dir = await mkdtemp(join(tmpdir(), 'sepl-process-'));
  devices = join(dir, 'devices.json');
  await writeFile(devices, JSON.stringify([{ id: 'lamp', type: 'iot#lamp', name: 'Lamp' }]));
  env = { CONNECTOR_LOOKUP_URL: sim.line.lookupUrl, CONNECTOR_USER: 'gw', CONNECTOR_PASSWORD: 'gw-secret-4d1', LOGLEVEL: 'error' };
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  // SIGTERM ends `simulate` cleanly with the documented code.
  expect(await sim.stop('SIGTERM')).toBe(143);
});

async function frames(): Promise<Frame[]> {
  return (await control.received()).records as Frame[];
}

/** A running process's output, line by line, with a wait for a line that matches. */
function follow(child: ChildProcess) {
  const lines = { stdout: [] as string[], stderr: [] as string[] };
  for (const name of ['stdout', 'stderr'] as const) {
    let partial = '';
    child[name]?.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      lines[name].push(...parts);
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = async (name: 'stdout' | 'stderr', match: (line: string) => boolean, count = 1): Promise<string[]> => {
    const end = Date.now() + 15_000;
    for (;;) {
      const found = lines[name].filter(match);
      if (found.length >= count) return found;
      if (child.exitCode !== null) throw new Error(`exited (${child.exitCode}) while waiting; stderr: ${lines.stderr.join('\n')}`);
      if (Date.now() > end) throw new Error(`no such ${name} line; stdout: ${lines.stdout.join('\n')}; stderr: ${lines.stderr.join('\n')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { lines, exited, waitFor };
}

/** Pushes a command to the lamp and waits until the connector's answer reached the simulator. */
async function pushAndAwaitAnswer(service: string): Promise<Frame> {
  const result = (await control.push({ device: 'lamp', service, parts: { data: service } })) as { taskId: string };
  expect(result.taskId).toMatch(/^[0-9a-f-]{36}$/);
  const end = Date.now() + 15_000;
  for (;;) {
    const answer = (await frames()).find((f) => f.handler === 'response' && f.payload?.['task_id'] === result.taskId);
    if (answer) return answer;
    if (Date.now() > end) throw new Error(`no answer to ${service}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('sepl-connector (built binary) against sepl-connector simulate in another process', () => {
  it('run registers the devices, outlives a dropped connection (reconnects, does not exit), answers a command pushed after it, and ends on SIGTERM with 143', async () => {
    await control.clearReceived();
    const child = spawn(process.execPath, [bin, 'run', '--devices', devices, '--reply', '{"data":"done"}', '--reconnect-delay', '300ms'], { env: { ...process.env, ...env } });
    const run = follow(child);
    try {
      await run.waitFor('stderr', (l) => l.includes('"ready":true'));
      expect((await frames()).map((f) => f.handler)).toEqual(['credentials', 'clear', 'put', 'commit']);
      const first = await pushAndAwaitAnswer('before');
      expect(first.payload?.['protocol_parts']).toEqual([{ name: 'data', value: 'done' }]);
      expect(await control.dropConnections()).toBe(1);
      // the old bin exited 0 here, on its first reconnect wait
      await run.waitFor('stderr', (l) => l.includes('"ready":true'), 2);
      expect(child.exitCode).toBeNull();
      const second = await pushAndAwaitAnswer('after');
      expect(second.session).toBeGreaterThan(first.session);
      expect(second.payload?.['protocol_parts']).toEqual([{ name: 'data', value: 'done' }]);
      expect(run.lines.stdout.map((l) => (JSON.parse(l) as { service_url: string }).service_url)).toEqual(['before', 'after']);
      const events = run.lines.stderr.map((l) => Object.keys(JSON.parse(l) as object)[0]);
      expect(events).toEqual(['ready', 'disconnected', 'reconnecting', 'ready']);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await run.exited).toBe(143);
    expect(run.lines.stderr.join('\n')).not.toContain('gw-secret-4d1');
  });

  it('event (lookup, websocket handshake, sync, event: several requests) retries a 503 on its first request and prints the answer', async () => {
    await control.clearReceived();
    await control.addFault({ kind: 'status', status: 503, method: 'GET', path: '/lookup', retryAfterSeconds: 0 });
    const r = await runCli(bin, ['event', 'lamp', 'power', '{"data":"12.5"}', '--devices', devices], { env, timeoutInMs: 30_000 });
    expect(r).toMatchObject({ code: 0, stdout: '{"sent":true,"device":"lamp","service":"power"}\n', stderr: '' });
    expect(await control.faults()).toEqual([]);
    const events = (await frames()).filter((f) => f.handler === 'event');
    expect(events.map((f) => f.payload)).toEqual([{ device_uri: 'lamp', service_uri: 'power', value: [{ name: 'data', value: '12.5' }] }]);
  });

  it('average retries a 503 burst on the query service and prints the row', async () => {
    await control.addFault({ kind: 'status', status: 503, path: '/devices/*', count: 2, retryAfterSeconds: 0 });
    const r = await runCli(bin, ['average', 'lamp', '--url', sim.line.url], { env, timeoutInMs: 30_000 });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { result: number; data_points: number }).result)).toEqual([12.5]);
    expect(await control.faults()).toEqual([]);
  });

  it('refused credentials end run with exit 1 and a clear message', async () => {
    const r = await runCli(bin, ['run', '--devices', devices], { env: { ...env, CONNECTOR_PASSWORD: 'wrong-pw-77' }, timeoutInMs: 30_000 });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toBe('sepl-connector: error: credentials rejected by the platform (status 400): invalid credentials [SEPL_AUTH]');
    expect(r.stderr).not.toContain('wrong-pw-77');
  });

  it('a usage error exits 2; --help and --version exit 0', async () => {
    const bad = await runCli(bin, ['run', '--devices', devices, '--reconect-delay', '1s'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr.split('\n')[0]).toMatch(/^sepl-connector: error: unknown option --reconect-delay/);
    const simulateHelp = await runCli(bin, ['simulate', '--help']);
    expect([simulateHelp.code, simulateHelp.stdout.split('\n')[0]]).toEqual([0, 'Usage: sepl-connector simulate [options]']);
    const help = await runCli(bin, ['--help']);
    expect(help.code).toBe(0);
    for (const command of ['simulate', 'run', 'event', 'average']) expect(help.stdout).toContain(`  ${command} `);
    expect(await runCli(bin, ['--version'])).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
  });
});

interface G3SimLine {
  protocol: 'g3';
  tokenUrl: string;
  hubUrl: string;
  deviceUrl: string;
  mqttUrl: string;
  clientId: string;
  user: string;
  password: string;
  control: string;
  caPath: string;
}

describe('simulate --protocol g3 in its own process', () => {
  it('serves a G3Connector: hub and devices, an event, a pushed command answered, a drop survived; SIGTERM 143', async () => {
    const g3 = await startProcess<G3SimLine>(process.execPath, [bin, 'simulate', '--protocol', 'g3', '--client-id', 'cc'], { env: { CONNECTOR_USER: 'gw', CONNECTOR_PASSWORD: 'gw-secret-4d1' } });
    const { G3Connector, MemoryDeviceStore } = await import('../src/index.js');
    const connector = new G3Connector({
      tokenUrl: g3.line.tokenUrl,
      clientId: 'cc',
      hubUrl: g3.line.hubUrl,
      deviceUrl: g3.line.deviceUrl,
      mqttUrl: g3.line.mqttUrl,
      ca: await readFile(g3.line.caPath, 'utf8'),
      user: 'gw',
      password: 'gw-secret-4d1',
      store: new MemoryDeviceStore([{ id: 'lamp', type: 'urn:t', name: 'Lamp' }]),
      reconnect: { initialDelayInMs: 50, maxDelayInMs: 200 },
    });
    try {
      const g3Control = new ControlClient(g3.line.control);
      const info = await connector.start();
      expect(info).toMatchObject({ protocol: 'g3', hubCreated: true, synced: true });
      await connector.event('lamp', 'power', { metadata: '', data: '3' });
      const resubscribed = new Promise((resolve) => connector.session.on('subscribed', (e) => e.connection === 2 && resolve(e)));
      expect(await g3Control.dropConnections()).toBe(1);
      expect(await resubscribed).toEqual({ connection: 2, devices: ['lamp'] });
      const { correlationId } = (await g3Control.push({ device: 'lamp', service: 'on', data: '1' })) as { correlationId: string };
      const { value } = await connector.commands().next();
      expect(value).toMatchObject({ correlationId, deviceId: 'lamp', serviceId: 'on', data: '1' });
      await connector.respond(value as never, { data: 'ok' });
      const received = (await g3Control.received()).records as Array<{ method: string; path: string; status: number }>;
      expect(received.filter((r) => r.path !== '/auth/token').map((r) => `${r.method} ${r.path} ${r.status}`).slice(0, 4)).toEqual([
        'POST /hubs 200',
        'GET /hubs/' + encodeURIComponent(info.hubId) + ' 200',
        'GET /devices/lamp 404',
        'POST /devices 200',
      ]);
    } finally {
      await connector.close();
      expect(await g3.stop('SIGTERM')).toBe(143);
    }
  });
});

describe('run --protocol g3 (built binary) against simulate --protocol g3 in another process', () => {
  it('registers the devices, outlives a dropped broker connection and a broker outage, answers a command pushed after them; SIGTERM 143', async () => {
    const g3 = await startProcess<G3SimLine>(process.execPath, [bin, 'simulate', '--protocol', 'g3', '--client-id', 'cc'], { env: { CONNECTOR_USER: 'gw', CONNECTOR_PASSWORD: 'gw-secret-4d1' } });
    const g3Control = new ControlClient(g3.line.control);
    const g3Env = {
      CONNECTOR_PROTOCOL: 'g3',
      CONNECTOR_USER: 'gw',
      CONNECTOR_PASSWORD: 'gw-secret-4d1',
      CONNECTOR_G3_TOKEN_URL: g3.line.tokenUrl,
      CONNECTOR_G3_CLIENT_ID: 'cc',
      CONNECTOR_G3_HUB_URL: g3.line.hubUrl,
      CONNECTOR_G3_DEVICE_URL: g3.line.deviceUrl,
      CONNECTOR_G3_MQTT_URL: g3.line.mqttUrl,
      CONNECTOR_G3_CA_FILE: g3.line.caPath,
      LOGLEVEL: 'error',
    };
    const child = spawn(process.execPath, [bin, 'run', '--devices', devices, '--reply', '{"data":"done"}', '--reconnect-delay', '100ms'], { env: { ...process.env, ...g3Env } });
    const run = follow(child);
    try {
      const [ready] = await run.waitFor('stderr', (l) => l.includes('"ready":true'));
      const hubId = (JSON.parse(ready as string) as { gatewayId: string }).gatewayId;
      expect(JSON.parse(ready as string)).toEqual({ ready: true, protocol: 'g3', gatewayId: expect.stringMatching(/^urn:infai:ses:hub:/), resynced: true });
      const rest = ((await g3Control.received()).records as Array<{ method?: string; path?: string }>).filter((r) => r.path !== undefined && r.path !== '/auth/token');
      expect(rest.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /hubs', `GET /hubs/${encodeURIComponent(hubId)}`, 'GET /devices/lamp', 'POST /devices', `GET /hubs/${encodeURIComponent(hubId)}`, `PUT /hubs/${encodeURIComponent(hubId)}`]);
      expect(await g3Control.dropConnections()).toBe(1);
      await run.waitFor('stderr', (l) => l.includes('"ready":true'), 2);
      // a broker outage: connections cut for 800 ms, then back
      expect(await g3Control.push({ outageInMs: 800 })).toMatchObject({ dropped: 1 });
      await run.waitFor('stderr', (l) => l.includes('"ready":true'), 3);
      expect(child.exitCode).toBeNull();
      const { correlationId } = (await g3Control.push({ device: 'lamp', service: 'on', data: '1' })) as { correlationId: string };
      await run.waitFor('stdout', (l) => l.includes(correlationId));
      expect(JSON.parse(run.lines.stdout[0] as string)).toMatchObject({ device_url: 'lamp', service_url: 'on', task_id: correlationId, protocol_parts: [{ name: 'data', value: '1' }] });
      await expect
        .poll(async () => ((await g3Control.received()).records as Array<{ kind?: string; payload?: unknown }>).filter((r) => r.kind === 'response').map((r) => r.payload), { timeout: 10_000 })
        .toEqual([{ correlation_id: correlationId, payload: { metadata: null, data: 'done' } }]);
      expect(run.lines.stderr.map((l) => Object.keys(JSON.parse(l) as object)[0]).join(',')).toMatch(/^ready,disconnected,reconnecting,ready,disconnected,(reconnecting,)+ready$/);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await run.exited).toBe(143);
    expect(run.lines.stderr.join('\n')).not.toContain('gw-secret-4d1');
    expect(await g3.stop('SIGTERM')).toBe(143);
  });

  it('event --protocol g3 publishes one event and exits 0', async () => {
    const g3 = await startProcess<G3SimLine>(process.execPath, [bin, 'simulate', '--protocol', 'g3', '--client-id', 'cc'], { env: { CONNECTOR_USER: 'gw', CONNECTOR_PASSWORD: 'gw-secret-4d1' } });
    try {
      const g3Env = {
        CONNECTOR_USER: 'gw',
        CONNECTOR_PASSWORD: 'gw-secret-4d1',
        CONNECTOR_G3_TOKEN_URL: g3.line.tokenUrl,
        CONNECTOR_G3_CLIENT_ID: 'cc',
        CONNECTOR_G3_HUB_URL: g3.line.hubUrl,
        CONNECTOR_G3_DEVICE_URL: g3.line.deviceUrl,
        CONNECTOR_G3_MQTT_URL: g3.line.mqttUrl,
        LOGLEVEL: 'error',
      };
      const r = await runCli(bin, ['event', 'lamp', 'power', '{"data":"42"}', '--protocol', 'g3', '--devices', devices, '--ca', g3.line.caPath], { env: g3Env, timeoutInMs: 30_000 });
      expect([r.code, r.stdout]).toEqual([0, '{"sent":true,"device":"lamp","service":"power"}\n']);
      const records = (await new ControlClient(g3.line.control).received()).records as Array<{ kind?: string; deviceId?: string; serviceId?: string; payload?: unknown }>;
      expect(records.filter((x) => x.kind === 'event').map((x) => [x.deviceId, x.serviceId, x.payload])).toEqual([['lamp', 'power', { metadata: null, data: '42' }]]);
    } finally {
      expect(await g3.stop('SIGTERM')).toBe(143);
    }
  });
});
