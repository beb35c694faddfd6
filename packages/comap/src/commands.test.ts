import { afterEach, describe, expect, it } from 'vitest';
import { isHttpError, isNetworkError } from '@x/http-core';
import { ComapClient, ComapCommandOutcomeUnknownError, VALUE_GUID } from './index.js';
import { startComapSimulator, type ComapSimulator, type ComapSimulatorOptions } from './testing/index.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

async function setup(options: ComapSimulatorOptions = {}): Promise<{ sim: ComapSimulator; client: ComapClient }> {
  const sim = await startComapSimulator({ units: 3, rateLimit: false, seed: 7, ...options });
  const client = new ComapClient({ ...sim.credentials(), baseUrl: sim.url, rateLimit: false, retry: { maxAttempts: 4, baseDelayInMs: 1, maxDelayInMs: 5 } });
  open.push(sim, client);
  return { sim, client };
}

async function value(client: ComapClient, guid: string, valueGuid: string): Promise<unknown> {
  return (await client.values(guid, [valueGuid]))[0]?.value;
}

describe('commands against the simulator', () => {
  it('start runs the engine, stop stops it, changeMode sets the mode; bodies on the wire are exact', async () => {
    const { sim, client } = await setup();
    const u = sim.units.find((x) => !x.state.running)!;
    const starts = u.state.starts;
    const r = await client.command(u.unitGuid, 'start');
    expect(r).toEqual({ status: 200, body: { message: 'Command was successfully sent.' } });
    expect(sim.requests.at(-1)).toMatchObject({ method: 'POST', path: `/v1.1/sim.operator/units/${u.unitGuid}/command`, body: { command: 'start' }, contentType: 'application/json' });
    expect(await value(client, u.unitGuid, VALUE_GUID.RPM)).toBe(1500);
    expect(await value(client, u.unitGuid, VALUE_GUID.number_of_starts)).toBe(starts + 1);
    await client.command(u.unitGuid, { command: 'changeGcb' });
    expect(await value(client, u.unitGuid, VALUE_GUID.engine_state)).toBe('Loaded');
    await client.command(u.unitGuid, { command: 'changeMode', mode: 'man' });
    expect(await value(client, u.unitGuid, VALUE_GUID.mode)).toBe('MAN');
    await client.command(u.unitGuid, { command: 'stop' });
    expect(await value(client, u.unitGuid, VALUE_GUID.engine_state)).toBe('Ready');
    expect(u.commands.map((c) => c.body)).toEqual([{ command: 'start' }, { command: 'changeGcb' }, { command: 'changeMode', mode: 'man' }, { command: 'stop' }]);
  });

  it('the whole vocabulary is accepted by the simulator', async () => {
    const { sim, client } = await setup();
    const u = sim.units[0]!;
    u.state.alarms = ['Wrn Fuel level'];
    const all = [
      { command: 'faultReset' },
      { command: 'changeMcb' },
      { command: 'sensorButton' },
      { command: 'timerButton' },
      { command: 'userButton', index: 32, action: 'pulse' },
      { command: 'remoteSwitch', index: 1, action: 'start' },
      { command: 'extValue', index: 4, value: -2.5 },
      { command: 'setTimer', index: 2, action: { mode: 'Period', from: 1_700_000_000_000, duration: 30, setupPeriod: { minutesRepeat: 120 } } },
      { command: 'changeSetpoint', guid: VALUE_GUID.genset_name, value: 'MyController' },
    ] as const;
    for (const c of all) expect((await client.command(u.unitGuid, c)).status).toBe(200);
    expect(u.commands.map((c) => c.body)).toEqual(all);
    expect(await value(client, u.unitGuid, VALUE_GUID.alarm_list)).toEqual([]);
    expect(await value(client, u.unitGuid, VALUE_GUID.genset_name)).toBe('MyController');
    expect((await client.units())[0]?.name).toBe('MyController');
    expect(u.state.controls.get('extValue:4')).toBe(-2.5);
  });

  it('invalid commands never leave the client', async () => {
    const { sim, client } = await setup();
    const n = sim.requests.length;
    await expect(client.command(sim.units[0]!.unitGuid, { command: 'userButton', index: 33, action: 'start' })).rejects.toThrow(RangeError);
    await expect(client.command(sim.units[0]!.unitGuid, { command: 'changeMode' } as never)).rejects.toThrow(new TypeError('command.mode must be a string'));
    expect(sim.requests.length).toBe(n);
  });

  it('a mode the unit lacks is a 400 with the server message', async () => {
    const { sim, client } = await setup();
    const e = await client.command(sim.units[0]!.unitGuid, { command: 'changeMode', mode: 'turbo' }).catch((x: unknown) => x);
    expect(isHttpError(e) && e.status).toBe(400);
    expect((e as { vendor: unknown }).vendor).toEqual({ message: 'Mode turbo is not available on this unit.' });
  });

  it('a 401 (refused by the gateway, never seen by the unit) re-authenticates and sends the command once more', async () => {
    const { sim, client } = await setup();
    const u = sim.units.find((x) => !x.state.running)!;
    await client.units();
    sim.revokeTokens();
    expect((await client.command(u.unitGuid, 'start')).status).toBe(200);
    expect(sim.requests.slice(2).map((r) => `${r.method} ${r.path.split('/').pop()} ${r.status}`)).toEqual(['POST command 401', 'POST authenticate 200', 'POST command 200']);
    expect(u.commands.map((c) => c.body)).toEqual([{ command: 'start' }]);
  });

  it('an empty or non-JSON 200 body is a success', async () => {
    const empty = await setup({ commandResponse: 'empty' });
    expect(await empty.client.command(empty.sim.units[0]!.unitGuid, 'faultReset')).toEqual({ status: 200, body: undefined });
    const text = await setup({ commandResponse: 'text' });
    expect(await text.client.command(text.sim.units[0]!.unitGuid, 'faultReset')).toEqual({ status: 200, body: 'Command was successfully sent.' });
  });

  it('is never retried: a 503 or a dropped connection fails at once, the unit saw one request', async () => {
    const { sim, client } = await setup();
    const u = sim.units[0]!;
    sim.faults.fail(1, 503, '/command');
    const e = await client.command(u.unitGuid, 'start').catch((x: unknown) => x);
    expect(isHttpError(e) && e.status).toBe(503);
    expect(sim.requests.filter((r) => r.path.endsWith('/command'))).toHaveLength(1);
    sim.faults.drop(1, '/command');
    const e2 = await client.command(u.unitGuid, 'start').catch((x: unknown) => x);
    // The connection dropped after the request went: the outcome is unknown, the cause the network error.
    expect(e2).toBeInstanceOf(ComapCommandOutcomeUnknownError);
    expect(isNetworkError((e2 as Error).cause)).toBe(true);
    expect(sim.requests.filter((r) => r.path.endsWith('/command'))).toHaveLength(2);
    expect(u.commands).toHaveLength(0);
    // Not even a 429 that asks for no wait at all.
    sim.faults.throttle(1, 0, '/command');
    const e3 = await client.command(u.unitGuid, 'start').catch((x: unknown) => x);
    expect(isHttpError(e3) && e3.status).toBe(429);
    expect(sim.requests.filter((r) => r.path.endsWith('/command'))).toHaveLength(3);
    expect(u.commands).toHaveLength(0);
    // Reads are retried through the same faults.
    sim.faults.fail(2, 503).drop(1);
    expect(await client.units()).toHaveLength(3);
    expect(sim.faults.pending).toBe(0);
  });
});
