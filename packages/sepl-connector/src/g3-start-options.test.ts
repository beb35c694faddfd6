// SeplConnector under G3: start(options) bounds its REST steps and the first MQTT connection with
// the whole CallOptions (timeoutInMs each step and its wait for the OpenID token, deadlineInMs the
// whole start, a signal that does not outlive the start), and disconnect() never hangs on a broker
// that stopped answering.
import { AbortError, TimeoutError } from '@x/http-core';
import { afterEach, describe, expect, it } from 'vitest';
import { SeplConnector } from './client.js';
import { aliceG3Options } from './g3-test-support.js';
import { startSeplG3Simulator, type SeplG3Simulator } from './testing/g3-simulator.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup(): Promise<{ sim: SeplG3Simulator; connector: SeplConnector }> {
  const sim = await startSeplG3Simulator({ users: { alice: 'secret' }, clientId: 'cc' });
  cleanup.push(() => sim.close());
  const devices = [
    { id: 'lamp', type: 'urn:t', name: 'Lamp' },
    { id: 'fan', type: 'urn:t', name: 'Fan' },
  ];
  const connector = new SeplConnector(aliceG3Options(sim, devices, { reconnect: { initialDelayInMs: 20, maxDelayInMs: 40 }, retry: false }));
  cleanup.push(() => connector.close());
  return { sim, connector };
}

function commandTopics(sim: SeplG3Simulator, hubId: string): string[] {
  return (sim.broker.subscriptions.get(hubId) ?? []).filter((t) => t.startsWith('command/')).sort();
}

describe('SeplConnector protocol g3: start(options) and disconnect() are bounded', () => {
  it('timeoutInMs bounds each REST step (a stalled hub create)', async () => {
    const { sim, connector } = await setup();
    sim.control.faults.add({ kind: 'stall', method: 'POST', path: `${new URL(sim.hubUrl).pathname}*`, stallInMs: 3_000, count: 1 });
    const startedAt = Date.now();
    await expect(connector.start({ timeoutInMs: 80 })).rejects.toMatchObject({ name: 'TimeoutError', timeoutInMs: 80 });
    expect(Date.now() - startedAt).toBeLessThan(2_000);
  });

  it('timeoutInMs bounds the wait for the OpenID token (a stalled token endpoint); the shared token request goes on and the next start() gets its token', async () => {
    const { sim, connector } = await setup();
    const token = new URL(sim.tokenUrl);
    sim.control.faults.add({ kind: 'stall', method: 'POST', path: token.pathname, stallInMs: 1_500, count: 1 });
    const startedAt = Date.now();
    const error = await connector.start({ timeoutInMs: 100 }).catch((e: unknown) => e);
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({
      timeoutInMs: 100,
      message: `bearerAuth: the OpenID token request (POST ${token.origin}${token.pathname}) did not answer within the call's timeoutInMs of 100 ms (it goes on for the other calls)`,
    });
    expect(sim.rest.grants).toEqual([]); // still stalled
    await expect(connector.start()).resolves.toMatchObject({ protocol: 'g3', resynced: true });
    expect(sim.rest.grants).toEqual(['password']);
  });

  it('deadlineInMs bounds the whole start, not each step', async () => {
    const { sim, connector } = await setup();
    // two requests of 150 ms each: either fits a 250 ms deadline, both do not
    sim.control.faults.add({ kind: 'stall', method: 'POST', path: '*', stallInMs: 150, count: 2 });
    const error = await connector.start({ deadlineInMs: 250 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ phase: 'deadline' });
  });

  it('the wait for the first MQTT connection is bounded; the connector goes on connecting and gets ready', async () => {
    const { sim, connector } = await setup();
    sim.broker.outage(60_000);
    const ready = new Promise((resolve) => connector.once('ready', resolve));
    await expect(connector.start({ timeoutInMs: 150 })).rejects.toMatchObject({ name: 'TimeoutError', method: 'CONNECT', url: sim.mqttUrl, timeoutInMs: 150 });
    expect(connector.state).not.toBe('closed');
    sim.broker.outage(0);
    await expect(ready).resolves.toMatchObject({ protocol: 'g3', gatewayId: connector.gatewayId });
  });

  it('start() again joins the start that ran: after one cut short while connecting it resolves once connected; concurrent calls make one hub', async () => {
    const { sim, connector } = await setup();
    sim.broker.outage(60_000);
    await expect(connector.start({ timeoutInMs: 100 })).rejects.toMatchObject({ name: 'TimeoutError', method: 'CONNECT' });
    await expect(connector.start({ timeoutInMs: 100 })).rejects.toMatchObject({ name: 'TimeoutError', method: 'CONNECT' });
    const again = connector.start();
    const concurrent = connector.start();
    sim.broker.outage(0);
    const info = { protocol: 'g3', gatewayId: connector.gatewayId, resynced: true, url: sim.mqttUrl };
    await expect(again).resolves.toMatchObject(info);
    await expect(concurrent).resolves.toMatchObject(info);
    expect(sim.rest.hubs.size).toBe(1);
  });

  it('an abort while the MQTT connection is pending rejects with AbortError', async () => {
    const { sim, connector } = await setup();
    sim.broker.outage(60_000);
    const controller = new AbortController();
    const starting = connector.start({ signal: controller.signal });
    connector.once('reconnecting', () => controller.abort());
    await expect(starting).rejects.toBeInstanceOf(AbortError);
  });

  it("the start's signal does not outlive the start: aborting it later leaves the connector running", async () => {
    const { sim, connector } = await setup();
    const controller = new AbortController();
    await connector.start({ signal: controller.signal });
    controller.abort();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(connector.state).toBe('ready');
    await connector.event('lamp', 'power', { data: '1' });
    expect(sim.broker.messages.map((m) => m.deviceId)).toEqual(['lamp']);
  });

  it('disconnect() on a broker that stopped answering: a bounded wait, then the connection is closed; the next one leaves the device out', async () => {
    const { sim, connector } = await setup();
    const errors: Error[] = [];
    connector.on('error', (e) => errors.push(e));
    const first = new Promise((resolve) => connector.once('ready', resolve));
    await connector.start();
    await first;
    const hubId = connector.gatewayId as string;
    expect(commandTopics(sim, hubId)).toEqual(['command/fan/+', 'command/lamp/+']);
    sim.broker.stallConnections();
    const disconnected = new Promise((resolve) => connector.once('disconnected', resolve));
    const startedAt = Date.now();

    await connector.disconnect('lamp', { timeoutInMs: 100 });

    expect(Date.now() - startedAt).toBeLessThan(2_000);
    await disconnected;

    expect(errors).toEqual([expect.objectContaining({ name: 'TimeoutError', method: 'UNSUBSCRIBE', url: 'command/lamp/+', timeoutInMs: 100 })]);
    sim.broker.resumeConnections();
    sim.broker.subscriptions.delete(hubId);
    const again = new Promise((resolve) => connector.once('ready', resolve));
    await again;
    expect(commandTopics(sim, hubId)).toEqual(['command/fan/+']);
    expect(await connector.store.get('lamp')).toBeUndefined();
  });
});
