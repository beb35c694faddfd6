import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqualString, type Clock, type Logger } from '@x/http-core';
import { readBody, readJsonBody, sendJson, type Router } from '@x/http-core/testing';
import { ModelInfo, type ModelJson } from '../model.js';
import { oauthSignature, refreshSignatureMessage } from '../signature.js';
import { mountLangPacks, SIM_LANG_PACKS, simLangPackUrl } from './v1-lang-packs.js';
import { SIM_AC_MODEL, SIM_DRYER_MODEL, SIM_FRIDGE_MODEL, SIM_WASHER_MODEL, withMonitorType, type SimMonitorType } from './v1-models.js';

/** One simulated v1 appliance. */
export interface SimV1Device {
  deviceId: string;
  alias: string;
  deviceType: number;
  model: ModelJson;
  /** Current status values (decimal strings for binary models, JSON values otherwise). */
  status: Record<string, string | number>;
  /** `Config` answers: the text that is Base64-encoded into `returnData`. */
  config: Record<string, string>;
  /** `Control` Get answers (`(key:value)`). */
  controls: Record<string, string>;
  online: boolean;
}

/** Options of the v1 part of the simulator. */
export interface V1SimOptions {
  /** Polls answered without `returnCode` after each monitor start. Default 2. */
  warmupPolls?: number;
  /** Lifetime of access tokens and sessions; afterwards calls answer `0102`. Default 1 h. */
  sessionTtlInMs?: number;
  /** How the washer, dryer and refrigerator send monitor frames (their models say so). Default `BINARY(BYTE)`. */
  monitorType?: SimMonitorType;
}

/** Checks the v1 simulator's options before anything starts (RangeError naming the option). */
export function checkV1SimOptions(options: V1SimOptions = {}): V1SimOptions {
  const type = options.monitorType;
  if (type !== undefined && !['BINARY(BYTE)', 'BINARY(HEX)', 'XML'].includes(type)) throw new RangeError('v1.monitorType must be BINARY(BYTE), BINARY(HEX) or XML');
  return options;
}

/** Control and inspection handle of the v1 simulator. */
export interface V1Sim {
  /** The test user's refresh token (the login page hands it out). */
  readonly refreshToken: string;
  readonly devices: SimV1Device[];
  /** The simulated device with that id; throws RangeError when there is none. */
  device(deviceId: string): SimV1Device;
  /** Makes every current access token and session expire (next call answers `0102`). */
  expireSessions(): void;
  /** Revokes the refresh token and expires every access token and session; returns how many tokens. */
  revokeTokens(): number;
  /** The next poll of `deviceId` answers `workList.returnCode = code`. */
  failNextPoll(deviceId: string, code?: string): void;
  /** Counters for assertions. */
  readonly stats: { logins: number; refreshes: number; rejectedRefreshes: number; monitorStarts: number; monitorStops: number; controls: unknown[] };
}

