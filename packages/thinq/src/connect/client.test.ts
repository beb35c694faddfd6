import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlClient, createTestClock } from '@x/http-core/testing';
import { ConnectClient, CONNECT_API_KEY, newConnectClientId } from './client.js';
import { stateOfLocation } from './profile.js';
import { createCsr, generateClientKeyPair } from './x509.js';
import { startThinqSimulator, type ThinqSimulator } from '../testing/simulator.js';

describe('ConnectClient against the simulator', () => {
  let sim: ThinqSimulator;
  let client: ConnectClient;
  beforeAll(async () => {
    sim = await startThinqSimulator({ mqtt: false });
    client = new ConnectClient({ pat: sim.pat, country: sim.country, clientId: 'test-client-1', baseUrl: sim.connectUrl, rateLimitBackoff: { initialDelayInMs: 1, maxDelayInMs: 4 } });
  });
  afterAll(async () => {
    await client.close();
    await sim.close();
  });

  it('lists devices with the required headers', async () => {
    const devices = await client.devices();
    expect(devices.map((d) => [d.deviceId, d.deviceType, d.alias, d.reportable])).toEqual([
      ['sim-conn-ac-0001', 'DEVICE_AIR_CONDITIONER', 'Bedroom AC', true],
      ['sim-conn-washer-0001', 'DEVICE_WASHER', 'Laundry', true],
      ['sim-conn-fridge-0001', 'DEVICE_REFRIGERATOR', 'Garage fridge (offline)', true],
      ['sim-conn-washtower-0001', 'DEVICE_WASHTOWER', 'WashTower', true],
      ['sim-conn-fridge-0002', 'DEVICE_REFRIGERATOR', 'Kitchen fridge', true],
    ]);
    const req = sim.connect.requests.at(-1);
    expect(req?.path).toBe('devices');
    expect(req?.headers).toMatchObject({
      authorization: `Bearer ${sim.pat}`,
      'x-api-key': CONNECT_API_KEY,
      'x-client-id': 'test-client-1',
      'x-country': 'US',
      'x-service-phase': 'OP',
    });
    expect(req?.headers['x-message-id']).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(req?.headers['x-conditional-control']).toBeUndefined();
  });

  it('reads profiles and states (object and per-location)', async () => {
    const ac = await client.profile('sim-conn-ac-0001');
    expect(ac.writableProperties()).toContain('temperature.targetTemperature');
    expect(await client.state('sim-conn-ac-0001')).toMatchObject({ temperature: { currentTemperature: 27, targetTemperature: 24 } });
    const washerState = await client.state('sim-conn-washer-0001');
    expect(Array.isArray(washerState)).toBe(true);
    expect(stateOfLocation(washerState, 'MAIN')).toMatchObject({ runState: { currentState: 'INITIAL' } });
  });

  it('validates controls against the profile before sending, then sends with x-conditional-control', async () => {
    const before = sim.connect.requests.length;
    await expect(client.control('sim-conn-ac-0001', { temperature: { targetTemperature: 31 } })).rejects.toMatchObject({
      name: 'ControlValidationError',
      property: 'temperature.targetTemperature',
    });
    await expect(client.control('sim-conn-ac-0001', { temperature: { targetTemperature: 22.25 } })).rejects.toThrow('not on the step 0.5');
    await expect(client.control('sim-conn-ac-0001', { temperature: { targetTemperature: 29.5 } })).rejects.toThrow('29.5 is excluded');
    await expect(client.control('sim-conn-washer-0001', { location: { locationName: 'MAIN' }, timer: { relativeHourToStop: 2 } })).rejects.toThrow(
      'outside 3..19',
    );
    // Only the washer profile fetch went out: no control request was sent for any invalid payload.
    expect(sim.connect.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual(['GET devices/sim-conn-washer-0001/profile']);

    await client.control('sim-conn-ac-0001', { temperature: { targetTemperature: 22.5 }, operation: { airConOperationMode: 'POWER_ON' } });
    const sent = sim.connect.requests.at(-1);
    expect(sent?.path).toBe('devices/sim-conn-ac-0001/control');
    expect(sent?.headers['x-conditional-control']).toBe('true');
    expect(sent?.body).toEqual({ temperature: { targetTemperature: 22.5 }, operation: { airConOperationMode: 'POWER_ON' } });
    expect(await client.state('sim-conn-ac-0001')).toMatchObject({ temperature: { targetTemperature: 22.5 }, operation: { airConOperationMode: 'POWER_ON' } });

    await client.control('sim-conn-washer-0001', { operation: { washerOperationMode: 'START' } });
    expect(stateOfLocation(await client.state('sim-conn-washer-0001'), 'MAIN')).toMatchObject({ runState: { currentState: 'RUNNING' } });
    // The simulator validates too (a client that skips validation gets LG's error).
    await expect(client.control('sim-conn-ac-0001', { airFlow: { windStrength: 'TURBO' } }, { validate: false })).rejects.toMatchObject({
      name: 'ConnectApiError',
      code: '2207',
      errorName: 'INVALID_COMMAND_ERROR',
      status: 400,
    });
  });

  it('backs off and retries on 1306/1314, then gives up with RateLimitedError', async () => {
    sim.connect.rateLimitNext(2, '1314');
    const before = sim.connect.requests.length;
    expect((await client.devices()).length).toBe(5);
    expect(sim.connect.requests.length - before).toBe(3);

    sim.connect.rateLimitNext(10);
    let caught: unknown;
    try {
      await client.state('sim-conn-ac-0001');
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ name: 'RateLimitedError', code: '1306', errorName: 'EXCEEDED_API_CALLS', status: 429 });
    expect((caught as Error).message).toBe('ThinQ Connect error 1306 EXCEEDED_API_CALLS (HTTP 429): Exceeded API calls');
    expect((caught as Error).message).not.toContain(sim.pat);
    sim.connect.rateLimitNext(0);
  });

  it('maps other errors by code', async () => {
    await expect(client.state('sim-conn-fridge-0001')).rejects.toMatchObject({ code: '1222', errorName: 'NOT_CONNECTED_DEVICE' });
    await expect(client.state('nope')).rejects.toMatchObject({ code: '1224', errorName: 'INVALID_DEVICE_ID' });
    const badPat = new ConnectClient({ pat: 'wrong', country: 'US', clientId: 'x', baseUrl: sim.connectUrl });
    await expect(badPat.devices()).rejects.toMatchObject({ name: 'ConnectApiError', code: '1103', errorName: 'INVALID_TOKEN', status: 401 });
    await badPat.close();
    const badCountry = new ConnectClient({ pat: sim.pat, country: 'DE', clientId: 'x', baseUrl: sim.connectUrl });
    await expect(badCountry.devices()).rejects.toMatchObject({ code: '1307', errorName: 'NOT_SUPPORTED_COUNTRY' });
    await badCountry.close();
  });

  it('subscribes and unsubscribes push and events', async () => {
    expect(await client.subscribePush('sim-conn-washer-0001')).toBe(true);
    expect(await client.subscribePush('sim-conn-washer-0001')).toBe(false);
    expect(await client.pushSubscriptions()).toEqual([{ deviceId: 'sim-conn-washer-0001' }]);
    expect(await client.unsubscribePush('sim-conn-washer-0001')).toBe(true);
    expect(await client.unsubscribePush('sim-conn-washer-0001')).toBe(false);
    await client.subscribeEvents('sim-conn-ac-0001', { hours: 2 });
    expect(await client.eventSubscriptions()).toEqual([{ deviceId: 'sim-conn-ac-0001' }]);
    expect(sim.connect.requests.at(-2)?.body).toEqual({ expire: { unit: 'HOUR', timer: 2 } });
    expect(await client.unsubscribeEvents('sim-conn-ac-0001')).toBe(true);
    expect(await client.unsubscribeEvents('sim-conn-ac-0001')).toBe(false);
    await client.subscribeAccountEvents();
    await client.unsubscribeAccountEvents();
    await expect(client.subscribeEvents('sim-conn-ac-0001', { hours: 0 })).rejects.toThrow(RangeError);
  });

  // RSA-2048 key generation takes seconds on a busy machine.
  it('registers the client and gets a certificate for a CSR', { timeout: 60_000 }, async () => {
    await client.registerClient();
    const pair = await generateClientKeyPair();
    const cert = await client.issueCertificate(await createCsr(pair));
    expect(cert.certificatePem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(cert.subscriptions).toEqual(['app/clients/test-client-1/push']);
    expect(sim.connect.requests.at(-1)?.body).toMatchObject({ 'service-code': 'SVC202' });
    expect(JSON.stringify(sim.connect.requests.at(-1)?.body)).not.toContain('BEGIN');
    expect((await client.route()).mqttServer).toBe('mqtts://127.0.0.1:0');
    await client.unregisterClient();
    expect(sim.connect.clients.has('test-client-1')).toBe(false);
    await expect(client.issueCertificate('abc')).rejects.toMatchObject({ code: '1203' });
  });

  it('rejects bad options', () => {
    expect(() => new ConnectClient({ pat: '', country: 'US', clientId: 'x' })).toThrow(TypeError);
    expect(() => new ConnectClient({ pat: 'p', country: 'US', clientId: '' })).toThrow(TypeError);
    expect(() => new ConnectClient({ pat: 'p', country: 'AQ', clientId: 'x' })).toThrow(RangeError);
    expect(new ConnectClient({ pat: 'p', country: 'KR', clientId: 'x' }).baseUrl).toBe('https://api-kic.lgthinq.com/');
    expect(newConnectClientId()).toMatch(/^x-thinq-[0-9a-f-]{36}$/);
  });
});

describe('Connect rate-limit backoff', () => {
  it('waits 2 s doubling (full jitter) between retries of 1306/1314, on the injected clock', async () => {
    const sim = await startThinqSimulator({ mqtt: false });
    const clock = createTestClock();
    const client = new ConnectClient({ pat: sim.pat, country: 'US', clientId: 'c', baseUrl: sim.connectUrl, clock, random: () => 0.5 });
    try {
      sim.connect.rateLimitNext(3, '1314');
      expect((await client.devices()).length).toBe(5);
      expect(sim.connect.requests.map((r) => r.path)).toEqual(['devices', 'devices', 'devices', 'devices']);
      // Half (random 0.5) of 2 s, 4 s, 8 s.
      expect(clock.delays).toEqual([1000, 2000, 4000]);
      sim.connect.rateLimitNext(4);
      await expect(client.devices()).rejects.toMatchObject({ name: 'RateLimitedError', code: '1306' });
      expect(sim.connect.requests).toHaveLength(8);
      expect(clock.delays.slice(3)).toEqual([1000, 2000, 4000]);
      // Retry-After is honoured exactly; one longer than 60 s fails at once and carries the server's hint.
      sim.connect.rateLimitNext(2, '1306', 7);
      expect((await client.devices()).length).toBe(5);
      expect(clock.delays.slice(6)).toEqual([7000, 7000]);
      sim.connect.rateLimitNext(1, '1306', 3600);
      await expect(client.devices()).rejects.toMatchObject({ name: 'RateLimitedError', code: '1306', retryAfterInMs: 3_600_000, attempts: 1 });
      expect(sim.connect.requests).toHaveLength(12);
      expect(clock.delays).toHaveLength(8);
    } finally {
      await client.close();
      await sim.close();
    }
  });
});

describe('Connect rate limits on calls that change something (POST)', () => {
  let sim: ThinqSimulator;
  let clock: ReturnType<typeof createTestClock>;
  let client: ConnectClient;
  beforeAll(async () => {
    sim = await startThinqSimulator({ mqtt: false });
    clock = createTestClock();
    client = new ConnectClient({ pat: sim.pat, country: 'US', clientId: 'post-client', baseUrl: sim.connectUrl, clock, random: () => 0.5 });
    await client.profile('sim-conn-ac-0001');
  });
  afterAll(async () => {
    await client.close();
    await sim.close();
  });
  const posts = (): string[] => sim.connect.requests.filter((r) => r.method === 'POST').map((r) => r.path);

  it('retries a control call refused with 1306 and applies it once', async () => {
    sim.connect.requests.length = 0;
    sim.connect.rateLimitNext(1, '1306');
    await client.control('sim-conn-ac-0001', { airConJobMode: { currentJobMode: 'COOL' } });
    expect(posts()).toEqual(['devices/sim-conn-ac-0001/control', 'devices/sim-conn-ac-0001/control']);
    expect(clock.delays).toEqual([1000]);
    expect(sim.connect.device('sim-conn-ac-0001').state).toMatchObject({ airConJobMode: { currentJobMode: 'COOL' } });
  });

  it('retries subscribe calls refused with 1314 up to maxRateLimitRetries, then throws RateLimitedError', async () => {
    sim.connect.requests.length = 0;
    sim.connect.rateLimitNext(2, '1314');
    await client.subscribeEvents('sim-conn-ac-0001', { hours: 2 });
    expect(posts()).toEqual(Array(3).fill('event/sim-conn-ac-0001/subscribe'));
    sim.connect.requests.length = 0;
    sim.connect.rateLimitNext(5, '1314');
    await expect(client.subscribePush('sim-conn-ac-0001')).rejects.toMatchObject({ name: 'RateLimitedError', code: '1314', attempts: 4, category: 'throttled' });
    expect(posts()).toHaveLength(4);
    sim.connect.rateLimitNext(0);
  });

  it('does not retry a control call refused with another code (2207), nor a 503 on it', async () => {
    sim.connect.requests.length = 0;
    const delays = clock.delays.length;
    await expect(client.control('sim-conn-ac-0001', { airFlow: { windStrength: 'TURBO' } }, { validate: false })).rejects.toMatchObject({
      name: 'ConnectApiError',
      code: '2207',
      attempts: 1,
    });
    expect(posts()).toEqual(['devices/sim-conn-ac-0001/control']);
    const control = new ControlClient(sim.controlUrl);
    await control.addFault({ kind: 'status', status: 503, method: 'POST', path: '/connect/devices/sim-conn-ac-0001/control' });
    await expect(client.control('sim-conn-ac-0001', { airConJobMode: { currentJobMode: 'AIR_DRY' } })).rejects.toMatchObject({ name: 'HttpError', status: 503 });
    expect(await control.faults()).toEqual([]);
    expect(clock.delays.length).toBe(delays);
  });

  it('follows the caller: retry.maxAttempts wins, retry false never retries', async () => {
    const once = new ConnectClient({ pat: sim.pat, country: 'US', clientId: 'post-client', baseUrl: sim.connectUrl, clock, retry: false });
    const twice = new ConnectClient({ pat: sim.pat, country: 'US', clientId: 'post-client', baseUrl: sim.connectUrl, clock, random: () => 0, retry: { maxAttempts: 2 } });
    try {
      sim.connect.rateLimitNext(1);
      await expect(once.subscribeAccountEvents()).rejects.toMatchObject({ name: 'RateLimitedError', attempts: 1 });
      sim.connect.rateLimitNext(2);
      await expect(twice.subscribeAccountEvents()).rejects.toMatchObject({ name: 'RateLimitedError', attempts: 2 });
      sim.connect.rateLimitNext(1);
      await twice.subscribeAccountEvents();
    } finally {
      await once.close();
      await twice.close();
    }
  });
});

describe('Connect simulator rate limit window', () => {
  it('answers 1306 beyond the allowed calls per window, and recovers when the window passes', async () => {
    const clock = createTestClock({ auto: false, start: 0 });
    const sim = await startThinqSimulator({ mqtt: false, clock, connect: { rateLimit: { maxCalls: 2, windowInMs: 10_000 } } });
    const client = new ConnectClient({ pat: sim.pat, country: 'US', clientId: 'c', baseUrl: sim.connectUrl, maxRateLimitRetries: 0 });
    try {
      await client.devices();
      await client.state('sim-conn-ac-0001');
      await expect(client.devices()).rejects.toMatchObject({ name: 'RateLimitedError', code: '1306', status: 429 });
      clock.advance(10_001);
      expect((await client.devices()).length).toBe(5);
    } finally {
      await client.close();
      await sim.close();
    }
  });
});
