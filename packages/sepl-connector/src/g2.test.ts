import { createTestClock } from '@x/http-core/testing';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SeplConnector, type SeplConnectorOptions } from './client.js';
import { gatewayHash, type SeplDevice } from './device.js';
import { FileDeviceStore } from './file-store.js';
import { MemoryDeviceStore } from './memory-store.js';
import { startSeplSimulator, type SeplSimulator } from './testing/simulator.js';

const TYPE = 'iot#d66ec9bc-e37f-4f35-a788-027301aad6c2';
const lamp: SeplDevice = { id: 'lamp-1', type: TYPE, name: 'Lamp', tags: { room: 'hall' } };
const plug: SeplDevice = { id: 'plug-2', type: TYPE, name: 'Plug' };

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup(options: Partial<SeplConnectorOptions> = {}, devices: SeplDevice[] = [lamp, plug]) {
  const sim = await startSeplSimulator({ users: { alice: 'secret' } });
  cleanup.push(() => sim.close());
  const store = options.store ?? new MemoryDeviceStore(devices);
  const connector = new SeplConnector({
    url: sim.websocketUrl,
    user: 'alice',
    password: 'secret',
    store,
    reconnect: { initialDelayInMs: 20, maxDelayInMs: 100 },
    ...options,
  });
  cleanup.push(() => connector.close());
  return { sim, connector, store };
}

