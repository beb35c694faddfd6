// The simulator's control API, driven as an outside test would: revoked credentials end a running
// connector with an auth error, push validates its input, faults hit only the HTTP endpoints.
import { ControlClient } from '@x/http-core/testing';
import { errorCategory } from '@x/http-core';
import { afterEach, describe, expect, it } from 'vitest';
import { SeplConnector } from '../client.js';
import { MemoryDeviceStore } from '../memory-store.js';
import { startSeplSimulator } from './simulator.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup() {
  const sim = await startSeplSimulator({ users: { alice: 'secret', bob: 'pw' } });
  cleanup.push(() => sim.close());
  const connector = new SeplConnector({
    url: sim.websocketUrl,
    user: 'alice',
    password: 'secret',
    store: new MemoryDeviceStore([{ id: 'lamp', type: 'iot#t', name: 'Lamp' }]),
    reconnect: { initialDelayInMs: 10, maxDelayInMs: 50 },
  });
  cleanup.push(() => connector.close());
  return { sim, connector, control: new ControlClient(sim.controlUrl) };
}

describe('SEPL simulator control API', () => {
  it('describes itself and its endpoints', async () => {
    const { control } = await setup();
    expect(await control.info()).toMatchObject({ name: 'sepl-connector' });
  });

  it('revoking a user ends its connector at the next handshake with an auth error', async () => {
    const { connector, control } = await setup();
    await connector.start();
    const closed = new Promise<Error | undefined>((resolve) => connector.once('closed', (e) => resolve(e.error)));
    expect(await control.revokeTokens('alice')).toBe(1);
    expect(await control.dropConnections()).toBe(1);
    const error = await closed;
    expect(error).toMatchObject({ name: 'SeplAuthError', code: 'SEPL_AUTH', status: 400 });
    expect(errorCategory(error)).toBe('auth');
    await expect(connector.done).rejects.toBe(error);
    expect(connector.state).toBe('closed');
  });

  it('push sends a command to a connected device and answers its task id; bad input is a 400', async () => {
    const { sim, connector, control } = await setup();
    const commands = connector.commands();
    await connector.start();
    const { taskId } = (await control.push({ device: 'lamp', service: 'on', parts: { data: '1' } })) as { taskId: string };
    const { value } = await commands.next();
    expect(value).toMatchObject({ task_id: taskId, device_url: 'lamp', service_url: 'on', protocol_parts: [{ name: 'data', value: '1' }] });
    await connector.respond(value as never, { data: 'ok' });
    await expect.poll(() => sim.received.some((f) => f.handler === 'response' && (f.payload as { task_id?: string }).task_id === taskId)).toBe(true);
    await expect(control.push({ device: 'lamp' })).rejects.toMatchObject({ status: 400 });
    await expect(control.push({ device: 'ghost', service: 'on' })).rejects.toMatchObject({ status: 400 });
  });

  it('faults apply to the HTTP endpoints (lookup), not to the control API', async () => {
    const { sim, control } = await setup();
    await control.addFault({ kind: 'status', status: 503, path: '/lookup' });
    expect((await fetch(sim.lookupUrl)).status).toBe(503);
    expect(await (await fetch(sim.lookupUrl)).text()).toBe(sim.websocketUrl);
  });
});
