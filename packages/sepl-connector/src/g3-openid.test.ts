// OpenID against the simulator's Keycloak-style endpoint: password grant, refresh before expiry,
// re-login after the refresh token expired or was revoked, refused credentials as an auth error
// that holds no secret.
import { inspect } from 'node:util';
import { errorCategory } from '@x/http-core';
import { createTestClock, startTestServer } from '@x/http-core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createG3Http } from './g3-http.js';
import { OpenIdTokenProvider } from './g3-openid.js';
import { startSeplG3Simulator } from './testing/g3-simulator.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup(password = 'secret') {
  const clock = createTestClock({ start: 1_700_000_000_000, auto: false });
  const sim = await startSeplG3Simulator({ users: { alice: 'secret' }, clientId: 'cc', now: () => clock.now(), accessTtlS: 300, refreshTtlS: 1800 });
  cleanup.push(() => sim.close());
  const g3 = createG3Http({ clock, retry: false }, { tokenUrl: sim.tokenUrl, clientId: 'cc', user: 'alice', password });
  cleanup.push(() => g3.http.close());
  const hubs = () => g3.http.request({ method: 'POST', path: sim.hubUrl, json: { id: null, name: 'h', hash: null, device_local_ids: [] } });
  return { clock, sim, g3, hubs };
}

describe('G3 OpenID tokens', () => {
  it('logs in with the password grant, reuses the token, refreshes before expiry, logs in again after the refresh token expired', async () => {
    const { clock, sim, g3, hubs } = await setup();
    await hubs();
    await hubs();
    expect(sim.rest.grants).toEqual(['password']);
    clock.advance(271_000); // 29 s before the access token expires: inside the refresh margin
    await hubs();
    expect(sim.rest.grants).toEqual(['password', 'refresh_token']);
    clock.advance(1801_000);
    await hubs();
    expect(sim.rest.grants).toEqual(['password', 'refresh_token', 'password']);
    expect(g3.tokens.grants).toEqual({ password: 2, refresh: 1 });
    expect(sim.requests.filter((r) => r.path === '/hubs').map((r) => [r.method, r.status])).toEqual(Array(4).fill(['POST', 200]));
  });

  it('a revoked session (refresh refused) logs in again; a 401 on the REST refreshes and replays once', async () => {
    const { clock, sim, hubs } = await setup();
    await hubs();
    expect(sim.rest.expireTokens('alice', 'access')).toBe(1);
    await hubs(); // 401 → bearerAuth asks again → refresh grant
    expect(sim.rest.grants).toEqual(['password', 'refresh_token']);
    expect(sim.rest.expireTokens('alice')).toBe(2);
    clock.advance(280_000);
    await hubs();
    expect(sim.rest.grants).toEqual(['password', 'refresh_token', 'refresh_token!', 'password']);
    expect(sim.requests.filter((r) => r.path === '/hubs').map((r) => r.status)).toEqual([200, 401, 200, 200]);
  });

  it('refused credentials are a SeplAuthError (category auth) that names no secret', async () => {
    const { sim, g3, hubs } = await setup('wrong-password');
    const error = await hubs().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'SeplAuthError', code: 'SEPL_AUTH', status: 401, message: 'password grant refused by the token endpoint' });
    expect(errorCategory(error)).toBe('auth');
    expect(inspect(error, { depth: 5 })).not.toContain('wrong-password');
    expect(sim.rest.grants).toEqual(['password!']);
    expect(g3.tokens.secrets()).toEqual([]);
  });

  it('a token answer without the token fields is a protocol error that shows none of the answer', async () => {
    const { sim, g3 } = await setup();
    const odd = await startTestServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: 'leaked-access', expires_in: 'soon' }));
    });
    cleanup.push(() => odd.close());
    const bare = new OpenIdTokenProvider(g3.http, { tokenUrl: `${odd.url}/token`, clientId: 'cc', user: 'alice', password: 'secret' }, createTestClock());
    const error = await bare.provider(new AbortController().signal).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'SeplProtocolError', code: 'SEPL_PROTOCOL' });
    expect((error as Error).message).toBe('token answer lacks access_token, refresh_token, expires_in or refresh_expires_in');
    expect(inspect(error, { depth: 5 })).not.toContain('leaked-access');
    expect(() => new OpenIdTokenProvider(g3.http, { tokenUrl: sim.tokenUrl, clientId: '', user: 'a', password: 'p' }, createTestClock())).toThrow(
      new TypeError('credentials.clientId must be a non-empty string'),
    );
  });
});
