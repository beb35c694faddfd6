// The G3 simulator's control API, driven as an outside test would: revoked tokens make the REST
// answer 401 until a new login, faults hit the REST paths, push validates its input and sends a
// command, drop ends the MQTT clients.
import { ControlClient } from '@x/http-core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createG3Http } from '../g3-http.js';
import { G3PlatformClient } from '../g3-platform.js';
import { G3Session } from '../g3-session.js';
import { startSeplG3Simulator } from './g3-simulator.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function login(tokenUrl: string): Promise<string> {
  const res = await fetch(tokenUrl, { method: 'POST', body: new URLSearchParams({ grant_type: 'password', username: 'alice', password: 'secret', client_id: 'cc' }) });
  return ((await res.json()) as { access_token: string }).access_token;
}

describe('G3 simulator control API', () => {
  it('describes itself; revoking ends the tokens; faults apply to the REST; push needs a device and a service', async () => {
    const sim = await startSeplG3Simulator({ users: { alice: 'secret' }, clientId: 'cc' });
    cleanup.push(() => sim.close());
    const control = new ControlClient(sim.controlUrl);
    expect(await control.info()).toMatchObject({ name: 'sepl-connector-g3' });
    const token = await login(sim.tokenUrl);
    const hubs = (t: string) => fetch(sim.hubUrl, { method: 'POST', headers: { authorization: `Bearer ${t}` }, body: JSON.stringify({ name: 'h' }) });
    expect((await hubs(token)).status).toBe(200);
    expect(await control.revokeTokens('alice')).toBe(2);
    expect((await hubs(token)).status).toBe(401);
    await control.addFault({ kind: 'status', status: 503, path: '/hubs' });
    expect((await hubs(await login(sim.tokenUrl))).status).toBe(503);
    // a faulted request never reaches the platform: two logins, a 200 and a 401 were received
    expect(((await control.received()).records as Array<{ path: string; status: number }>).map((r) => `${r.path} ${r.status}`)).toEqual(['/auth/token 200', '/hubs 200', '/hubs 401', '/auth/token 200']);
    await expect(control.push({ device: 'lamp' })).rejects.toMatchObject({ status: 400 });
    await expect(control.push({ outageInMs: '1s' })).rejects.toMatchObject({ status: 400 });
    expect(await control.push({ device: 'lamp', service: 'on', data: '1', metadata: 'm' })).toEqual({ correlationId: expect.any(String) });
    expect([...sim.broker.commands.values()].map((c) => [c.deviceId, c.serviceId, c.responses])).toEqual([['lamp', 'on', []]]);
    expect(await control.dropConnections()).toBe(0);
  });

  it('the token endpoint answers as Keycloak does for wrong clients, grants and methods', async () => {
    const sim = await startSeplG3Simulator({ users: { alice: 'secret' }, clientId: 'cc' });
    cleanup.push(() => sim.close());
    const post = async (form: Record<string, string>) => {
      const res = await fetch(sim.tokenUrl, { method: 'POST', body: new URLSearchParams(form) });
      return [res.status, ((await res.json()) as { error: string }).error];
    };
    expect(await post({ grant_type: 'password', username: 'alice', password: 'secret', client_id: 'other' })).toEqual([401, 'invalid_client']);
    expect(await post({ grant_type: 'client_credentials', client_id: 'cc' })).toEqual([400, 'unsupported_grant_type']);
    expect(await post({ grant_type: 'refresh_token', refresh_token: 'nope', client_id: 'cc' })).toEqual([400, 'invalid_grant']);
    expect((await fetch(sim.tokenUrl)).status).toBe(405);
    expect((await fetch(`${sim.url}elsewhere`)).status).toBe(404);
    expect(sim.rest.grants).toEqual(['password!', 'client_credentials!', 'refresh_token!']);
  });

  it('push {outageInMs}: the broker drops its clients and cuts new connections until the time passed on its clock; rejectCredentials refuses the login', async () => {
    let now = 1_700_000_000_000;
    const sim = await startSeplG3Simulator({ users: { alice: 'secret' }, clientId: 'cc', now: () => now });
    cleanup.push(() => sim.close());
    const g3 = createG3Http({ retry: false }, { tokenUrl: sim.tokenUrl, clientId: 'cc', user: 'alice', password: 'secret' });
    cleanup.push(() => g3.http.close());
    const hubId = await new G3PlatformClient(g3.http, { hubUrl: sim.hubUrl, deviceUrl: sim.deviceUrl }).createHub('h');
    const session = new G3Session({ url: sim.mqttUrl, hubId, user: 'alice', password: 'secret', ca: sim.caPem, reconnect: { initialDelayInMs: 5, maxDelayInMs: 20 } });
    cleanup.push(() => session.close());
    const failed: string[] = [];
    session.on('reconnecting', (e) => failed.push(e.error?.name ?? 'none'));
    session.on('error', () => undefined);
    await session.start();
    const control = new ControlClient(sim.controlUrl);
    expect(await control.push({ outageInMs: 60_000 })).toEqual({ dropped: 1, downUntil: now + 60_000 });
    expect(sim.broker.down).toBe(true);
    // while down every attempt is cut before the TLS handshake
    await expect.poll(() => failed.length).toBeGreaterThanOrEqual(3);
    // between attempts (connecting or waiting to reconnect), never connected again
    expect(['connecting', 'reconnecting']).toContain(session.state);
    expect(session.stats.connections).toBe(1);
    now += 60_000;
    expect(sim.broker.down).toBe(false);
    await expect.poll(() => session.stats.connections).toBe(2);
    expect(session.state).toBe('connected');
    expect(() => sim.broker.outage(-1)).toThrow(new RangeError('durationInMs must be a number >= 0'));
    // a disabled account: the next login is refused, which ends the session (fatal)
    sim.rest.rejectCredentials = true;
    sim.broker.dropConnections();
    await expect(session.done).rejects.toMatchObject({ name: 'SeplAuthError' });
  });
});