interface Work {
  deviceId: string;
  polls: number;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function defaultDevices(): SimV1Device[] {
  return [
    {
      deviceId: 'sim-washer-0001',
      alias: 'Washer',
      deviceType: 201,
      model: SIM_WASHER_MODEL,
      status: {
        State: '3', Remain_Time_H: '0', Remain_Time_M: '21', Initial_Time_H: '1', Initial_Time_M: '35', APCourse: '1', Error: '0',
        SpinSpeed: '3', Option1: '9', PreState: '2', SmartCourse: '0', TubCycles: '2147483649',
      },
      config: {},
      controls: {},
      online: true,
    },
    {
      deviceId: 'sim-fridge-0001',
      alias: 'Fridge',
      deviceType: 101,
      model: SIM_FRIDGE_MODEL,
      status: {
        TempRefrigerator: '4', TempFreezer: '5', IcePlus: '0', FreshAirFilter: '2', SmartSavingMode: '0', DoorOpenState: '0', TempUnit: '1',
        SmartSavingModeStatus: '0', LockingStatus: '0', ActiveSavingStatus: '0', EcoFriendly: '1', WaterFilterUsedMonth: '4',
      },
      config: {},
      controls: {},
      online: true,
    },
    {
      deviceId: 'sim-ac-0001',
      alias: 'Living room AC',
      deviceType: 401,
      model: SIM_AC_MODEL,
      status: { TempCur: '25', TempCfg: '22', OpMode: '0', WindStrength: '4', WDirHStep: '0', WDirVStep: '100', Operation: '1', Jet: '0' },
      config: {
        Filter: '{"FilterUse":"1200","FilterLife":"4000"}',
        // Some units wrap the JSON in an extra pair of braces; clients strip one pair (wideq behaviour).
        EnergyDesiredValue: '{{"EnergyDesiredValue":"150"}}',
        InOutInstantPower: '{not json',
      },
      controls: { DisplayControl: '0', SpkVolume: '3' },
      online: true,
    },
    {
      deviceId: 'sim-dryer-0001',
      alias: 'Dryer (offline)',
      deviceType: 202,
      model: SIM_DRYER_MODEL,
      status: { State: '0', Remain_Time_H: '0', Remain_Time_M: '0' },
      config: {},
      controls: {},
      online: false,
    },
  ];
}

/** What the v1 routes share: tokens, sessions, monitor works, devices, counters and answer helpers. */
interface V1SimState {
  warmup: number;
  ttl: number;
  refreshToken: string;
  /** Set by the control API: refresh tokens are refused from now on. */
  revoked: boolean;
  accessTokens: Map<string, number>;
  sessions: Map<string, number>;
  works: Map<string, Work>;
  pollFailures: Map<string, string>;
  devices: SimV1Device[];
  stats: V1Sim['stats'];
  clock: Clock;
  urlOf: () => string;
  logger: Logger | undefined;
  newAccessToken: () => string;
  deviceRecord: (d: SimV1Device) => Record<string, unknown>;
  find: (id: unknown) => SimV1Device | undefined;
  ok: (res: ServerResponse, data?: Record<string, unknown>) => void;
  fail: (res: ServerResponse, code: string | number, msg: string) => void;
  lgedm: (req: IncomingMessage) => Promise<Record<string, unknown> | null>;
  appHeadersOk: (req: IncomingMessage) => boolean;
  authed: (req: IncomingMessage, res: ServerResponse) => boolean;
}

function createV1State(urlOf: () => string, clock: Clock, options: V1SimOptions, logger: Logger | undefined): V1SimState {
  const warmup = options.warmupPolls ?? 2;
  const ttl = options.sessionTtlInMs ?? 3_600_000;
  const refreshToken = randomBytes(24).toString('hex');
  const accessTokens = new Map<string, number>();
  const sessions = new Map<string, number>();
  const works = new Map<string, Work>();
  const pollFailures = new Map<string, string>();
  const monitorType = options.monitorType ?? 'BINARY(BYTE)';
  const devices = defaultDevices().map((d) => ({ ...d, model: withMonitorType(d.model, monitorType) }));
  const stats: V1Sim['stats'] = { logins: 0, refreshes: 0, rejectedRefreshes: 0, monitorStarts: 0, monitorStops: 0, controls: [] };
  const newAccessToken = () => {
    const t = randomBytes(24).toString('hex');
    accessTokens.set(t, clock.now() + ttl);
    return t;
  };
  const modelUrl = (d: SimV1Device) => `${urlOf()}/api/webContents/modelJSON?modelName=${String((d.model.Info as { modelName: string }).modelName)}&authKey=thinq`;
  // Lang-pack links as LG gives them: null when there is no pack (most models have only a product-type pack).
  const langPackUrl = (name: string) => (name in SIM_LANG_PACKS ? simLangPackUrl(urlOf(), name) : null);
  const deviceRecord = (d: SimV1Device) => {
    const info = d.model.Info as { modelName: string; productType: string };
    return {
      deviceId: d.deviceId, alias: d.alias, deviceType: d.deviceType, modelNm: info.modelName,
      modelJsonUrl: modelUrl(d), networkType: '02', online: d.online,
      langPackProductTypeUrl: langPackUrl(`product-${info.productType}`), langPackModelUrl: langPackUrl(`model-${info.modelName}`),
    };
  };
  const find = (id: unknown) => devices.find((d) => d.deviceId === id);
  const ok = (res: ServerResponse, data: Record<string, unknown> = {}) => sendJson(res, 200, { lgedmRoot: { returnCd: '0000', returnMsg: 'OK', ...data } });
  const fail = (res: ServerResponse, code: string | number, msg: string) => sendJson(res, 200, { lgedmRoot: { returnCd: code, returnMsg: msg } });

  async function lgedm(req: IncomingMessage): Promise<Record<string, unknown> | null> {
    const body = await readJsonBody(req);
    if (!isRecord(body) || !('lgedmRoot' in body)) return null;
    return isRecord(body.lgedmRoot) ? body.lgedmRoot : {};
  }
  const appHeadersOk = (req: IncomingMessage) =>
    req.headers['x-thinq-application-key'] === 'wideq' && req.headers['x-thinq-security-key'] === 'nuts_securitykey';

  /** Checks token + session headers; answers 0102 when expired. Returns true when the call may go on. */
  function authed(req: IncomingMessage, res: ServerResponse): boolean {
    const token = req.headers['x-thinq-token'];
    const session = req.headers['x-thinq-jsessionid'];
    const tokenExp = typeof token === 'string' ? accessTokens.get(token) : undefined;
    const sessionExp = typeof session === 'string' ? sessions.get(session) : undefined;
    if (tokenExp === undefined || sessionExp === undefined || tokenExp <= clock.now() || sessionExp <= clock.now()) {
      fail(res, '0102', 'Not logged in');
      return false;
    }
    return true;
  }

  return {
    warmup, ttl, refreshToken, revoked: false, accessTokens, sessions, works, pollFailures, devices, stats, clock, urlOf, logger,
    newAccessToken, deviceRecord, find, ok, fail, lgedm, appHeadersOk, authed,
  };
}

/** Gateway discovery, the login page, OAuth refresh and member login. */
function mountV1Login(router: Router, state: V1SimState): void {
  const { ok, fail, lgedm, appHeadersOk, urlOf, newAccessToken, refreshToken, stats, logger, accessTokens, sessions, clock, devices, deviceRecord, ttl } = state;
  router.post('/api/common/gatewayUriList', async (req, res) => {
    const root = await lgedm(req);
    if (!appHeadersOk(req) || root === null) return fail(res, 9000, 'Invalid request');
    const base = urlOf();
    ok(res, {
      countryCode: typeof root.countryCode === 'string' ? root.countryCode : 'US',
      langCode: typeof root.langCode === 'string' ? root.langCode : 'en-US',
      thinqUri: `${base}/api`,
      langPackCommonUri: simLangPackUrl(base, 'common'),
      empUri: `${base}/`,
      oauthUri: `${base}/`,
    });
  });

  // The login page: no form, it redirects straight to the callback with the test user's tokens.
  router.get('/login/sign_in', (_req, res, _params, url) => {
    if (url.searchParams.get('client_id') !== 'LGAO221A02' || url.searchParams.get('svcCode') !== 'SVC202') {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('bad login request');
      return;
    }
    const target = new URL('/login/iabClose', urlOf());
    target.searchParams.set('access_token', newAccessToken());
    target.searchParams.set('refresh_token', refreshToken);
    target.searchParams.set('oauth2_backend_url', `${urlOf()}/`);
    res.writeHead(302, { location: target.toString() }).end();
  });
  router.get('/login/iabClose', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('Logged in. Copy this page URL into the CLI.\n');
  });

