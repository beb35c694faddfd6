import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '@x/http-core';
import { ComapClient, ComapCommandOutcomeUnknownError, VALUE_GUID, commandEffect, waitForEffect } from './index.js';
import { createJumpClock, startComapSimulator, type ComapSimulator, type JumpClock } from './testing/index.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

/** A simulator whose commands act `delayInMs` after they are accepted, on a clock the wait jumps forward. */
async function setup(delayInMs: number): Promise<{ sim: ComapSimulator; client: ComapClient; jump: JumpClock; clock: Clock }> {
  const jump = createJumpClock();
  const sim = await startComapSimulator({ units: 3, rateLimit: false, seed: 7, now: jump.now, commandEffectDelayInMs: delayInMs });
  const client = new ComapClient({ ...sim.credentials(), baseUrl: sim.url, rateLimit: false, retry: { maxAttempts: 2, baseDelayInMs: 1, maxDelayInMs: 5 } });
  open.push(sim, client);
  // Every wait of waitForEffect moves the shared clock by its length and returns at once.
  const clock: Clock = {
    now: jump.now,
    setTimeout: (callback, ms) => {
      jump.advance(ms);
      return setImmediate(callback);
    },
    clearTimeout: (handle) => clearImmediate(handle as NodeJS.Immediate),
  };
  return { sim, client, jump, clock };
}

describe('commandEffect', () => {
  it('changeMode waits for the mode (any case), start for a running engine, stop for a stopped one; other commands have none', () => {
    const mode = commandEffect({ command: 'changeMode', mode: 'man' });
    expect([mode?.valueGuid, mode?.expected, mode?.shows('MAN'), mode?.shows('AUT'), mode?.shows(3)]).toEqual([VALUE_GUID.mode, 'mode man', true, false, false]);
    const start = commandEffect('start');
    expect([start?.valueGuid, start?.shows('Running'), start?.shows('loaded'), start?.shows('Ready'), start?.shows(null)]).toEqual([VALUE_GUID.engine_state, true, true, false, false]);
    const stop = commandEffect('stop');
    expect([stop?.shows('Ready'), stop?.shows('Not Ready'), stop?.shows('Running'), stop?.shows(null)]).toEqual([true, true, false, false]);
    expect(commandEffect('faultReset')).toBeUndefined();
    expect(commandEffect({ command: 'userButton', index: 1, action: 'pulse' })).toBeUndefined();
  });
});

describe('waitForEffect against a simulator whose unit acts 5 s after the API accepted', () => {
  it('start: reads until the engine runs (not seen at once, seen after the delay) and says how long it took', async () => {
    const { sim, client, clock } = await setup(5000);
    const u = sim.units.find((x) => !x.state.running)!;
    await client.command(u.unitGuid, 'start');
    expect(u.state.running).toBe(false);
    const outcome = await waitForEffect(client, u.unitGuid, 'start', { intervalInMs: 2000, waitInMs: 60_000, clock });
    expect(outcome).toMatchObject({ seen: true, expected: 'engine running', valueGuid: VALUE_GUID.engine_state, value: 'Running', reads: 4 });
    expect(outcome.elapsedInMs).toBeGreaterThanOrEqual(6000);
    expect(outcome.elapsedInMs).toBeLessThan(7000);
  });

  it('changeMode not shown within waitInMs: seen false with the last value read, after the last read at the deadline', async () => {
    const { sim, client, clock } = await setup(120_000);
    const u = sim.units[0]!;
    const before = u.state.mode;
    await client.command(u.unitGuid, { command: 'changeMode', mode: before === 'MAN' ? 'AUT' : 'MAN' });
    const outcome = await waitForEffect(client, u.unitGuid, { command: 'changeMode', mode: before === 'MAN' ? 'AUT' : 'MAN' }, { intervalInMs: 3000, waitInMs: 10_000, clock });
    expect(outcome).toMatchObject({ seen: false, value: before, reads: 5 });
    expect(outcome.elapsedInMs).toBeGreaterThanOrEqual(10_000);
  });

  it('refuses a command with no visible effect, bad durations, and stops on abort', async () => {
    const { sim, client, clock } = await setup(0);
    const guid = sim.units.find((x) => !x.state.running)!.unitGuid;
    await expect(waitForEffect(client, guid, 'faultReset')).rejects.toThrow(new RangeError('command "faultReset" has no effect to wait for (changeMode, start and stop have)'));
    await expect(waitForEffect(client, guid, 'start', { waitInMs: -1 })).rejects.toThrow(RangeError);
    await expect(waitForEffect(client, guid, 'start', { intervalInMs: Number.NaN })).rejects.toThrow(TypeError);
    const controller = new AbortController();
    const wait = waitForEffect(client, guid, 'start', { clock: { ...clock, setTimeout: () => queueMicrotask(() => controller.abort()) }, signal: controller.signal });
    await expect(wait).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('a command executed whose answer is lost', () => {
  it('is ComapCommandOutcomeUnknownError (category conflict), sent once, and the effect is there to find', async () => {
    const { sim, client, clock } = await setup(0);
    const u = sim.units.find((x) => !x.state.running)!;
    sim.loseCommandAnswers(1);
    const error = await client.command(u.unitGuid, 'start').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ComapCommandOutcomeUnknownError);
    expect(error).toMatchObject({ category: 'conflict', code: 'COMAP_COMMAND_OUTCOME_UNKNOWN' });
    expect((error as Error).message).toMatch(/^the answer to start was lost \(.+\): the unit may have executed it; read the unit before sending it again$/);
    expect(u.commands.map((c) => c.body)).toEqual([{ command: 'start' }]);
    expect(sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/command')).map((r) => r.status)).toEqual([-1]);
    expect(await waitForEffect(client, u.unitGuid, 'start', { clock })).toMatchObject({ seen: true, reads: 1 });
    // The next command is answered again.
    expect((await client.command(u.unitGuid, 'stop')).status).toBe(200);
  });

  it('a timeout after the unit acted (the answer stalls) is an unknown outcome too, with the TimeoutError as cause', async () => {
    const { sim } = await setup(0);
    const u = sim.units.find((x) => !x.state.running)!;
    const client = new ComapClient({ ...sim.credentials(), baseUrl: sim.url, rateLimit: false, timeoutInMs: 150 });
    open.push(client);
    sim.loseCommandAnswers(1, 5000);
    const error = await client.command(u.unitGuid, 'start').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ComapCommandOutcomeUnknownError);
    expect((error as Error).cause).toMatchObject({ name: 'TimeoutError', category: 'timeout' });
    expect([u.state.running, u.commands.length]).toEqual([true, 1]);
    expect(() => sim.loseCommandAnswers(1, -1)).toThrow(RangeError);
  });

  it('a refused connection never carried the command: its own error, not an unknown outcome', async () => {
    const { sim, client } = await setup(0);
    const guid = sim.units[0]!.unitGuid;
    await client.getToken();
    await sim.close();
    const error = await client.command(guid, 'start').catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(ComapCommandOutcomeUnknownError);
    expect(error).toMatchObject({ name: 'NetworkError', code: 'ECONNREFUSED' });
  });
});
