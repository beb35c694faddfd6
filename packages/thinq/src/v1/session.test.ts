// v1 monitoring on the session base, and the shared token refresh, against the simulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortError } from '@x/http-core';
import { ControlClient } from '@x/http-core/testing';
import { startThinqSimulator, type ThinqSimulator } from '../testing/simulator.js';
import { V1Client } from './client.js';
import type { MonitorFrame } from './session.js';

async function loggedIn(sim: ThinqSimulator): Promise<V1Client> {
  const client = new V1Client({ gatewayUrl: sim.gatewayUrl });
  const callback = (await fetch(await client.loginUrl(), { redirect: 'manual' })).headers.get('location') ?? '';
  await client.completeLogin(callback);
  return client;
}

describe('V1MonitorSession', () => {
  let sim: ThinqSimulator;
  let client: V1Client;
  beforeAll(async () => {
    sim = await startThinqSimulator({ mqtt: false });
    client = await loggedIn(sim);
  });
  afterAll(async () => {
    await client.close();
    await sim.close();
  });

  it('restarts the monitor (a new work id, with backoff) after a monitor error, and keeps delivering', async () => {
    const washer = await client.device('sim-washer-0001');
    const model = await client.modelInfo(washer);
    const session = client.monitor(washer.deviceId).watch(model, { intervalInMs: 1, reconnect: { initialDelayInMs: 5, maxDelayInMs: 5 } });
    const events: string[] = [];
    session.on('connected', ({ connection }) => events.push(`connected ${connection}`));
    session.on('reconnecting', ({ error }) => events.push(`reconnecting ${error?.name ?? ''}`));
    const starts = sim.v1.stats.monitorStarts;
    const frames: MonitorFrame[] = [];
    for await (const frame of session) {
      frames.push(frame);
      if (frames.length === 1) sim.v1.failNextPoll(washer.deviceId, '0100');
      if (frames.length === 2) break;
    }
    expect(frames.map((f) => f.data.Remain_Time_M)).toEqual(['21', '21']);
    expect(events).toEqual(['connected 1', 'reconnecting MonitorError', 'connected 2']);
    expect(sim.v1.stats.monitorStarts - starts).toBe(2);
    await session.done;
    expect(session.state).toBe('closed');
  });

  it('ends with the refused refresh (category auth) when the tokens were revoked: the iterator throws', async () => {
    const fridge = await client.device('Fridge');
    const model = await client.modelInfo(fridge);
    const session = client.monitor(fridge.deviceId).watch(model, { intervalInMs: 1 });
    const errors: unknown[] = [];
    session.on('error', (err) => errors.push(err));
    expect(await new ControlClient(sim.controlUrl).revokeTokens()).toBeGreaterThan(1);
    const iterate = async (): Promise<void> => {
      for await (const _ of session) {
        // frames until the session ends
      }
    };
    await expect(iterate()).rejects.toMatchObject({ name: 'TokenError', category: 'auth' });
    await expect(session.done).rejects.toMatchObject({ name: 'TokenError' });
    expect(errors).toMatchObject([{ name: 'TokenError' }]);
  });

  it('checks its durations: a 30-day poll interval is a RangeError naming it', () => {
    expect(() => client.monitor('sim-washer-0001').watch(undefined as never, { intervalInMs: 30 * 86_400_000 })).toThrow(
      expect.objectContaining({ name: 'RangeError', message: expect.stringContaining('intervalInMs') as unknown }) as Error,
    );
  });
});

describe('V1Client logging', () => {
  it('namespaces its lines thinq (session expiry and the monitor session)', async () => {
    const sim = await startThinqSimulator({ mqtt: false });
    const lines: { message: string; namespace: unknown }[] = [];
    const record = (message: string, fields?: Record<string, unknown>): void => void lines.push({ message, namespace: fields?.namespace });
    const logger = { debug: () => undefined, info: record, warn: record, error: record };
    const client = new V1Client({ gatewayUrl: sim.gatewayUrl, logger });
    try {
      const callback = (await fetch(await client.loginUrl(), { redirect: 'manual' })).headers.get('location') ?? '';
      await client.completeLogin(callback);
      sim.v1.expireSessions();
      await client.devices();
      const washer = await client.device('sim-washer-0001');
      const session = client.monitor(washer.deviceId).watch(await client.modelInfo(washer), { intervalInMs: 1, logger });
      for await (const _ of session) break;
      expect(lines).toContainEqual({ message: 'thinq v1 session expired; refreshing', namespace: 'thinq' });
      expect(lines).toContainEqual({ message: 'v1 monitor sim-washer-0001: connected', namespace: 'thinq' });
      expect(lines.every((l) => l.namespace === 'thinq')).toBe(true);
    } finally {
      await client.close();
      await sim.close();
    }
  });
});

describe('V1Client.refresh', () => {
  it('shares one refresh between callers, on its own signal: a caller that gives up does not fail the others', async () => {
    const sim = await startThinqSimulator({ mqtt: false });
    const client = await loggedIn(sim);
    try {
      const refreshes = sim.v1.stats.refreshes;
      const first = new AbortController();
      const a = client.refresh({ signal: first.signal });
      const b = client.refresh();
      first.abort();
      await expect(a).rejects.toBeInstanceOf(AbortError);
      await expect(b).resolves.toBeUndefined();
      expect(sim.v1.stats.refreshes - refreshes).toBe(1);
      expect((await client.devices()).length).toBe(4);
      await expect(client.refresh({ signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
      await expect(client.refresh({ timeoutInMs: -1 })).rejects.toThrow(RangeError);
    } finally {
      await client.close();
      await sim.close();
    }
  });
});