  router.post('/oauth2/token', async (req, res) => {
    const form = new URLSearchParams(await readBody(req));
    const date = req.headers['lgemp-x-date'];
    const signature = req.headers['lgemp-x-signature'];
    const token = form.get('refresh_token') ?? '';
    const expected = typeof date === 'string' ? oauthSignature(refreshSignatureMessage(token, date)) : '';
    const dateOk = typeof date === 'string' && /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/.test(date);
    if (
      req.headers['lgemp-x-app-key'] !== 'LGAO221A02' ||
      form.get('grant_type') !== 'refresh_token' ||
      !dateOk ||
      typeof signature !== 'string' ||
      !timingSafeEqualString(signature, expected) ||
      state.revoked ||
      !timingSafeEqualString(token, refreshToken)
    ) {
      stats.rejectedRefreshes += 1;
      logger?.debug('v1 sim: refused token refresh');
      return sendJson(res, 401, { status: 0, message: 'invalid refresh request' });
    }
    stats.refreshes += 1;
    sendJson(res, 200, { status: 1, access_token: newAccessToken(), expires_in: String(Math.floor(ttl / 1000)) });
  });

  router.post('/api/member/login', async (req, res) => {
    const root = await lgedm(req);
    const token = root?.token;
    const exp = typeof token === 'string' ? accessTokens.get(token) : undefined;
    if (!appHeadersOk(req) || root?.loginType !== 'EMP') return fail(res, 9000, 'Invalid request');
    if (exp === undefined || exp <= clock.now()) return fail(res, 9003, 'Session creation failure');
    stats.logins += 1;
    const jsessionId = `${randomBytes(16).toString('hex').toUpperCase()}.node_sim_1`;
    sessions.set(jsessionId, clock.now() + ttl);
    // A single device is sent as an object, several as a list (clients must normalise both).
    const items = devices.map(deviceRecord);
    ok(res, { jsessionId, item: items.length === 1 ? items[0] : items, countryCode: root.countryCode, langCode: root.langCode });
  });
}

