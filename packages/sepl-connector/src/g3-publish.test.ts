// CallOptions on the G3 publishes: the caller's signal, timeoutInMs and deadlineInMs bound the wait
// for the broker's acknowledgement (held back by the simulator's PUBLISH stall fault) and reject with
// @x/http-core's AbortError / TimeoutError; an answer cut short that way still counts as given.
// Commands that arrive while an answer waits for the broker are neither lost nor answered twice.
import { AbortError, TimeoutError } from '@x/http-core';
import { afterEach, describe, expect, it } from 'vitest';
import { createG3Http } from './g3-http.js';
import type { G3Command } from './g3-messages.js';
import { G3PlatformClient } from './g3-platform.js';
import { G3Session } from './g3-session.js';
import { startSeplG3Simulator, type SeplG3Simulator } from './testing/g3-simulator.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup(): Promise<{ sim: SeplG3Simulator; session: G3Session; command: () => Promise<G3Command> }> {
  const sim = await startSeplG3Simulator({ users: { alice: 'secret' }, clientId: 'cc' });
  cleanup.push(() => sim.close());
  const g3 = createG3Http({ retry: false }, { tokenUrl: sim.tokenUrl, clientId: 'cc', user: 'alice', password: 'secret' });
  cleanup.push(() => g3.http.close());
  const platform = new G3PlatformClient(g3.http, { hubUrl: sim.hubUrl, deviceUrl: sim.deviceUrl });
  const hubId = await platform.createHub('hub');
  await platform.putDevice({ id: 'lamp', name: 'Lamp', type: 'urn:t' });
  await platform.syncHub(hubId, [{ id: 'lamp', name: 'Lamp', type: 'urn:t' }]);
  const session = new G3Session({ url: sim.mqttUrl, hubId, user: 'alice', password: 'secret', ca: sim.caPem, devices: ['lamp'], reconnect: { initialDelayInMs: 10, maxDelayInMs: 50 } });
  cleanup.push(() => session.close());
  const subscribed = new Promise((resolve) => session.once('subscribed', resolve));
  await session.start();
  await subscribed;
  const iterator = session[Symbol.asyncIterator]();
  const command = async (): Promise<G3Command> => {
    await sim.broker.sendCommand('lamp', 'on', { data: '1' });
    return (await iterator.next()).value as G3Command;
  };
  return { sim, session, command };
}

describe('G3 publish with CallOptions', () => {
  it('an unacknowledged event times out (phase headers) or hits the deadline; the broker may still get it', async () => {
    const { sim, session } = await setup();
    sim.control.faults.add({ kind: 'stall', method: 'PUBLISH', path: '/event/*', stallInMs: 300, count: 2 });
    const slow = session.event('lamp', 'power', { data: '1' }, { timeoutInMs: 30 });
    await expect(slow).rejects.toBeInstanceOf(TimeoutError);
    await expect(slow).rejects.toMatchObject({ phase: 'headers', timeoutInMs: 30, method: 'PUBLISH', url: 'event/lamp/power', message: 'no MQTT acknowledgement of the publish to event/lamp/power within 30 ms' });
    await expect(session.event('lamp', 'power', { data: '2' }, { timeoutInMs: 1_000, deadlineInMs: 20 })).rejects.toMatchObject({ name: 'TimeoutError', phase: 'deadline', timeoutInMs: 20 });
    // MQTT cannot take a message back: both arrive once the broker acknowledges them
    await expect.poll(() => sim.broker.messages.map((m) => (m.payload as { data: string }).data)).toEqual(['1', '2']);
    await session.event('lamp', 'power', { data: '3' }, { timeoutInMs: 1_000 });
    expect(sim.broker.messages).toHaveLength(3);
  });

  it('an aborted signal: before sending nothing goes out and the answer may be given again; while waiting the answer counts as given', async () => {
    const { sim, session, command } = await setup();
    const first = await command();
    const aborted = AbortSignal.abort(new Error('stop'));
    const refused = session.respond(first, { data: 'no' }, { signal: aborted });
    await expect(refused).rejects.toBeInstanceOf(AbortError);
    await expect(refused).rejects.toMatchObject({ category: 'aborted', cause: new Error('stop') });
    await session.respond(first, { data: 'yes' });
    await expect.poll(() => sim.broker.commands.get(first.correlationId)?.responses).toEqual([{ metadata: null, data: 'yes' }]);

    const second = await command();
    sim.control.faults.add({ kind: 'stall', method: 'PUBLISH', path: '/response/*', stallInMs: 200 });
    const controller = new AbortController();
    const waiting = session.respond(second, { data: 'late' }, { signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbortError);
    await expect(session.respond(second, { data: 'twice' })).rejects.toThrow(new RangeError(`command ${second.correlationId} was answered already`));
    await expect.poll(() => sim.broker.commands.get(second.correlationId)?.responses).toEqual([{ metadata: null, data: 'late' }]);
  });

  it('a publish the broker refuses ends the connection: SeplNotConnectedError, and the answer may be given on the next one; bad options are named', async () => {
    const { sim, session, command } = await setup();
    const first = await command();
    sim.control.faults.add({ kind: 'status', status: 503, method: 'PUBLISH', path: '/response/*' });
    await expect(session.respond(first, { data: 'lost' }, { timeoutInMs: 2_000 })).rejects.toMatchObject({
      name: 'SeplNotConnectedError',
      category: 'transient',
      message: 'the G3 connection ended before the broker acknowledged the publish to response/lamp/on',
    });
    // the next connection may carry the answer
    await expect.poll(() => session.stats.connections, { timeout: 10_000 }).toBe(2);
    await expect.poll(() => session.state).toBe('connected');
    await session.respond(first, { data: 'found' });
    await expect.poll(() => sim.broker.commands.get(first.correlationId)?.responses).toEqual([{ metadata: null, data: 'found' }]);
    await expect(session.event('lamp', 'power', { data: '1' }, { timeoutInMs: -1 })).rejects.toThrow(RangeError);
    await expect(session.event('lamp', 'power', { data: '1' }, { timeoutInMs: -1 })).rejects.toThrow(/^event\(\) options\.timeoutInMs/);
  });

  it('commands that arrive while an answer is pending are neither lost nor answered twice', async () => {
    const { sim, session, command } = await setup();
    const first = await command();
    sim.control.faults.add({ kind: 'stall', method: 'PUBLISH', path: '/response/*', stallInMs: 150 });
    const pending = session.respond(first, { data: 'first' });
    // while the first answer waits for the broker, two more commands come (one re-delivered first)
    const second = await command();
    await sim.broker.publish(`command/lamp/on`, { correlation_id: first.correlationId, payload: { data: 'again' } });
    const third = await command();
    expect([second.correlationId, third.correlationId]).not.toContain(first.correlationId);
    await Promise.all([session.respond(second, { data: 'second' }), session.respond(third, { data: 'third' })]);
    await pending;
    await expect(session.respond(first, { data: 'twice' })).rejects.toThrow(RangeError);
    for (const [c, data] of [[first, 'first'], [second, 'second'], [third, 'third']] as const) {
      expect(sim.broker.commands.get(c.correlationId)?.responses).toEqual([{ metadata: null, data }]);
    }
    expect(session.stats.buffered).toBe(0);
  });
});
