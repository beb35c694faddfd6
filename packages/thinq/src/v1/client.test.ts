import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter, createTestClock, failTimes, sendJson, startTestServer, testCertificate } from '@x/http-core/testing';
import { refrigeratorStatus, washerStatus, airConditionerStatus } from '../status.js';
import { V1Client, parseOAuthCallback } from './client.js';
import { asList, v1DeviceTypeName } from './device-list.js';
import { oauthSignature, refreshSignatureMessage } from '../signature.js';
import { startThinqSimulator, type ThinqSimulator } from '../testing/simulator.js';
import { wideqState } from '../fixtures.test-helper.js';

async function browserLogin(loginUrl: string): Promise<string> {
  // The simulator's login page redirects straight to the callback URL: follow it by hand.
  const res = await fetch(loginUrl, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const location = res.headers.get('location');
  if (!location) throw new Error('no redirect');
  return location;
}

describe('V1Client against the simulator', () => {
  let sim: ThinqSimulator;
  let client: V1Client;
  beforeAll(async () => {
    sim = await startThinqSimulator({ mqtt: false });
    client = new V1Client({ gatewayUrl: sim.gatewayUrl });
  });
  afterAll(async () => {
    await client.close();
    await sim.close();
  });

  it('discovers the gateway, logs in through the browser flow and lists devices', async () => {
    const gw = await client.gateway();
    expect(gw).toEqual({ authBase: `${sim.url}/`, apiRoot: `${sim.url}/api`, oauthRoot: `${sim.url}/`, country: 'US', language: 'en-US',
      langPackCommonUri: `${sim.url}/lang/common?hdnts=exp=1806130873~hmac=51516`,
    });
    const loginUrl = await client.loginUrl();
    expect(loginUrl).toBe(
      `${sim.url}/login/sign_in?country=US&language=en-US&svcCode=SVC202&authSvr=oauth2&client_id=LGAO221A02&division=ha&grant_type=password`,
    );
    const callback = await browserLogin(loginUrl);
    expect(parseOAuthCallback(callback).refreshToken).toBe(sim.v1.refreshToken);
    const devices = await client.completeLogin(callback);
    expect(devices.map((d) => [d.deviceId, d.deviceType, d.deviceTypeName, d.modelName])).toEqual([
      ['sim-washer-0001', 201, 'WASHER', 'SIMWASH_W1'],
      ['sim-fridge-0001', 101, 'REFRIGERATOR', 'SIMFRIDGE_R1'],
      ['sim-ac-0001', 401, 'AC', 'SIMAC_A1'],
      ['sim-dryer-0001', 202, 'DRYER', 'SIMDRY_D1'],
    ]);
    expect(client.sessionId).toMatch(/\.node_sim_1$/);
    expect((await client.devices()).length).toBe(4);
    expect(sim.v1.stats.logins).toBe(1);
  });

  it('monitors with warm-up polls, then decodes frames consistent with the model', async () => {
    const washer = await client.device('sim-washer-0001');
    const model = await client.modelInfo(washer);
    const monitor = client.monitor(washer.deviceId);
    expect(await monitor.poll()).toBeNull();
    expect(await monitor.poll()).toBeNull();
    const frame = await monitor.poll();
    expect(frame).not.toBeNull();
    const data = model.decodeMonitor(frame as Uint8Array);
    expect(data.TubCycles).toBe('2147483649');
    expect(washerStatus(model, data)).toEqual({
      state: 'RINSING', previousState: 'RUNNING', isOn: true, remainingTimeInMinutes: 21, initialTimeInMinutes: 95, course: 'Cotton',
      smartCourse: 'Off', error: 'No Error',
    });
    expect(model.decodeBits('Option1', data.Option1)).toEqual({ ChildLock: 1, Steam: 1 });
    await monitor.stop();
    expect(sim.v1.stats.monitorStops).toBe(1);
  });

  it('restarts the monitor once on a monitor error, and throws on a second one in a row', async () => {
    const monitor = client.monitor('sim-fridge-0001');
    await monitor.start();
    const firstWork = monitor.workId;
    const starts = sim.v1.stats.monitorStarts;
    sim.v1.failNextPoll('sim-fridge-0001', '0100');
    expect(await monitor.poll()).toBeNull();
    expect(sim.v1.stats.monitorStarts).toBe(starts + 1);
    expect(monitor.workId).not.toBe(firstWork);
    sim.v1.failNextPoll('sim-fridge-0001', '0100');
    await expect(monitor.poll()).rejects.toMatchObject({ name: 'MonitorError', code: '0100', deviceId: 'sim-fridge-0001' });
    await monitor.stop();
  });

  it('watches a device through an async iterator until aborted', async () => {
    const fridge = await client.device('Fridge');
    const model = await client.modelInfo(fridge);
    const ac = new AbortController();
    const seen = [];
    for await (const f of client.monitor(fridge.deviceId).watch(model, { intervalInMs: 1, signal: ac.signal })) {
      seen.push(refrigeratorStatus(model, f.data));
      ac.abort();
    }
    expect(seen).toEqual([
      {
        tempRefrigeratorC: 4, tempFreezerC: -18, icePlus: 'OFF', freshAirFilter: 'AUTO', energySavingMode: 'OFF', doorOpened: false, tempUnit: 'C',
        energySavingEnabled: false, locked: false, activeSavingStatus: '0', ecoEnabled: true, waterFilterUsedMonths: 4,
      },
    ]);
  });

  it('refreshes the token with a verified signature and retries once on 0102', async () => {
    const before = { refreshes: sim.v1.stats.refreshes, logins: sim.v1.stats.logins };
    const oldSession = client.sessionId;
    sim.v1.expireSessions();
    expect((await client.devices()).length).toBe(4);
    expect(sim.v1.stats.refreshes).toBe(before.refreshes + 1);
    expect(sim.v1.stats.logins).toBe(before.logins + 1);
    expect(client.sessionId).not.toBe(oldSession);
    expect(sim.v1.stats.rejectedRefreshes).toBe(0);
  });

  it('sends plain and binary controls', async () => {
    await client.setControl('sim-ac-0001', 'TempCfg', 24);
    expect(sim.v1.device('sim-ac-0001').status.TempCfg).toBe('24');
    await client.setControl('sim-fridge-0001', 'RETM', '6');
    expect(sim.v1.device('sim-fridge-0001').status.TempRefrigerator).toBe('6');
    await expect(client.setControl('sim-ac-0001', 'TempCfg', 40)).rejects.toMatchObject({ name: 'FailedRequestError', code: '0100' });
    // ollo69 gives control back afterwards (rti/delControlPermission).
    await client.releaseControl('sim-ac-0001');
    await expect(client.releaseControl('no-such-device')).rejects.toMatchObject({ code: '0101' });
    await expect(client.releaseControl('')).rejects.toThrow(new TypeError('deviceId must be a non-empty string'));

    const washer = await client.device('sim-washer-0001');
    const model = await client.modelInfo(washer);
    const status = sim.v1.device(washer.deviceId).status;
    const cmd = model.controlCommand('OperationStart', Object.fromEntries(Object.entries(status).map(([k, v]) => [k, String(v)])), { APCourse: '2' });
    expect(Buffer.from(cmd.data, 'base64')).toEqual(Buffer.from([2, 3, 9, 255]));
    await client.sendControl(washer.deviceId, cmd);
    expect(status).toMatchObject({ APCourse: '2', State: '2', PreState: '3' });
    const last = sim.v1.stats.controls.at(-1) as Record<string, unknown>;
    expect(last).toMatchObject({ cmd: 'Control', cmdOpt: 'Operation', value: 'Start', format: 'B64', data: 'AgMJ/w==', deviceId: washer.deviceId });

    const fridgeModel = await client.modelInfo(await client.device('sim-fridge-0001'));
    await client.sendControl('sim-fridge-0001', fridgeModel.controlCommand('SetControl', { TempRefrigerator: '2', TempFreezer: '7', IcePlus: '1' }));
    expect(sim.v1.device('sim-fridge-0001').status).toMatchObject({ TempRefrigerator: '2', TempFreezer: '7', IcePlus: '1' });
  });

  it('reads config and control values', async () => {
    expect(await client.getConfig('sim-ac-0001', 'Filter')).toEqual({ FilterUse: '1200', FilterLife: '4000' });
    expect(await client.getConfig('sim-ac-0001', 'EnergyDesiredValue')).toEqual({ EnergyDesiredValue: '150' });
    await expect(client.getConfig('sim-ac-0001', 'InOutInstantPower')).rejects.toMatchObject({ name: 'MalformedResponseError', rawPreview: '{not json' });
    await expect(client.getConfig('sim-ac-0001', 'Nope')).rejects.toMatchObject({ name: 'InvalidRequestError', code: '9000' });
    expect(await client.getControl('sim-ac-0001', 'DisplayControl')).toBe('0');
    expect(await client.getControl('sim-ac-0001', 'SpkVolume')).toBe('3');
    await expect(client.getControl('sim-ac-0001', 'Nope')).rejects.toMatchObject({ name: 'FailedRequestError', code: '0100' });
  });

  it('reads the AC JSON monitor', async () => {
    const acDev = await client.device('sim-ac-0001');
    const model = await client.modelInfo(acDev);
    const monitor = client.monitor(acDev.deviceId);
    let frame: Uint8Array | null = null;
    while (frame === null) frame = await monitor.poll();
    await monitor.stop();
    expect(airConditionerStatus(model, model.decodeMonitor(frame))).toEqual({
      currentTemperatureC: 25, targetTemperatureC: 24, currentTemperatureF: 77, targetTemperatureF: 75, mode: 'COOL', fanSpeed: 'MID',
      horizontalSwing: 'OFF', verticalSwing: 'ALL', operation: 'RIGHT_ON', isOn: true,
    });
  });

  it('reports an offline device as NotConnectedError', async () => {
    await expect(client.monitor('sim-dryer-0001').poll()).rejects.toMatchObject({ name: 'NotConnectedError', code: '0106' });
  });

  it('saves and restores state, and refuses a bad refresh token', async () => {
    const state = client.dump();
    expect(Object.keys(state.model_info ?? {})).toHaveLength(3);
    const restored = V1Client.load(JSON.parse(JSON.stringify(state)) as unknown, { gatewayUrl: sim.gatewayUrl });
    expect(restored.dump()).toEqual(state);
    expect((await restored.devices()).length).toBe(4);
    await restored.close();

    const bad = V1Client.load({ ...state, auth: { access_token: 'x', refresh_token: 'not-the-token' }, session: 'stale' }, { gatewayUrl: sim.gatewayUrl });
    const rejected = sim.v1.stats.rejectedRefreshes;
    await expect(bad.devices()).rejects.toMatchObject({ name: 'TokenError', category: 'auth' });
    expect(sim.v1.stats.rejectedRefreshes).toBe(rejected + 1);
    await bad.close();
  });

  it('the simulator verifies the refresh signature and date', async () => {
    const date = 'Thu, 01 Jan 2026 00:00:00 +0000';
    const post = (headers: Record<string, string>) =>
      fetch(`${sim.url}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'lgemp-x-app-key': 'LGAO221A02', 'lgemp-x-date': date, ...headers },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: sim.v1.refreshToken }).toString(),
      });
    const good = oauthSignature(refreshSignatureMessage(sim.v1.refreshToken, date));
    expect((await post({ 'lgemp-x-signature': good })).status).toBe(200);
    // Tampered: the first character changed (the refresh token is random, so the signature may start with 'A').
    const tampered = `${good.startsWith('A') ? 'B' : 'A'}${good.slice(1)}`;
    expect((await post({ 'lgemp-x-signature': tampered })).status).toBe(401);
    expect((await post({ 'lgemp-x-signature': good, 'lgemp-x-date': '2026-01-01T00:00:00Z' })).status).toBe(401);
  });

  it('recovers from a state whose access token expired and that has no session', async () => {
    const state = client.dump();
    delete state.session;
    sim.v1.expireSessions();
    const refreshes = sim.v1.stats.refreshes;
    const c = V1Client.load(state, { gatewayUrl: sim.gatewayUrl });
    expect((await c.devices()).length).toBe(4);
    expect(sim.v1.stats.refreshes).toBe(refreshes + 1);
    await c.close();
  });

  it('logs in from a refresh token alone', async () => {
    const c = new V1Client({ gatewayUrl: sim.gatewayUrl });
    expect((await c.loginWithRefreshToken(sim.v1.refreshToken)).length).toBe(4);
    expect(c.hasTokens).toBe(true);
    await c.close();
  });
});

describe('V1Client over HTTPS', () => {
  it('logs in and lists devices against the simulator served with a test certificate', async () => {
    const sim = await startThinqSimulator({ mqtt: false, tls: true });
    const client = new V1Client({ gatewayUrl: sim.gatewayUrl, http: { tls: { ca: testCertificate().ca } } });
    try {
      expect(sim.gatewayUrl.startsWith('https://127.0.0.1:')).toBe(true);
      const loginUrl = await client.loginUrl();
      // The test user's tokens, as the login page would hand them out, without a browser.
      const callback = `${sim.url}/login/iabClose?access_token=unused&refresh_token=${sim.v1.refreshToken}`;
      expect(loginUrl.startsWith(`${sim.url}/login/sign_in?`)).toBe(true);
      await expect(client.completeLogin(callback)).rejects.toMatchObject({ name: 'NotLoggedInError', code: '9003' });
      expect((await client.loginWithRefreshToken(sim.v1.refreshToken)).length).toBe(4);
      const untrusting = new V1Client({ gatewayUrl: sim.gatewayUrl, maxRetries: 0 });
      await expect(untrusting.gateway()).rejects.toMatchObject({ name: 'NetworkError' });
      await untrusting.close();
    } finally {
      await client.close();
      await sim.close();
    }
  });
});

describe('V1 session expiry by time', () => {
  it('answers 0102 once the session lifetime has passed; the client refreshes and retries', async () => {
    const clock = createTestClock({ auto: false, start: Date.UTC(2026, 0, 1) });
    const sim = await startThinqSimulator({ mqtt: false, clock, v1: { sessionTtlInMs: 60_000, warmupPolls: 0 } });
    const client = new V1Client({ gatewayUrl: sim.gatewayUrl, clock });
    try {
      await client.completeLogin((await fetch(await client.loginUrl(), { redirect: 'manual' })).headers.get('location') ?? '');
      expect(await client.monitor('sim-ac-0001').poll()).not.toBeNull();
      clock.advance(59_000);
      await client.devices();
      expect(sim.v1.stats.refreshes).toBe(0);
      clock.advance(2_000);
      await client.devices();
      expect(sim.v1.stats).toMatchObject({ refreshes: 1, logins: 2, rejectedRefreshes: 0 });
    } finally {
      await client.close();
      await sim.close();
    }
  });
});

describe('V1Client state files and helpers', () => {
  // tests/fixtures/client.json of sampsyo/wideq @ aa4967d (MIT).
  it('loads the wideq fixture state and writes the same state back', () => {
    const state = wideqState();
    const client = V1Client.load(state);
    expect(client.dump()).toEqual(state);
    expect(client.sessionId).toBe('B21649540DF63EA9ABD04AC601C41A22.node_sadap_10');
  });

  it('normalises lists and parses callbacks', () => {
    expect(asList(undefined)).toEqual([]);
    expect(asList({ a: 1 })).toEqual([{ a: 1 }]);
    expect(asList([1, 2])).toEqual([1, 2]);
    expect(parseOAuthCallback('https://us.m.lgaccount.com/login/iabClose?access_token=A&refresh_token=R&oauth2_backend_url=https://us.lgeapi.com/')).toEqual({
      accessToken: 'A',
      refreshToken: 'R',
    });
    expect(() => parseOAuthCallback('nope')).toThrow(TypeError);
    expect(() => parseOAuthCallback('https://x/?access_token=A')).toThrow(RangeError);
    expect(v1DeviceTypeName(9999)).toBe('UNKNOWN');
    expect(() => new V1Client({ country: 'us' })).toThrow(RangeError);
    expect(() => new V1Client({ language: 'english' })).toThrow(RangeError);
    expect(() => V1Client.load(null)).toThrow(TypeError);
    expect(V1Client.load({ gateway: { auth_base: 'x' }, country: 'NO', language: 'nb-NO' }).dump()).toEqual({ model_info: {}, country: 'NO', language: 'nb-NO' });
  });

  it('refreshes and retries only once: a second 0102 (or integer 9003) is thrown', async () => {
    const calls: string[] = [];
    const router = createRouter();
    router.post('/gw', (_req, res) => sendJson(res, 200, { lgedmRoot: { returnCd: '0000', thinqUri: `${url()}/api`, empUri: `${url()}/`, oauthUri: `${url()}/` } }));
    router.post('/api/member/login', (_req, res) => {
      calls.push('login');
      sendJson(res, 200, { lgedmRoot: { returnCd: '0000', jsessionId: `S${calls.length}`, item: [] } });
    });
    router.post('/oauth2/token', (_req, res) => {
      calls.push('refresh');
      sendJson(res, 200, { status: 1, access_token: 'fresh' });
    });
    router.post('/api/device/deviceList', (_req, res) => {
      calls.push('list');
      sendJson(res, 200, { lgedmRoot: { returnCd: '0102', returnMsg: 'Not logged in' } });
    });
    router.post('/api/rti/rtiMon', (_req, res) => {
      calls.push('mon');
      sendJson(res, 200, { lgedmRoot: { returnCd: 9003, returnMsg: 'session creation failure' } });
    });
    const srv = await startTestServer(router.handler);
    function url() {
      return srv.url;
    }
    const client = V1Client.load({ auth: { access_token: 'old', refresh_token: 'r' }, session: 'S0' }, { gatewayUrl: `${srv.url}/gw` });
    try {
      await expect(client.devices()).rejects.toMatchObject({ name: 'NotLoggedInError', code: '0102', serverMessage: 'Not logged in' });
      expect(calls).toEqual(['list', 'refresh', 'login', 'list']);
      calls.length = 0;
      await expect(client.monitorStart('d1')).rejects.toMatchObject({ name: 'NotLoggedInError', code: '9003' });
      expect(calls).toEqual(['mon', 'refresh', 'login', 'mon']);
      expect(client.dump().auth).toEqual({ access_token: 'fresh', refresh_token: 'r' });
    } finally {
      await client.close();
      await srv.close();
    }
  });

  it('retries 502/503/504 on safe calls only, and maps integer return codes', async () => {
    const router = createRouter();
    let monCalls = 0;
    router.post(
      '/gw',
      failTimes(2, 503, (_req, res) => sendJson(res, 200, { lgedmRoot: { returnCd: '0000', thinqUri: 'http://127.0.0.1:1/api', empUri: 'http://e/', oauthUri: 'http://o/' } })),
    );
    const srv = await startTestServer(router.handler);
    const client = new V1Client({ gatewayUrl: `${srv.url}/gw`, retryBaseDelayInMs: 1 });
    expect((await client.gateway()).apiRoot).toBe('http://127.0.0.1:1/api');
    const router2 = createRouter();
    router2.post('/gw', (_req, res) => sendJson(res, 200, { lgedmRoot: { returnCd: '0000', thinqUri: `${srv2url()}/api`, empUri: 'http://e/', oauthUri: 'http://o/' } }));
    router2.post('/api/member/login', (_req, res) => sendJson(res, 200, { lgedmRoot: { returnCd: '0000', jsessionId: 'S', item: { deviceId: 'd1', deviceType: 77 } } }));
    router2.post('/api/rti/rtiMon', (_req, res) => {
      monCalls += 1;
      sendJson(res, 502, {});
    });
    router2.post('/api/device/deviceList', (_req, res) => sendJson(res, 200, { lgedmRoot: { returnCd: 9000, returnMsg: 'bad' } }));
    const srv2 = await startTestServer(router2.handler);
    function srv2url() {
      return srv2.url;
    }
    const warnings: string[] = [];
    const c2 = V1Client.load({ auth: { access_token: 'a', refresh_token: 'r' } }, { gatewayUrl: `${srv2.url}/gw`, retryBaseDelayInMs: 1, onWarning: (w) => warnings.push(w) });
    await c2.startSession();
    expect(warnings).toEqual(['unknown device type 77']);
    await expect(c2.monitorStart('d1')).rejects.toMatchObject({ status: 502 });
    expect(monCalls).toBe(1);
    await expect(c2.devices()).rejects.toMatchObject({ name: 'InvalidRequestError', code: '9000', serverMessage: 'bad' });
    await client.close();
    await c2.close();
    await srv.close();
    await srv2.close();
  });
});
