import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRateLimiter, errorCategory, isAbortError, isHttpError, type RateLimiter } from '@x/http-core';
import { ComapClient, Identity, VALUE_GUID, WSV, type ComapClientOptions } from './index.js';
import { createJumpClock, startComapSimulator, type ComapSimulator, type ComapSimulatorOptions } from './testing/index.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

async function setup(simOptions: ComapSimulatorOptions = {}, clientOptions: Partial<ComapClientOptions> = {}): Promise<{ sim: ComapSimulator; client: ComapClient }> {
  const sim = await startComapSimulator({ units: 4, rateLimit: false, ...simOptions });
  open.push(sim);
  const client = new ComapClient({ ...sim.credentials(), baseUrl: sim.url, rateLimit: false, tokenRateLimiter: createRateLimiter({ tokensPerInterval: 5, intervalInMs: 300_000 }), ...clientOptions });
  open.push(client);
  return { sim, client };
}

describe('ComapClient: reads', () => {
  it('units: the whole list, with Comap-Key and bearer on the wire', async () => {
    const { sim, client } = await setup();
    const units = await client.units();
    expect(units).toEqual(sim.units.map((u) => ({ name: u.name, unitGuid: u.unitGuid, url: `${sim.url}/wsv/units/${u.unitGuid}` })));
    expect(sim.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(['POST /identity/application/authenticate 200', `GET /v1.1/sim.operator/units 200`]);
    expect(sim.requests[0]?.body).toEqual({ clientId: sim.clientId, secret: '[REDACTED]' });
    expect(JSON.stringify(sim.requests)).not.toContain(sim.secret);
    expect(sim.requests[0]?.contentType).toBe('application/json');
    expect(sim.requests[1]?.hasKey && sim.requests[1]?.hasBearer).toBe(true);
    expect(client.tokenRequests).toBe(1);
    expect(client.token?.expires_in).toBe(3599);
  });

  it('values: typed, dates parsed, GUIDs joined without spaces (array or spaced string)', async () => {
    const { sim, client } = await setup({}, {});
    const u = sim.units[0]!;
    const all = await client.values(u.unitGuid);
    expect(all).toHaveLength(36);
    expect(sim.requests.at(-1)?.query).toEqual({});
    const rpm = all.find((v) => v.valueGuid === VALUE_GUID.RPM)!;
    expect(rpm.value).toBe(u.state.running ? 1500 : 0);
    expect(rpm.timeStamp).toBeInstanceOf(Date);
    expect(Math.abs(rpm.timeStamp.getTime() - Date.now())).toBeLessThan(5000);
    expect(all.find((v) => v.valueGuid === VALUE_GUID.modes_available)?.value).toEqual(['OFF', 'MAN', 'AUT', 'TEST']);
    const two = await client.values(u.unitGuid, `${VALUE_GUID.mode}, ${VALUE_GUID.engine_state}`);
    expect(sim.requests.at(-1)?.query.valueGuids).toBe(`${VALUE_GUID.mode},${VALUE_GUID.engine_state}`);
    expect(sim.requests.at(-1)?.url).toContain(`valueGuids=${VALUE_GUID.mode}%2C${VALUE_GUID.engine_state}`);
    expect(two.map((v) => v.name)).toEqual(['ControllerMode', 'Engine state']);
    await client.values(u.unitGuid, [VALUE_GUID.engine_state, ` ${VALUE_GUID.mode} `]);
    expect(sim.requests.at(-1)?.query.valueGuids).toBe(`${VALUE_GUID.engine_state},${VALUE_GUID.mode}`);
    await expect(client.values(u.unitGuid, ['a,b'])).rejects.toThrow(new RangeError('valueGuids[0] must be one GUID, without commas'));
    await expect(client.values(u.unitGuid, [''])).rejects.toThrow(new RangeError('valueGuids[0] must not be empty'));
    await expect(client.values(u.unitGuid, 5 as unknown as string)).rejects.toThrow(TypeError);
  });

  it('info, permissions, comments, files', async () => {
    const { sim, client } = await setup({ commentAuthorKey: 'auhtor' });
    const u = sim.units[1]!;
    const info = await client.info(u.unitGuid);
    expect(info).toEqual({
      name: u.name,
      unitGuid: u.unitGuid,
      ownerLoginId: 'sim.operator',
      applicationType: 'Gen-set',
      timezone: u.timezone,
      connection: { enabled: true, airGateId: u.airGateId, ipAddress: '', port: 0, controllerAddress: 1 },
      position: { positionType: 'Static', latitude: Number(u.latitude), longitude: Number(u.longitude) },
    });
    const perms = await client.permissions(u.unitGuid);
    expect(perms.permissions.map((p) => [p.loginId, p.control])).toEqual([
      ['sim.operator', true],
      ['service.partner', false],
    ]);
    const comments = await client.comments(u.unitGuid);
    expect(comments.map((c) => [c.author, c.text, c.active])).toEqual([
      ['J. Novak', 'Oil & filter changed (500 h service) / belts checked', false],
      ["M. O'Neil", 'Fuel delivery 2/3 tank <ok>', true],
    ]);
    expect(comments[0]?.date.toISOString()).toBe(u.comments[0]?.date);
    const files = await client.files(u.unitGuid);
    expect(files.map((f) => f.fileName)).toEqual(u.files.map((f) => f.fileName));
    expect(files[0]?.fileName).toMatch(/ \.csv$/);
    expect(files[0]?.generated.getTime()).toBe(u.files[0]?.generated.getTime());
  });

  it('getUnitGuid / getValueGuid: first case-sensitive substring match, undefined when none', async () => {
    const { sim, client } = await setup({ units: 12 });
    expect(sim.units[0]?.name).toBe('Westport Hospital 1');
    expect(sim.units[10]?.name).toBe('Westport Data Center 11');
    expect(await client.getUnitGuid('Westport')).toBe(sim.units[0]?.unitGuid);
    expect(await client.getUnitGuid('Data Center 11')).toBe(sim.units[10]?.unitGuid);
    expect(await client.getUnitGuid('westport')).toBeUndefined();
    expect(await client.getValueGuid(sim.units[0]!.unitGuid, 'Engine')).toBe(VALUE_GUID.engine_state);
    expect(await client.getValueGuid(sim.units[0]!.unitGuid, 'power')).toBe(VALUE_GUID.nominal_power);
    expect(await client.getValueGuid(sim.units[0]!.unitGuid, 'Act power')).toBe(VALUE_GUID.actual_power);
    expect(await client.getValueGuid(sim.units[0]!.unitGuid, 'nothing')).toBeUndefined();
    await expect(client.getUnitGuid(3 as unknown as string)).rejects.toThrow(new TypeError('name must be a string'));
    await expect(client.getValueGuid('g', 3 as unknown as string)).rejects.toThrow(new TypeError('name must be a string'));
  });

  it('errors: 400 for an unknown unit carries errorMessage; bad input names the parameter', async () => {
    const { client } = await setup();
    const e = await client.info(`genset${'0'.repeat(32)}`).catch((x: unknown) => x);
    expect(isHttpError(e)).toBe(true);
    expect((e as { status: number }).status).toBe(400);
    expect((e as { vendor: unknown }).vendor).toEqual({ message: 'Incorrect unitGuid.' });
    await expect(client.info('')).rejects.toThrow(new RangeError('unitGuid must not be empty'));
    await expect(client.files(undefined as unknown as string)).rejects.toThrow(new TypeError('unitGuid must be a string'));
  });

  it('a wrong secret is an HttpError with ComAp errorMessage and no secret in the message', async () => {
    const { sim } = await setup();
    const identity = new Identity(sim.key, { baseUrl: sim.url });
    open.push(identity);
    const e = await identity.authenticate(sim.clientId, 'wrong-secret-value').catch((x: unknown) => x);
    expect(isHttpError(e)).toBe(true);
    expect((e as { status: number }).status).toBe(400);
    // ComAp refuses wrong credentials with a 400: a refusal of the credentials, not bad input.
    expect(errorCategory(e)).toBe('auth');
    expect((e as { vendor: unknown }).vendor).toEqual({ message: 'Unable to perform requested operation' });
    expect(String((e as Error).message)).not.toContain('wrong-secret-value');
    expect(JSON.stringify(e)).not.toContain(sim.key);
    const ok = await identity.authenticate(sim.clientId, sim.secret);
    expect(ok.token_type).toBe('Bearer');
    expect(ok.expires_in).toBe(3599);
    expect(ok.ext_expires_in).toBe(3599);
    const badKey = new Identity('0'.repeat(32), { baseUrl: sim.url });
    open.push(badKey);
    const e2 = await badKey.authenticate(sim.clientId, sim.secret).catch((x: unknown) => x);
    expect((e2 as { status: number }).status).toBe(401);
    expect(errorCategory(e2)).toBe('auth');
    expect((e2 as { vendor: unknown }).vendor).toEqual({ code: '401', message: 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.' });
    await expect(identity.authenticate('', 's')).rejects.toThrow(new RangeError('clientId must not be empty'));
    expect(() => new Identity(sim.key, { baseUrl: 'ftp://x' })).toThrow(new TypeError('Identity options.baseUrl must be an http: or https: URL'));
    expect(() => new Identity(sim.key, { baseUrl: 'not a url' })).toThrow(TypeError);
  });

  it('an aborted signal stops a call with an AbortError', async () => {
    const { sim, client } = await setup();
    sim.faults.delay(1, 2000);
    const controller = new AbortController();
    const p = client.units({ signal: controller.signal });
    setTimeout(() => controller.abort(new Error('user')), 50);
    const e = await p.catch((x: unknown) => x);
    expect(isAbortError(e)).toBe(true);
    expect(errorCategory(e)).toBe('aborted');
    await expect(client.units({ signal: 'x' as unknown as AbortSignal })).rejects.toThrow(new TypeError('units() options.signal must be an AbortSignal'));
  });
});

describe('ComapClient: secrets', () => {
  it('never logs the key, the secret or a token, at debug level, through refreshes, retries and failures', async () => {
    const records: string[] = [];
    const log = (level: string) => (message: string, fields?: Record<string, unknown>) => records.push(JSON.stringify({ level, message, fields }));
    const logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
    const { sim, client } = await setup({}, { logger, retry: { maxAttempts: 3, baseDelayInMs: 1, maxDelayInMs: 2 } });
    const guid = sim.units[0]!.unitGuid;
    await client.units();
    const tokens = [client.token!.access_token];
    sim.revokeTokens();
    await client.values(guid, [VALUE_GUID.mode]);
    tokens.push(client.token!.access_token);
    sim.faults.fail(1, 503).throttle(1, 0);
    await client.info(guid);
    await client.command(guid, { command: 'changeMode', mode: 'man' });
    await expect(client.info(`genset${'0'.repeat(32)}`)).rejects.toMatchObject({ status: 400 });
    await expect(client.download(guid, 'missing.csv', new PassThrough())).rejects.toMatchObject({ status: 404 });
    expect(records.length).toBeGreaterThan(10);
    expect(records.some((r) => r.includes('"level":"warn"'))).toBe(true);
    const all = records.join('\n');
    for (const secret of [sim.key, sim.secret, ...tokens]) expect(all).not.toContain(secret);
  });
});

describe('ComapClient: token ownership', () => {
  it('refreshes about 60 s before expires_in, once for concurrent calls, without a 401', async () => {
    const clock = createJumpClock();
    const { sim, client } = await setup({ now: clock.now }, { clock });
    const guid = sim.units[0]!.unitGuid;
    await Promise.all([client.units(), client.info(guid), client.files(guid)]);
    expect(sim.stats.tokenRequests).toBe(1);
    clock.advance(3599_000 - 61_000);
    await client.units();
    expect(sim.stats.tokenRequests).toBe(1);
    clock.advance(2_000); // now inside the last minute: refresh before sending
    await Promise.all([client.units(), client.info(guid), client.comments(guid)]);
    expect(sim.stats.tokenRequests).toBe(2);
    expect(client.tokenRequests).toBe(2);
    expect(sim.requests.filter((r) => r.status === 401)).toHaveLength(0);
  });

  it('token expiry mid-run (server-side): one re-authentication on 401, then the call succeeds', async () => {
    const { sim, client } = await setup();
    await client.units();
    sim.revokeTokens();
    const units = await client.units();
    expect(units).toHaveLength(4);
    expect(sim.requests.map((r) => `${r.path.split('/').pop()}:${r.status}`)).toEqual(['authenticate:200', 'units:200', 'units:401', 'authenticate:200', 'units:200']);
    expect(client.tokenRequests).toBe(2);
  });

  it('a 401 after re-authentication is final (no loop)', async () => {
    const { sim } = await setup();
    let calls = 0;
    const wsv = new WSV(sim.loginId, sim.key, () => Promise.resolve(`bogus-${++calls}`), { baseUrl: sim.url, rateLimit: false });
    open.push(wsv);
    const e = await wsv.units().catch((x: unknown) => x);
    expect(isHttpError(e) && e.status).toBe(401);
    expect(calls).toBe(2);
    expect(String((e as Error).message)).not.toContain('bogus-');
  });

  it('a fixed token string is never refreshed; a TokenResponse provider is cached', async () => {
    const { sim } = await setup();
    const identity = new Identity(sim.key, { baseUrl: sim.url });
    open.push(identity);
    const token = await identity.authenticate(sim.clientId, sim.secret);
    const fixed = new WSV(sim.loginId, sim.key, token.access_token, { baseUrl: sim.url, rateLimit: false });
    open.push(fixed);
    expect(await fixed.units()).toHaveLength(4);
    sim.revokeTokens();
    await expect(fixed.units()).rejects.toMatchObject({ status: 401 });
    let asked = 0;
    const viaProvider = new WSV(sim.loginId, sim.key, () => {
      asked += 1;
      return identity.authenticate(sim.clientId, sim.secret);
    }, { baseUrl: sim.url, rateLimit: false });
    open.push(viaProvider);
    await viaProvider.units();
    await viaProvider.units();
    expect(asked).toBe(1);
    expect(() => new WSV(sim.loginId, sim.key, '')).toThrow(new RangeError('token must not be empty'));
    expect(() => new WSV(sim.loginId, sim.key, 5 as unknown as string)).toThrow(TypeError);
    const badProvider = new WSV(sim.loginId, sim.key, () => Promise.resolve(42 as unknown as string), { baseUrl: sim.url, rateLimit: false });
    open.push(badProvider);
    await expect(badProvider.units()).rejects.toThrow(/the token provider must resolve to/);
  });

  it('never more than 5 token requests per 5 minutes: the 6th waits (and can be aborted)', async () => {
    const { sim, client } = await setup();
    for (let i = 0; i < 5; i++) {
      sim.revokeTokens();
      await client.units();
    }
    expect(sim.stats.tokenRequests).toBe(5);
    sim.revokeTokens();
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 150);
    const e = await client.units({ signal: controller.signal }).catch((x: unknown) => x);
    expect(isAbortError(e)).toBe(true);
    expect(errorCategory(e)).toBe('aborted');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(sim.stats.tokenRequests).toBe(5);
  });

  it('a token request held back by the token limiter for minutes does not time out meanwhile', async () => {
    let open_: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open_ = resolve));
    let waited = 0;
    const held = {
      async schedule<T>(fn: () => T | Promise<T>): Promise<T> {
        waited += 1;
        await gate;
        return fn();
      },
    } as unknown as RateLimiter;
    const { sim, client } = await setup({}, { tokenRateLimiter: held });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let settled = false;
    let call: Promise<unknown>;
    try {
      call = client.units().finally(() => (settled = true));
      call.catch(() => undefined);
      // Four minutes in the limiter's queue (http-core's own refresh timeout is 30 s).
      await vi.advanceTimersByTimeAsync(240_000);
      expect(waited).toBe(1);
      expect(settled).toBe(false);
    } finally {
      vi.useRealTimers();
    }
    open_();
    expect(await call).toHaveLength(4);
    expect(sim.stats.tokenRequests).toBe(1);
  });

  it('the default token limiter is shared by clients of the same key', async () => {
    const sim = await startComapSimulator({ units: 1, rateLimit: false, seed: 4242, tokenRequestLimit: false });
    open.push(sim);
    const a = new ComapClient({ ...sim.credentials(), baseUrl: sim.url, rateLimit: false });
    const b = new ComapClient({ ...sim.credentials(), baseUrl: sim.url, rateLimit: false });
    open.push(a, b);
    for (let i = 0; i < 5; i++) {
      sim.revokeTokens();
      await (i % 2 === 0 ? a : b).units();
    }
    sim.revokeTokens();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await expect(b.units({ signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(sim.stats.tokenRequests).toBe(5);
  });

  it('validates its options', () => {
    const base = { key: 'k', clientId: 'c', secret: 's', loginId: 'l' };
    expect(() => new ComapClient(undefined as unknown as ComapClientOptions)).toThrow(new TypeError('ComapClient options must be an object'));
    expect(() => new ComapClient({ ...base, secret: '' })).toThrow(new RangeError('ComapClient options.secret must not be empty'));
    expect(() => new ComapClient({ ...base, key: 1 as unknown as string })).toThrow(new TypeError('ComapClient options.key must be a string'));
    expect(() => new ComapClient({ ...base, tokenRateLimiter: {} as never })).toThrow(new TypeError('ComapClient options.tokenRateLimiter must be a RateLimiter'));
    expect(() => new ComapClient({ ...base, timeoutInMs: 2 ** 31 })).toThrow(RangeError);
    expect(() => new ComapClient({ ...base, timeoutInMs: 2 ** 31 })).toThrow(/^ComapClient options\.timeoutInMs /);
    expect(() => new ComapClient({ ...base, maxConnections: 0 })).toThrow(new RangeError('ComapClient options.maxConnections must be a positive integer, got 0'));
    expect(() => new ComapClient({ ...base, logger: {} as never })).toThrow(new TypeError('ComapClient options.logger must have debug, info, warn and error methods'));
    expect(() => new ComapClient({ ...base, rateLimit: 3 as never })).toThrow(TypeError);
    expect(() => new ComapClient({ ...base, rateLimit: { requestsPerInterval: 0 } })).toThrow(new RangeError('rateLimit.requestsPerInterval must be a positive integer, got 0'));
    expect(() => new ComapClient({ ...base, rateLimit: { intervalInMs: -1 } })).toThrow(new RangeError('rateLimit.intervalInMs must be a number > 0, got -1'));
    expect(() => new ComapClient({ ...base, rateLimit: { requestsPerInterval: '2' as never } })).toThrow(new TypeError('rateLimit.requestsPerInterval must be a number'));
    expect(() => new ComapClient({ ...base, rateLimit: { intervalInMs: '1000' as never } })).toThrow(new TypeError('rateLimit.intervalInMs must be a number'));
  });

  it('shared limiters are named by a fingerprint of the key, never the key itself', () => {
    const key = `secret-key-${Date.now()}`;
    const c = new ComapClient({ key, clientId: 'c', secret: 's', loginId: 'l' });
    open.push(c);
    const registry = (globalThis as unknown as Record<symbol, Map<string, unknown> | undefined>)[Symbol.for('@x/http-core.sharedRateLimiters')];
    const ids = [...(registry?.keys() ?? [])];
    expect(ids.filter((id) => id.startsWith('comap:') || id.startsWith('comap-identity:')).length).toBeGreaterThanOrEqual(2);
    expect(ids.some((id) => id.includes(key))).toBe(false);
  });
});