async function until(check: () => boolean, timeoutInMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutInMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

function handlers(sim: SeplSimulator, from = 0): string[] {
  return sim.received.slice(from).map((f) => f.handler);
}

describe('G2 handler/token protocol against the simulator', () => {
  it('handshakes, syncs the devices (clear, put…, commit) and becomes ready', async () => {
    const { sim, connector, store } = await setup();
    const info = await connector.start();
    expect(connector.state).toBe('ready');
    expect(info).toEqual({ protocol: 'g2', gatewayId: expect.any(String), hash: gatewayHash([lamp, plug]), resynced: true, url: `${sim.websocketUrl}/` });
    expect(handlers(sim)).toEqual(['credentials', 'clear', 'put', 'put', 'commit']);
    expect(sim.received[0]!.payload).toEqual({ user: 'alice', gid: '' });
    expect(sim.received[2]!.payload).toEqual({ uri: 'lamp-1', name: 'Lamp', iot_type: TYPE, tags: ['room:hall'] });
    expect(sim.received[4]!.payload).toBe(gatewayHash([lamp, plug]));
    const gateway = sim.gateways.get(info.gatewayId!)!;
    expect(gateway.hash).toBe(gatewayHash([lamp, plug]));
    expect([...gateway.committed]).toEqual(['lamp-1', 'plug-2']);
    expect(await store.getGatewayId()).toBe(info.gatewayId);
    expect(connector.gatewayId).toBe(info.gatewayId);
    // tokens are UUIDs, unique per request
    const tokens = sim.received.slice(1).map((f) => f.token);
    expect(new Set(tokens).size).toBe(4);
    for (const t of tokens) expect(t).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('never sends the password anywhere but the credentials frame', async () => {
    const { sim, connector } = await setup();
    await connector.start();
    expect(sim.received.some((f) => f.raw.includes('secret'))).toBe(false);
  });

  it('takes over an existing gateway without a reset when the hash matches', async () => {
    const { sim, connector, store } = await setup();
    const first = await connector.start();
    await connector.close();
    const mark = sim.received.length;
    const again = new SeplConnector({ url: sim.websocketUrl, user: 'alice', password: 'secret', store });
    cleanup.push(() => again.close());
    const info = await again.start();
    expect(info.gatewayId).toBe(first.gatewayId);
    expect(info.resynced).toBe(false);
    expect(handlers(sim, mark)).toEqual(['credentials']);
    expect(sim.received[mark]!.payload).toEqual({ user: 'alice', gid: first.gatewayId });
    expect(sim.gateways.get(first.gatewayId!)!.clears).toBe(1);
    // the committed devices listen again: a command reaches the new session
    const answer = sim.sendCommand('plug-2', 'on', { data: '1' });
    const command = await again.commands().next();
    await again.respond(command.value, { data: 'done' });
    expect((await answer)['protocol_parts']).toEqual([{ name: 'data', value: 'done' }]);
  });

  it('resets the gateway when a device changed while offline', async () => {
    const { sim, connector, store } = await setup();
    await connector.start();
    await connector.close();
    await store.update({ ...plug, name: 'Plug (renamed)' });
    const mark = sim.received.length;
    const again = new SeplConnector({ url: sim.websocketUrl, user: 'alice', password: 'secret', store });
    cleanup.push(() => again.close());
    const info = await again.start();
    expect(info.resynced).toBe(true);
    expect(handlers(sim, mark)).toEqual(['credentials', 'clear', 'put', 'put', 'commit']);
    expect(sim.received.at(-2)!.payload).toEqual({ uri: 'plug-2', name: 'Plug (renamed)', iot_type: TYPE, tags: [] });
  });

  it('adds, updates, disconnects and deletes devices, each followed by commit', async () => {
    const { sim, connector, store } = await setup({}, [lamp]);
    const { gatewayId } = await connector.start();
    const mark = sim.received.length;
    const heater: SeplDevice = { id: 'heater', type: TYPE, name: 'Heater', tags: [['floor', '1']] };
    await connector.add(heater);
    await connector.update({ ...heater, name: 'Heater 2' });
    await connector.disconnect('lamp-1');
    await connector.delete('heater');
    expect(sim.received.slice(mark).map((f) => [f.handler, f.payload])).toEqual([
      ['put', { uri: 'heater', name: 'Heater', iot_type: TYPE, tags: ['floor:1'] }],
      ['commit', gatewayHash([lamp, heater])],
      ['put', { uri: 'heater', name: 'Heater 2', iot_type: TYPE, tags: ['floor:1'] }],
      ['commit', gatewayHash([lamp, { ...heater, name: 'Heater 2' }])],
      ['disconnect', 'lamp-1'],
      ['commit', gatewayHash([{ ...heater, name: 'Heater 2' }])],
      ['delete', 'heater'],
      ['commit', gatewayHash([])],
    ]);
    expect(await store.list()).toEqual([]);
    const gateway = sim.gateways.get(gatewayId!)!;
    expect([...gateway.devices.keys()]).toEqual(['lamp-1']);
    expect(gateway.listening.size).toBe(0);
  });

  it('sends events with protocol parts and surfaces a platform error', async () => {
    const { sim, connector } = await setup();
    await connector.start();
    await connector.event('lamp-1', 'power', { metadata: 'm', data: '42' });
    await connector.event('plug-2', 'power', [{ name: 'data', value: '7' }]);
    expect(sim.framesOf('event').map((f) => f.payload)).toEqual([
      { device_uri: 'lamp-1', service_uri: 'power', value: [{ name: 'metadata', value: 'm' }, { name: 'data', value: '42' }] },
      { device_uri: 'plug-2', service_uri: 'power', value: [{ name: 'data', value: '7' }] },
    ]);
    expect(sim.events.map((e) => [e.deviceId, e.service])).toEqual([
      ['lamp-1', 'power'],
      ['plug-2', 'power'],
    ]);
    await expect(connector.event('ghost', 'power', { data: '1' })).rejects.toMatchObject({
      name: 'SeplRequestError',
      status: 400,
      handler: 'event',
      payloadPreview: 'device not connected',
    });
    await expect(connector.event('lamp-1', 'power', { data: 1 as unknown as string })).rejects.toThrow('parts.data must be a string');
  });

  it('delivers commands to the iterator and the event, and respond echoes them', async () => {
    const { sim, connector } = await setup();
    await connector.start();
    const seen: string[] = [];
    connector.on('command', (c) => seen.push(c.task_id));
    const commands = connector.commands();
    const answered = sim.sendCommand('lamp-1', 'on', { data: '{"on":true}' }, { serviceName: 'switch on', outputName: 'Task_1kmeuz3' });
    const { value: command } = await commands.next();
    expect(command).toMatchObject({
      device_url: 'lamp-1',
      service_url: 'on',
      service_name: 'switch on',
      output_name: 'Task_1kmeuz3',
      protocol_parts: [{ name: 'data', value: '{"on":true}' }],
      device_instance_id: expect.stringMatching(/^iot#[0-9a-f-]{36}$/),
    });
    expect(seen).toEqual([command.task_id]);
    await connector.respond(command, { metadata: '', data: '{"status":"ok"}' });
    const response = await answered;
    expect(response).toEqual({ ...command, protocol_parts: [{ name: 'metadata', value: '' }, { name: 'data', value: '{"status":"ok"}' }] });
    const frame = sim.framesOf('response').at(-1)!;
    expect(frame.token).toMatch(/^[0-9a-f-]{36}$/);
    // a null answer is allowed
    const second = sim.sendCommand('plug-2', 'off', null);
    const { value: c2 } = await commands.next();
    expect(c2.protocol_parts).toBeNull();
    await connector.respond(c2, null);
    expect((await second)['protocol_parts']).toBeNull();
    await commands.return!();
  });

  it('buffers commands that arrive before anyone iterates, for the first iterator', async () => {
    const { sim, connector } = await setup();
    await connector.start();
    const answered = sim.sendCommand('lamp-1', 'on', []);
    // the event's answer travels behind the command on the same socket: once it is back, the
    // command has arrived with nobody iterating
    await connector.event('lamp-1', 'power', { data: '1' });
    const { value } = await connector.commands().next();
    expect(value.service_url).toBe('on');
    await connector.respond(value, []);
    expect((await answered)['protocol_parts']).toEqual([]);
  });

  it('times out a request after requestTimeoutInMs', async () => {
    const { sim, connector } = await setup({ requestTimeoutInMs: 80 });
    await connector.start();
    sim.answerRequests = false;
    const started = Date.now();
    await expect(connector.event('lamp-1', 'power', { data: '1' })).rejects.toMatchObject({ name: 'SeplTimeoutError', handler: 'event', timeoutInMs: 80 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
  });

  it('uses configured handler names', async () => {
    const { sim, connector } = await setup({ handlers: { delete: 'remove' } });
    await connector.start();
    await connector.delete('plug-2');
    expect(handlers(sim).slice(-2)).toEqual(['remove', 'commit']);
  });

  it('reconnects after a dropped socket, re-handshakes and keeps working', async () => {
    const { sim, connector } = await setup();
    const first = await connector.start();
    const events: string[] = [];
    connector.on('disconnected', () => events.push('disconnected'));
    connector.on('reconnecting', (r) => events.push(`reconnecting ${r.attempt} ${r.delayInMs}`));
    const ready = new Promise((resolve) => connector.once('ready', resolve));
    const mark = sim.received.length;
    expect(sim.dropConnections()).toBe(1);
    const info = await ready;
    expect(info).toMatchObject({ gatewayId: first.gatewayId, resynced: false });
    expect(events).toEqual(['disconnected', 'reconnecting 1 20']);
    expect(handlers(sim, mark)).toEqual(['credentials']);
    await connector.event('lamp-1', 'power', { data: '5' });
    expect(sim.events).toHaveLength(1);
  });

  it('pings after silence and reconnects when the server stops answering pings', async () => {
    // a manual clock: the heartbeat timers fire only when the test advances time, so a busy
    // machine cannot make a pong look late
    const clock = createTestClock({ start: 1_700_000_000_500, auto: false });
    const { sim, connector } = await setup({ pingAfterInMs: 50, pongTimeoutInMs: 400, clock });
    await connector.start();
    // answered pings keep the session alive: each pong re-arms the 50 ms silence timer
    for (let i = 1; i <= 2; i++) {
      const armed = clock.delays.length;
      clock.advance(50);
      await until(() => sim.pings.length === i);
      await until(() => clock.delays.length === armed + 2 && clock.delays.at(-1) === 50);
    }
    expect(clock.delays.slice(-4)).toEqual([400, 50, 400, 50]);
    clock.advance(399);
    expect(connector.state).toBe('ready');
    expect(sim.sessionCount).toBe(1);
    expect(sim.pings).toEqual(['1700000000', '1700000000']);
    const failed = new Promise<{ error: Error | undefined; delayInMs: number }>((resolve) => connector.once('reconnecting', resolve));
    sim.answerPings = false;
    clock.advance(50);
    await until(() => sim.pings.length === 3);
    clock.advance(399);
    expect(connector.state).toBe('ready');
    clock.advance(1);
    const { error, delayInMs } = await failed;
    expect(error?.message).toBe('no pong within 400 ms after a ping');
    expect(delayInMs).toBe(20);
    sim.answerPings = true;
    const ready = new Promise((resolve) => connector.once('ready', resolve));
    clock.advance(20);
    await ready;
    expect(connector.state).toBe('ready');
    expect(sim.framesOf('credentials')).toHaveLength(2);
  });

  it('stops with a clear error when the credentials are rejected', async () => {
    const { sim, connector } = await setup({ password: 'wrong' });
    const errors: Error[] = [];
    connector.on('error', (e) => errors.push(e));
    const iterator = connector.commands();
    await expect(connector.start()).rejects.toMatchObject({ name: 'SeplAuthError', code: 'SEPL_AUTH', status: 400 });
    expect(connector.state).toBe('closed');
    expect(errors.map((e) => e.name)).toEqual(['SeplAuthError']);
    expect(errors[0]!.message).toBe('credentials rejected by the platform (status 400): invalid credentials');
    expect(errors[0]!.message).not.toContain('wrong');
    await expect(iterator.next()).rejects.toMatchObject({ name: 'SeplAuthError' });
    await new Promise((r) => setTimeout(r, 60));
    expect(sim.framesOf('credentials')).toHaveLength(1);
  });

  it('stops when credentials are revoked while reconnecting', async () => {
    const { sim, connector } = await setup();
    await connector.start();
    const stopped = new Promise<Error>((resolve) => connector.on('error', resolve));
    sim.rejectCredentials = true;
    sim.dropConnections();
    expect((await stopped).name).toBe('SeplAuthError');
    expect(connector.state).toBe('closed');
  });

  it('rejects event and respond while not connected, queues device changes in the store', async () => {
    const { sim, connector, store } = await setup();
    await expect(connector.event('lamp-1', 's', {})).rejects.toMatchObject({ name: 'SeplNotConnectedError' });
    await connector.add({ id: 'offline', type: TYPE, name: 'Offline' });
    expect((await store.list()).map((d) => d.id)).toEqual(['lamp-1', 'plug-2', 'offline']);
    const info = await connector.start();
    expect(sim.gateways.get(info.gatewayId!)!.devices.has('offline')).toBe(true);
  });

  it('retries a refused connection with backoff until the platform is up', async () => {
    const sim = await startSeplSimulator({ users: { alice: 'secret' } });
    const url = sim.websocketUrl;
    const port = sim.port;
    await sim.close();
    const connector = new SeplConnector({ url, user: 'alice', password: 'secret', reconnect: { initialDelayInMs: 30, maxDelayInMs: 60 } });
    cleanup.push(() => connector.close());
    const delays: number[] = [];
    const three = new Promise<void>((resolve) =>
      connector.on('reconnecting', (r) => {
        delays.push(r.delayInMs);
        if (delays.length === 3) resolve();
      }),
    );
    connector.on('error', () => undefined);
    const started = connector.start();
    await three;
    const again = await startSeplSimulator({ users: { alice: 'secret' }, port });
    cleanup.push(() => again.close());
    await started;
    expect(delays.slice(0, 3)).toEqual([30, 60, 60]);
  });

  /** Reconnect delays against a closed port, on a fake clock. */
  async function refusedDelays(count: number, options: Partial<SeplConnectorOptions> = {}) {
    const sim = await startSeplSimulator();
    const url = sim.websocketUrl;
    await sim.close();
    const clock = createTestClock({ start: Date.parse('2026-01-01T00:00:00Z') });
    const connector = new SeplConnector({ url, user: 'alice', password: 'secret', clock, ...options });
    cleanup.push(() => connector.close());
    const delays: number[] = [];
    connector.on('error', () => undefined);
    const enough = new Promise<void>((resolve) =>
      connector.on('reconnecting', (r) => {
        delays.push(r.delayInMs);
        if (delays.length === count) resolve();
      }),
    );
    void connector.start().catch(() => undefined);
    await enough;
    return { delays, clock };
  }

  it('backs off 30 s, 60 s, 120 s, 240 s, then 300 s by default (fake clock)', async () => {
    const { delays, clock } = await refusedDelays(7);
    expect(delays).toEqual([30_000, 60_000, 120_000, 240_000, 300_000, 300_000, 300_000]);
    expect(clock.delays.slice(0, 6)).toEqual([30_000, 60_000, 120_000, 240_000, 300_000, 300_000]);
  });

  it('jitters the reconnect delays when asked, still capped (fake clock, injected randomness)', async () => {
    const draws = [0, 0.5, 0.999, 0.25, 1 - 1e-9, 0];
    const { delays } = await refusedDelays(6, { reconnect: { jitter: 'equal' }, random: () => draws.shift() ?? 0 });
    // equal jitter: half the 30 s → 300 s step plus a random share of the other half
    expect(delays).toEqual([15_000, 45_000, 119_940, 150_000, 299_999, 150_000]);
  });

  it('close() ends iterators and rejects a pending start', async () => {
    const { connector } = await setup();
    const iterator = connector.commands();
    const started = connector.start();
    await connector.close();
    await expect(started).rejects.toMatchObject({ name: 'SeplNotConnectedError' });
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
    expect(connector.state).toBe('closed');
    await expect(connector.start()).rejects.toMatchObject({ name: 'SeplNotConnectedError' });
  });
});

describe('G2 robustness', () => {
  it('reports a throwing command or ready listener as an error and keeps the session', async () => {
    const { sim, connector } = await setup();
    const errors: Error[] = [];
    connector.on('error', (e) => errors.push(e));
    connector.on('ready', () => {
      throw new Error('ready listener broke');
    });
    connector.on('command', () => {
      throw new Error('command listener broke');
    });
    const iterator = connector.commands();
    await connector.start();
    const answered = sim.sendCommand('lamp-1', 'on', null);
    const { value } = await iterator.next();
    await connector.respond(value, { data: 'fine' });
    expect((await answered)['protocol_parts']).toEqual([{ name: 'data', value: 'fine' }]);
    expect(errors.map((e) => e.message)).toEqual(['ready listener broke', 'command listener broke']);
    expect(connector.state).toBe('ready');
    expect(sim.framesOf('credentials')).toHaveLength(1);
  });

  it('close() does not wait for a websocket handshake that never completes', async () => {
    const accepted: Socket[] = [];
    const server = createServer((socket) => accepted.push(socket)); // accepts TCP, never answers the upgrade
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => {
      for (const socket of accepted) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const { port } = server.address() as AddressInfo;
    const connector = new SeplConnector({ url: `ws://127.0.0.1:${port}`, user: 'alice', password: 'secret', handshakeTimeoutInMs: 600_000 });
    const started = connector.start();
    await until(() => accepted.length === 1);
    await connector.close();
    await expect(started).rejects.toMatchObject({ name: 'SeplNotConnectedError' });
    expect(connector.state).toBe('closed');
  }, 15_000);

  it('reports a garbage frame as a SeplProtocolError and keeps the session', async () => {
    const { sim, connector } = await setup();
    await connector.start();
    const errors: Error[] = [];
    connector.on('error', (e) => errors.push(e));
    sim.broadcast('this is not json');
    sim.broadcast('{"status":200,"handler":"response","token":"never-sent","payload":"ok"}');
    await connector.event('lamp-1', 'power', { data: '1' });
    expect(errors.map((e) => [e.name, e.message, (e as unknown as { rawPreview: string }).rawPreview])).toEqual([
      ['SeplProtocolError', 'G2 frame is not JSON', 'this is not json'],
      ['SeplProtocolError', 'answer for an unknown or expired token never-sent', '{"status":200,"handler":"response","token":"[REDACTED]","payload":"ok"}'],
    ]);
    expect(connector.state).toBe('ready');
  });

  it('never drops a command: a full buffer pauses reading until the application takes commands', async () => {
    const log: string[] = [];
    const logger = { debug: () => undefined, info: (m: string) => log.push(m), warn: (m: string) => log.push(m), error: (m: string) => log.push(m) };
    const { sim, connector } = await setup({ maxBufferedCommands: 2, logger });
    await connector.start();
    const errors: Error[] = [];
    connector.on('error', (e) => errors.push(e));
    let delivered = 0;
    connector.on('command', () => delivered++);
    const iterator = connector.commands();
    const answers = ['a', 'b', 'c'].map((service) => sim.sendCommand('lamp-1', service, null, { timeoutInMs: 20_000 }));
    await until(() => log.includes('command buffer full; reading paused until the application takes commands'));
    // the answer to a request of ours is still read (it holds the socket open) …
    await connector.event('lamp-1', 'power', { data: '7' });
    expect(sim.events).toHaveLength(1);
    // … but a command sent while nobody takes any stays in the socket
    const before = delivered;
    const answerD = sim.sendCommand('lamp-1', 'd', null, { timeoutInMs: 20_000 });
    await until(() => sim.sent.some((f) => f.raw.includes('"service_url":"d"')));
    await new Promise((r) => setTimeout(r, 100));
    expect(delivered).toBe(before);
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      const { value } = await iterator.next();
      seen.push(value.service_url);
      await connector.respond(value, { data: value.service_url });
    }
    expect(seen).toEqual(['a', 'b', 'c', 'd']);
    expect((await Promise.all([...answers, answerD])).map((a) => a['protocol_parts'])).toEqual([
      [{ name: 'data', value: 'a' }],
      [{ name: 'data', value: 'b' }],
      [{ name: 'data', value: 'c' }],
      [{ name: 'data', value: 'd' }],
    ]);
    expect(delivered).toBe(4);
    expect(log).toContain('reading resumed');
    expect(errors).toEqual([]);
    expect(connector.state).toBe('ready');
  });

  it('pauses for commands nobody takes yet, and hands them all to the first iterator', async () => {
    const { sim, connector } = await setup({ maxBufferedCommands: 1 });
    await connector.start();
    const answers = ['x', 'y'].map((service) => sim.sendCommand('lamp-1', service, null, { timeoutInMs: 20_000 }));
    await until(() => sim.sent.filter((f) => f.raw.includes('"handler":"command"')).length === 2);
    const iterator = connector.commands();
    const seen: string[] = [];
    for (let i = 0; i < 2; i++) {
      const { value } = await iterator.next();
      seen.push(value.service_url);
      await connector.respond(value, []);
    }
    expect(seen).toEqual(['x', 'y']);
    expect(await Promise.all(answers)).toHaveLength(2);
  });

  it('retries when the credentials answer does not come within handshakeTimeoutInMs', async () => {
    const { sim, connector } = await setup({ handshakeTimeoutInMs: 50 });
    sim.answerRequests = false;
    const reconnecting = new Promise<{ error: Error | undefined }>((resolve) => connector.once('reconnecting', resolve));
    connector.on('error', () => undefined);
    const started = connector.start();
    const { error } = await reconnecting;
    expect(error).toMatchObject({ name: 'SeplTimeoutError', handler: 'credentials', timeoutInMs: 50 });
    sim.answerRequests = true;
    expect((await started).protocol).toBe('g2');
  });

  it('validates its options, naming the parameter', () => {
    const base = { url: 'ws://127.0.0.1:1', user: 'u', password: 'p' };
    expect(() => new SeplConnector({ ...base, protocol: 'g4' as 'g2' })).toThrow("options.protocol must be 'g1', 'g2' or 'g3'");
    expect(() => new SeplConnector({ ...base, user: '' })).toThrow(new TypeError('options.user must be a non-empty string'));
    expect(() => new SeplConnector({ ...base, password: undefined as unknown as string })).toThrow('options.password must be a string');
    expect(() => new SeplConnector({ user: 'u', password: 'p' })).toThrow('options.url or options.lookupUrl (CONNECTOR_LOOKUP_URL) is required');
    expect(() => new SeplConnector({ ...base, url: 'http://x/' })).toThrow('options.url must be a ws: or wss: URL');
    expect(() => new SeplConnector({ ...base, requestTimeoutInMs: 0 })).toThrow(new RangeError('options.requestTimeoutInMs must be a number > 0'));
    expect(() => new SeplConnector({ ...base, reconnect: { maxDelayInMs: -1 } })).toThrow('options.reconnect.maxDelayInMs must be a number > 0');
    expect(() => new SeplConnector({ ...base, handlers: { put: '' } })).toThrow('handlers.put must be a non-empty string');
    expect(() => new SeplConnector({ ...base, https: 'yes' as unknown as boolean })).toThrow('options.https must be a boolean');
    expect(() => new SeplConnector({ ...base, registrationBase: 'x' as 'lookup' })).toThrow("options.registrationBase must be 'websocket' or 'lookup'");
    expect(() => new SeplConnector(null as never)).toThrow('options must be an object');
    expect(() => new SeplConnector({ ...base, maxBufferedCommands: 1.5 })).toThrow(new RangeError('options.maxBufferedCommands must be a whole number > 0'));
    expect(() => new SeplConnector({ ...base, reconnect: { factor: 0.5 } })).toThrow(new RangeError('options.reconnect.factor must be a number >= 1'));
    expect(() => new SeplConnector({ ...base, reconnect: { jitter: 'half' as 'full' } })).toThrow(new RangeError("options.reconnect.jitter must be 'none', 'full' or 'equal'"));
    expect(() => new SeplConnector({ ...base, random: 4 as unknown as () => number })).toThrow(new TypeError('options.random must be a function'));
  });

  it('rejects bad arguments of the methods', async () => {
    const { connector } = await setup();
    await connector.start();
    await expect(connector.event('', 's', {})).rejects.toThrow('deviceId must be a non-empty string');
    await expect(connector.event('d', '', {})).rejects.toThrow('serviceUri must be a non-empty string');
    await expect(connector.delete('')).rejects.toThrow('deviceId must be a non-empty string');
    await expect(connector.add({ id: 'x', type: 't', name: 'n', tags: { device_type: 'x' } })).rejects.toThrow("device.tags: the key 'device_type' is reserved");
    await expect(connector.update(null as never)).rejects.toThrow(new TypeError('device must be an object'));
    await expect(connector.respond({} as never, null)).rejects.toThrow('command must be a command received from the connector');
  });
});

describe('G2 deletions while offline', () => {
  /** After the handshake: the queued `delete` of plug-2 first, then the sync of lamp-1 alone. */
  function expectPlugDeletedBeforeSync(sim: SeplSimulator, mark: number, gatewayId: string | undefined): void {
    expect(sim.received.slice(mark).map((f) => [f.handler, f.payload])).toEqual([
      ['credentials', { user: 'alice', gid: gatewayId }],
      ['delete', 'plug-2'],
      ['clear', null],
      ['put', { uri: 'lamp-1', name: 'Lamp', iot_type: TYPE, tags: ['room:hall'] }],
      ['commit', gatewayHash([lamp])],
    ]);
  }

  it('queues a deletion made offline (in the file store, across a restart) and sends it after the next handshake, before the sync', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sepl-delete-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'store.json');
    const { sim, connector } = await setup({ store: new FileDeviceStore(path) });
    await connector.add(lamp);
    await connector.add(plug);
    const first = await connector.start();
    await connector.close();
    // offline: resolves at once, the device is gone locally, the deletion waits in the file
    const offline = new SeplConnector({ url: sim.websocketUrl, user: 'alice', password: 'secret', store: new FileDeviceStore(path) });
    await offline.delete('plug-2');
    await offline.close();
    const restarted = new FileDeviceStore(path);
    expect(await restarted.getPendingDeletions()).toEqual(['plug-2']);
    expect((await restarted.list()).map((d) => d.id)).toEqual(['lamp-1']);
    const mark = sim.received.length;
    const again = new SeplConnector({ url: sim.websocketUrl, user: 'alice', password: 'secret', store: restarted });
    cleanup.push(() => again.close());
    const info = await again.start();
    expect(info).toMatchObject({ gatewayId: first.gatewayId, resynced: true });
    expectPlugDeletedBeforeSync(sim, mark, first.gatewayId);
    expect(await new FileDeviceStore(path).getPendingDeletions()).toEqual([]);
  });

  it('forgets a queued deletion when the device is added again, and drops one the platform does not know', async () => {
    const store = new MemoryDeviceStore([lamp, plug]);
    const { sim, connector } = await setup({ store });
    await connector.delete('plug-2');
    await connector.add(plug);
    await connector.delete('lamp-1');
    expect(store.getPendingDeletions()).toEqual(['lamp-1']);
    const errors: Error[] = [];
    connector.on('error', (e) => errors.push(e));
    // a new gateway: the platform has never seen lamp-1 and answers 400
    await connector.start();
    expect(handlers(sim)).toEqual(['credentials', 'delete', 'clear', 'put', 'commit']);
    expect(sim.received[1]!.payload).toBe('lamp-1');
    expect(sim.received[3]!.payload).toMatchObject({ uri: 'plug-2' });
    expect(store.getPendingDeletions()).toEqual([]);
    expect(errors).toEqual([]);
    expect(connector.state).toBe('ready');
  });

  it('queues a deletion the platform did not confirm, rejects the call, and sends it again after reconnecting', async () => {
    const { sim, connector, store } = await setup({ requestTimeoutInMs: 200 });
    const first = await connector.start();
    sim.answerRequests = false;
    await expect(connector.delete('plug-2')).rejects.toMatchObject({ name: 'SeplTimeoutError', handler: 'delete' });
    expect((store as MemoryDeviceStore).getPendingDeletions()).toEqual(['plug-2']);
    sim.answerRequests = true;
    const mark = sim.received.length;
    const ready = new Promise((resolve) => connector.once('ready', resolve));
    sim.dropConnections();
    await ready;
    expectPlugDeletedBeforeSync(sim, mark, first.gatewayId);
    expect(sim.received.slice(mark)[1]!.generation).toBe('g2');
    expect((store as MemoryDeviceStore).getPendingDeletions()).toEqual([]);
    expect([...sim.gateways.get(first.gatewayId!)!.devices.keys()]).toEqual(['lamp-1']);
  });

  it('rejects requests in flight when the socket drops, queueing a delete among them', async () => {
    const { sim, connector, store } = await setup();
    const first = await connector.start();
    sim.answerRequests = false;
    const event = connector.event('lamp-1', 'power', { data: '1' });
    const deletion = connector.delete('plug-2');
    await until(() => sim.framesOf('delete').length === 1);
    sim.answerRequests = true;
    const mark = sim.received.length;
    const ready = new Promise((resolve) => connector.once('ready', resolve));
    sim.dropConnections();
    await expect(event).rejects.toMatchObject({ name: 'SeplNotConnectedError', message: expect.stringMatching(/^connection lost \(1006\) before the answer$/) });
    await expect(deletion).rejects.toMatchObject({ name: 'SeplNotConnectedError' });
    await ready;
    expectPlugDeletedBeforeSync(sim, mark, first.gatewayId);
    expect((store as MemoryDeviceStore).getPendingDeletions()).toEqual([]);
  });
});
