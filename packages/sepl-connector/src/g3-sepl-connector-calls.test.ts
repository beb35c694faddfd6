// SeplConnector with protocol 'g3' builds no websocket parts (no SeplSession), passes CallOptions
// to the MQTT publishes (abort, timeout; requestTimeoutInMs by default, as a G2 request) and
// reports a throwing 'command' listener as an 'error' instead of losing it.
import { AbortError, TimeoutError } from '@x/http-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SeplConnector } from './client.js';
import type { SeplCommand } from './command.js';
import { aliceG3Options } from './g3-test-support.js';
import type * as SessionModule from './session.js';
import { startSeplG3Simulator, type SeplG3Simulator } from './testing/g3-simulator.js';

const built = vi.hoisted(() => ({ sessions: 0 }));
vi.mock('./session.js', async (importOriginal) => {
  const original = await importOriginal<typeof SessionModule>();
  class CountedSession extends original.SeplSession {
    constructor(...args: ConstructorParameters<typeof original.SeplSession>) {
      super(...args);
      built.sessions += 1;
    }
  }
  return { ...original, SeplSession: CountedSession };
});

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup(requestTimeoutInMs?: number): Promise<{ sim: SeplG3Simulator; connector: SeplConnector }> {
  const sim = await startSeplG3Simulator({ users: { alice: 'secret' }, clientId: 'cc' });
  cleanup.push(() => sim.close());
  const connector = new SeplConnector(aliceG3Options(sim, [{ id: 'lamp', type: 'urn:t', name: 'Lamp' }], requestTimeoutInMs ? { requestTimeoutInMs } : {}));
  cleanup.push(() => connector.close());
  return { sim, connector };
}

/** start(), then the first 'ready' (the connection subscribed to the commands). */
async function started(connector: SeplConnector): Promise<void> {
  const ready = new Promise((resolve) => connector.once('ready', resolve));
  await connector.start();
  await ready;
}

describe('SeplConnector protocol g3: calls', () => {
  it('builds no websocket session (G2 does)', async () => {
    const before = built.sessions;
    await setup();
    expect(built.sessions).toBe(before);
    const g2 = new SeplConnector({ url: 'ws://127.0.0.1:1/', user: 'u', password: 'p' });
    cleanup.push(() => g2.close());
    expect(built.sessions).toBe(before + 1);
  });

  it('event and respond take CallOptions down to the publish; requestTimeoutInMs bounds it by default', async () => {
    const { sim, connector } = await setup(40);
    await started(connector);
    const aborted = connector.event('lamp', 'power', { data: '1' }, { signal: AbortSignal.abort() });
    await expect(aborted).rejects.toBeInstanceOf(AbortError);
    sim.control.faults.add({ kind: 'stall', method: 'PUBLISH', path: '/event/*', stallInMs: 250, count: 2 });
    await expect(connector.event('lamp', 'power', { data: '2' })).rejects.toMatchObject({ name: 'TimeoutError', phase: 'headers', timeoutInMs: 40 });
    await expect(connector.event('lamp', 'power', { data: '3' }, { deadlineInMs: 10 })).rejects.toBeInstanceOf(TimeoutError);
    await connector.event('lamp', 'power', { data: '4' }, { timeoutInMs: 2_000 });
    await expect.poll(() => sim.broker.messages.map((m) => (m.payload as { data: string }).data).sort()).toEqual(['2', '3', '4']);
    const commands = connector.commands();
    await sim.broker.sendCommand('lamp', 'on', { data: '1' });
    const command = (await commands.next()).value as SeplCommand;
    sim.control.faults.add({ kind: 'stall', method: 'PUBLISH', path: '/response/*', stallInMs: 250 });
    await expect(connector.respond(command, { data: 'ok' }, { timeoutInMs: 20 })).rejects.toMatchObject({ name: 'TimeoutError', timeoutInMs: 20 });
    await expect(connector.respond(command, { data: 'again' })).rejects.toThrow(RangeError);
  });

  it("a 'command' listener that throws is reported on 'error' (the session goes on)", async () => {
    const { sim, connector } = await setup();
    const errors: Error[] = [];
    connector.on('error', (e) => errors.push(e));
    connector.on('command', () => {
      throw new Error('listener broke');
    });
    await started(connector);
    await sim.broker.sendCommand('lamp', 'on', { data: '1' });
    await expect.poll(() => errors.map((e) => e.message)).toEqual(['listener broke']);
    expect(connector.state).toBe('ready');
  });
});