/** The device list and model JSON. */
function mountV1DeviceList(router: Router, state: V1SimState): void {
  const { ok, lgedm, authed, devices, deviceRecord } = state;
  router.post('/api/device/deviceList', async (req, res) => {
    await lgedm(req);
    if (!authed(req, res)) return;
    ok(res, { item: devices.map(deviceRecord) });
  });

  router.get('/api/webContents/modelJSON', (_req, res, _params, url) => {
    const d = devices.find((x) => (x.model.Info as { modelName: string }).modelName === url.searchParams.get('modelName'));
    if (!d) return sendJson(res, 404, { error: 'no such model' });
    sendJson(res, 200, d.model);
  });
}

/** rti monitoring (start, poll, stop), control and config. */
function mountV1Rti(router: Router, state: V1SimState): void {
  const { ok, fail, lgedm, authed, find, stats, works, pollFailures, warmup } = state;
  router.post('/api/rti/rtiMon', async (req, res) => {
    const root = await lgedm(req);
    if (!authed(req, res)) return;
    const d = find(root?.deviceId);
    if (!d || root === null) return fail(res, '0101', 'Device not found');
    if (!d.online) return fail(res, '0106', 'Device not connected');
    if (root.cmdOpt === 'Start') {
      stats.monitorStarts += 1;
      const workId = typeof root.workId === 'string' ? root.workId : randomUUID();
      works.set(workId, { deviceId: d.deviceId, polls: 0 });
      return ok(res, { workId, deviceId: d.deviceId });
    }
    if (root.cmdOpt === 'Stop') {
      stats.monitorStops += 1;
      works.delete(String(root.workId));
      return ok(res, {});
    }
    fail(res, 9000, 'Invalid cmdOpt');
  });

  router.post('/api/rti/rtiResult', async (req, res) => {
    const root = await lgedm(req);
    if (!authed(req, res)) return;
    const entry = Array.isArray(root?.workList) ? (root.workList[0] as unknown) : undefined;
    if (!isRecord(entry)) return fail(res, 9000, 'Invalid workList');
    const work = works.get(String(entry.workId));
    const d = find(entry.deviceId);
    if (!work || !d || work.deviceId !== d.deviceId) return ok(res, { workList: { deviceId: entry.deviceId, workId: entry.workId, returnCode: '0103' } });
    const failure = pollFailures.get(d.deviceId);
    if (failure !== undefined) {
      pollFailures.delete(d.deviceId);
      return ok(res, { workList: { deviceId: d.deviceId, workId: entry.workId, returnCode: failure } });
    }
    work.polls += 1;
    if (work.polls <= warmup) return ok(res, { workList: { deviceId: d.deviceId, workId: entry.workId } });
    const frame = new ModelInfo(d.model).encodeMonitor(d.status);
    ok(res, { workList: { deviceId: d.deviceId, workId: entry.workId, returnCode: '0000', format: 'B64', returnData: Buffer.from(frame).toString('base64') } });
  });

  router.post('/api/rti/delControlPermission', async (req, res) => {
    const root = await lgedm(req);
    if (!authed(req, res)) return;
    const d = find(root?.deviceId);
    if (!d) return fail(res, '0101', 'Device not found');
    ok(res, {});
  });

  router.post('/api/rti/rtiControl', async (req, res) => {
    const root = await lgedm(req);
    if (!authed(req, res)) return;
    const d = find(root?.deviceId);
    if (!d || root === null) return fail(res, '0101', 'Device not found');
    if (!d.online) return fail(res, '0106', 'Device not connected');
    if (root.cmdOpt === 'Get') {
      const key = String(root.value);
      if (root.cmd === 'Config') {
        const text = d.config[key];
        if (text === undefined) return fail(res, 9000, 'Invalid config key');
        return ok(res, { returnData: Buffer.from(text).toString('base64'), format: 'B64' });
      }
      const v = d.controls[key];
      if (v === undefined) return fail(res, '0100', 'Control not supported');
      return ok(res, { returnData: `(${key}:${v})` });
    }
    stats.controls.push(root);
    const applied = applyControl(d, root);
    if (!applied) return fail(res, '0100', 'Control not supported');
    ok(res, {});
  });
}

/** Mounts the v1 API (gateway, login page, OAuth, member login, devices, rti, model JSON) on `router`. */
export function mountV1Simulator(router: Router, urlOf: () => string, clock: Clock, options: V1SimOptions = {}, logger?: Logger): V1Sim {
  const state = createV1State(urlOf, clock, options, logger);
  mountV1Login(router, state);
  mountV1DeviceList(router, state);
  mountV1Rti(router, state);
  mountLangPacks(router);
  const { refreshToken, devices, find, accessTokens, sessions, pollFailures, stats } = state;
  const expireSessions = (): void => {
    const past = clock.now() - 1;
    for (const k of accessTokens.keys()) accessTokens.set(k, past);
    for (const k of sessions.keys()) sessions.set(k, past);
  };
  return {
    refreshToken,
    devices,
    device(deviceId) {
      const d = find(deviceId);
      if (!d) throw new RangeError(`deviceId: no simulated device ${deviceId}`);
      return d;
    },
    expireSessions,
    revokeTokens() {
      state.revoked = true;
      const count = accessTokens.size + 1;
      expireSessions();
      return count;
    },
    failNextPoll(deviceId, code = '0100') {
      pollFailures.set(deviceId, code);
    },
    stats,
  };
}

/** Applies a Set/Operation control to a simulated device; false when the device does not support it. */
function applyControl(d: SimV1Device, root: Record<string, unknown>): boolean {
  const model = new ModelInfo(d.model);
  if (root.cmd !== 'Control') return false;
  // Plain key/value sets, e.g. {TempCfg: 22} or the refrigerator's RETM/REFT codes.
  if (isRecord(root.value)) {
    for (const [key, value] of Object.entries(root.value)) {
      const target = key === 'RETM' ? 'TempRefrigerator' : key === 'REFT' ? 'TempFreezer' : key;
      if (!model.hasValue(target)) return false;
      const v = model.value(target);
      const s = String(value);
      if (v.type === 'enum' && !Object.hasOwn(v.options, s)) return false;
      if (v.type === 'range' && (Number(s) < v.min || Number(s) > v.max)) return false;
      d.status[target] = s;
    }
    return true;
  }
  // Binary controls: find the ControlWifi action, read its template back from the bytes.
  const cw = d.model.ControlWifi as { action?: Record<string, Record<string, unknown>> } | undefined;
  const actions = Object.entries(cw?.action ?? {});
  const match = actions.find(([, a]) =>
    root.value === 'ControlData' && a.cmd === undefined ? true : a.cmd === root.cmd && a.cmdOpt === root.cmdOpt && a.value === root.value,
  );
  if (!match) return false;
  const [name, action] = match;
  if (typeof action.data === 'string' && action.data !== '') {
    if (root.format !== 'B64' || typeof root.data !== 'string') return false;
    const bytes = Buffer.from(root.data, 'base64');
    const slots = action.data.replace(/^\[|\]$/g, '').split(',').map((s) => s.trim());
    if (slots.length !== bytes.length) return false;
    slots.forEach((slot, i) => {
      const m = /^\{\{(.+)\}\}$/.exec(slot);
      if (m?.[1] !== undefined) d.status[m[1]] = String(bytes[i]);
    });
  }
  if (name === 'OperationStart') {
    d.status.PreState = d.status.State ?? '0';
    d.status.State = '2';
  } else if (name === 'OperationStop') {
    d.status.PreState = d.status.State ?? '0';
    d.status.State = '6';
  } else if (name === 'PowerOff') {
    d.status.State = '0';
  }
  return true;
}

