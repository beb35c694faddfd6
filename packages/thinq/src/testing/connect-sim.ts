import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqualString, type Clock } from '@x/http-core';
import { readJsonBody, sendJson, type Router } from '@x/http-core/testing';
import { DeviceProfile } from '../connect/profile.js';
import { mergeState } from '../connect/merge-state.js';
import { CONNECT_API_KEY } from '../connect/client.js';
import { isControlValidationError } from '../errors.js';
import type { MqttBrokerSim } from './broker.js';
import type { TestCa } from './ca.js';
import { defaultConnectDevices, type SimConnectDevice } from './connect-devices.js';
import { controlReport, reportsSomething } from './connect-control.js';
import { energyProfileAnswer, energyUsageAnswer, reportsEnergy } from './connect-energy.js';

export type { SimConnectDevice } from './connect-devices.js';

/** Options of the Connect part of the simulator. */
export interface ConnectSimOptions {
  /** Country of the simulated account. Default `US`. */
  country?: string;
  /** At most `maxCalls` per `windowInMs` per token; beyond, HTTP 429 with code 1306. Default 600 per minute. */
  rateLimit?: { maxCalls: number; windowInMs: number };
}

interface MountOptions extends ConnectSimOptions {
  prefix: string;
  pat: string;
  clock: Clock;
  /** The CA issuing client certificates (made on first use). */
  ca: () => Promise<TestCa>;
  broker: MqttBrokerSim | undefined;
}

/** Control and inspection handle of the Connect simulator. */
export interface ConnectSim {
  readonly country: string;
  readonly devices: SimConnectDevice[];
  /** The simulated device with that id; throws RangeError when there is none. */
  device(deviceId: string): SimConnectDevice;
  /** Fault injection: from now on the personal access token is refused (HTTP 401, code 1103). */
  revokeToken(): void;
  /** The next `count` calls answer HTTP 429 with `code` (1306 or 1314), with `Retry-After` when given. */
  rateLimitNext(count: number, code?: '1306' | '1314', retryAfterInSeconds?: number): void;
  /** Changes a device's state (as if someone used the appliance) and publishes the report. */
  report(deviceId: string, report: Record<string, unknown>): Promise<void>;
  /** Sends a `DEVICE_PUSH` notification to clients subscribed to the device's push. */
  notify(deviceId: string, pushCode: string): Promise<void>;
  /** Registered MQTT clients: id → topics issued with their certificate. */
  readonly clients: ReadonlyMap<string, { topics: string[]; certificates: number }>;
  /** Event subscriptions: `clientId deviceId` → expiry time. */
  readonly eventSubscriptions: ReadonlyMap<string, number>;
  /** Push subscriptions: `clientId deviceId`. */
  readonly pushSubscriptions: ReadonlySet<string>;
  /** Every request: method, path (below the prefix), and headers. */
  readonly requests: { method: string; path: string; headers: Record<string, string | string[] | undefined>; body: unknown }[];
  /** Messages published over MQTT. */
  readonly published: { topic: string; message: Record<string, unknown> }[];
  /** Revokes every registered MQTT client (their broker connections are closed) and forgets them. */
  stop(): void;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

type Handler = (req: IncomingMessage, res: ServerResponse, clientId: string, params: Record<string, string>, body: unknown) => unknown;

/** What the Connect routes share: devices, clients, subscriptions, the request log and answer helpers. */
interface ConnectSimState {
  prefix: string;
  country: string;
  clock: Clock;
  ca: () => Promise<TestCa>;
  broker: MqttBrokerSim | undefined;
  devices: SimConnectDevice[];
  clients: Map<string, { topics: string[]; certificates: number }>;
  events: Map<string, number>;
  pushes: Set<string>;
  accountEvents: Set<string>;
  requests: ConnectSim['requests'];
  published: ConnectSim['published'];
  route: (method: 'GET' | 'POST' | 'DELETE', path: string, handler: Handler) => void;
  reply: (req: IncomingMessage, res: ServerResponse, response: unknown) => void;
  error: (req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string, headers?: Record<string, string>) => void;
  find: (id: string | undefined) => SimConnectDevice | undefined;
  report: (d: SimConnectDevice, rep: Record<string, unknown>) => Promise<void>;
  notify: (d: SimConnectDevice, pushCode: string) => Promise<void>;
  /** From now on the token is refused (1103). */
  revoke: () => void;
  /** The next `count` calls answer 429 with `code`. */
  forceRateLimit: (count: number, code: string, retryAfter?: number) => void;
}

/** The shared state and helpers; `route()` registers on `router` behind the header checks. */
function createConnectState(router: Router, options: MountOptions): ConnectSimState {
  const { prefix, pat, clock, ca, broker } = options;
  const country = options.country ?? 'US';
  const limit = options.rateLimit ?? { maxCalls: 600, windowInMs: 60_000 };
  const devices = defaultConnectDevices();
  const calls: number[] = [];
  let revoked = false;
  let forced: { count: number; code: string; retryAfter?: number } = { count: 0, code: '1306' };
  const clients = new Map<string, { topics: string[]; certificates: number }>();
  const events = new Map<string, number>();
  const pushes = new Set<string>();
  const accountEvents = new Set<string>();
  const requests: ConnectSim['requests'] = [];
  const published: ConnectSim['published'] = [];

  const envelope = (req: IncomingMessage) => ({ messageId: String(req.headers['x-message-id'] ?? ''), timestamp: new Date(clock.now()).toISOString() });
  const reply = (req: IncomingMessage, res: ServerResponse, response: unknown) => sendJson(res, 200, { ...envelope(req), response });
  const error = (req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) =>
    sendJson(res, status, { ...envelope(req), error: { code, message } }, headers);
  const find = (id: string | undefined) => devices.find((d) => d.deviceId === id);

  /** Checks the headers every call needs; answers the matching error. */
  function admit(req: IncomingMessage, res: ServerResponse): string | undefined {
    const h = req.headers;
    const auth = typeof h.authorization === 'string' ? h.authorization : '';
    if (revoked || !auth.startsWith('Bearer ') || !timingSafeEqualString(auth.slice(7), pat)) return void error(req, res, 401, '1103', 'Invalid token');
    if (h['x-api-key'] !== CONNECT_API_KEY) return void error(req, res, 401, '1301', 'Invalid service key');
    if (typeof h['x-message-id'] !== 'string' || !/^[A-Za-z0-9_-]{22}$/.test(h['x-message-id'])) return void error(req, res, 400, '1104', 'Invalid message id');
    if (h['x-country'] !== country) return void error(req, res, 400, '1307', 'Not supported country');
    if (typeof h['x-client-id'] !== 'string' || h['x-client-id'] === '' || h['x-service-phase'] !== 'OP') {
      return void error(req, res, 400, '1216', 'Incorrect header');
    }
    const now = clock.now();
    while (calls.length > 0 && (calls[0] as number) <= now - limit.windowInMs) calls.shift();
    if (forced.count > 0) {
      forced = { ...forced, count: forced.count - 1 };
      return void error(req, res, 429, forced.code, 'Exceeded API calls', forced.retryAfter === undefined ? {} : { 'retry-after': String(forced.retryAfter) });
    }
    if (calls.length >= limit.maxCalls) return void error(req, res, 429, '1306', 'Exceeded API calls');
    calls.push(now);
    return h['x-client-id'];
  }

  const route = (method: 'GET' | 'POST' | 'DELETE', path: string, handler: Handler) => {
    router.add(method, `${prefix}${path}`, async (req, res, params) => {
      const body = method === 'GET' ? undefined : await readJsonBody(req).catch(() => null);
      requests.push({ method, path: (req.url ?? '').slice(prefix.length + 1), headers: { ...req.headers }, body });
      const clientId = admit(req, res);
      if (clientId === undefined) return;
      await handler(req, res, clientId, params, body);
    });
  };

  async function publishTo(key: (clientId: string) => boolean, message: Record<string, unknown>): Promise<void> {
    if (!broker) return;
    for (const [clientId, c] of clients) {
      if (!key(clientId)) continue;
      for (const topic of c.topics) {
        published.push({ topic, message });
        await broker.publish(topic, message);
      }
    }
  }

  async function report(d: SimConnectDevice, rep: Record<string, unknown>): Promise<void> {
    d.state = mergeState(d.state, rep);
    const now = clock.now();
    const { location: _location, ...resources } = rep;
    await publishTo((clientId) => (events.get(`${clientId} ${d.deviceId}`) ?? 0) > now, {
      deviceId: d.deviceId,
      deviceType: d.deviceType,
      pushType: 'DEVICE_STATUS',
      report: resources,
      timestamp: new Date(now).toISOString(),
    });
  }

  async function notify(d: SimConnectDevice, pushCode: string): Promise<void> {
    await publishTo((clientId) => pushes.has(`${clientId} ${d.deviceId}`), {
      deviceId: d.deviceId,
      deviceType: d.deviceType,
      pushType: 'DEVICE_PUSH',
      pushCode,
      timestamp: new Date(clock.now()).toISOString(),
    });
  }
  return {
    prefix, country, clock, ca, broker, devices, clients, events, pushes, accountEvents, requests, published, route, reply, error, find, report, notify,
    revoke: () => {
      revoked = true;
    },
    forceRateLimit: (count, code, retryAfter) => {
      forced = { count, code, ...(retryAfter === undefined ? {} : { retryAfter }) };
    },
  };
}

/** Devices, profiles, states and validated control (which reports the changed state). */
function mountDeviceRoutes(state: ConnectSimState): void {
  const { route, reply, error, find, devices, report } = state;
  route('GET', '/devices', (req, res) =>
    reply(req, res, devices.map((d) => ({ deviceId: d.deviceId, deviceInfo: { deviceType: d.deviceType, modelName: d.modelName, alias: d.alias, reportable: true } }))),
  );
  route('GET', '/devices/:id/profile', (req, res, _c, p) => {
    const d = find(p.id);
    if (!d) return error(req, res, 400, '1224', 'Invalid device id');
    reply(req, res, d.profile);
  });
  route('GET', '/devices/:id/state', (req, res, _c, p) => {
    const d = find(p.id);
    if (!d) return error(req, res, 400, '1224', 'Invalid device id');
    if (!d.online) return error(req, res, 400, '1222', 'Not connected device');
    reply(req, res, d.state);
  });
  route('GET', '/devices/energy/:id/profile', (req, res, _c, p) => {
    const d = find(p.id);
    if (!d) return error(req, res, 400, '1224', 'Invalid device id');
    reply(req, res, energyProfileAnswer(d));
  });
  route('GET', '/devices/energy/:id/usage', (req, res, _c, p) => {
    const d = find(p.id);
    if (!d) return error(req, res, 400, '1224', 'Invalid device id');
    const q = new URL(req.url ?? '/', 'http://sim').searchParams;
    const period = q.get('period');
    const start = q.get('startDate') ?? '';
    const end = q.get('endDate') ?? '';
    if (q.get('property') === null || period === null || start === '' || end === '') return error(req, res, 400, '1101', 'Missing parameters');
    const format = period === 'DAILY' ? /^\d{8}$/ : period === 'MONTHLY' ? /^\d{6}$/ : undefined;
    if (format === undefined || !format.test(start) || !format.test(end) || start > end || q.get('property') !== 'energyUsage') {
      return error(req, res, 400, '1102', 'Unacceptable parameters');
    }
    if (!reportsEnergy(d)) return error(req, res, 400, '2201', 'Not provided feature');
    reply(req, res, energyUsageAnswer(d, period as 'DAILY' | 'MONTHLY', start, end, state.clock.now()));
  });
  route('POST', '/devices/:id/control', async (req, res, _c, p, body) => {
    const d = find(p.id);
    if (!d) return error(req, res, 400, '1224', 'Invalid device id');
    if (req.headers['x-conditional-control'] !== 'true') return error(req, res, 400, '1216', 'Incorrect header');
    try {
      new DeviceProfile(d.profile).validateControl(body);
    } catch (err) {
      return error(req, res, 400, isControlValidationError(err) ? '2207' : '1311', err instanceof Error ? err.message : 'Bad request format');
    }
    if (!d.online) return error(req, res, 400, '1222', 'Not connected device');
    reply(req, res, {});
    const rep = controlReport(d, body as Record<string, unknown>);
    if (reportsSomething(rep)) await report(d, rep);
  });
}

/** The MQTT route, client registration and certificates from the test CA. */
function mountClientRoutes(state: ConnectSimState): void {
  const { route, reply, error, prefix, broker, clients, events, pushes, ca } = state;
  route('GET', '/route', (req, res) => reply(req, res, { apiServer: `${prefix}/`, mqttServer: broker?.url ?? 'mqtts://127.0.0.1:0' }));
  route('POST', '/client', (req, res, clientId, _p, body) => {
    if (!isRecord(body) || body.type !== 'MQTT' || body['service-code'] !== 'SVC202' || body['device-type'] !== '607') {
      return error(req, res, 400, '1101', 'Missing parameters');
    }
    if (clients.has(clientId) && body.allowExist !== true) return error(req, res, 400, '1225', 'Duplicate client');
    if (!clients.has(clientId)) clients.set(clientId, { topics: [], certificates: 0 });
    reply(req, res, {});
  });
  route('DELETE', '/client', (req, res, clientId) => {
    clients.delete(clientId);
    broker?.revoke(clientId);
    for (const k of [...events.keys()]) if (k.startsWith(`${clientId} `)) events.delete(k);
    for (const k of [...pushes]) if (k.startsWith(`${clientId} `)) pushes.delete(k);
    reply(req, res, {});
  });
  route('POST', '/client/certificate', async (req, res, clientId, _p, body) => {
    const c = clients.get(clientId);
    if (!c) return error(req, res, 400, '1203', 'Not registered client');
    if (!isRecord(body) || body['service-code'] !== 'SVC202' || typeof body.csr !== 'string') return error(req, res, 400, '1101', 'Missing parameters');
    let certificatePem: string;
    try {
      certificatePem = await (await ca()).issueFromCsr(body.csr);
    } catch {
      return error(req, res, 400, '1102', 'Unacceptable parameters: invalid CSR');
    }
    const topics = [`app/clients/${clientId}/push`];
    c.topics = topics;
    c.certificates += 1;
    broker?.allow(clientId, topics);
    reply(req, res, { result: { certificatePem, subscriptions: topics } });
  });
}

/** Push and event subscriptions per device, and account events. */
function mountSubscriptionRoutes(state: ConnectSimState): void {
  const { route, reply, error, find, clock, events, pushes, accountEvents } = state;
  const subscription = (kind: 'push' | 'event') => {
    route('POST', `/${kind}/:id/subscribe`, (req, res, clientId, p, body) => {
      const d = find(p.id);
      if (!d) return error(req, res, 400, '1224', 'Invalid device id');
      const key = `${clientId} ${d.deviceId}`;
      if (kind === 'push') {
        if (pushes.has(key)) return error(req, res, 400, '1207', 'Already subscribed push');
        pushes.add(key);
      } else {
        const expire = isRecord(body) && isRecord(body.expire) ? body.expire : {};
        const hours = typeof expire.timer === 'number' && expire.unit === 'HOUR' ? expire.timer : 24;
        events.set(key, clock.now() + hours * 3_600_000);
      }
      reply(req, res, {});
    });
    route('DELETE', `/${kind}/:id/unsubscribe`, (req, res, clientId, p) => {
      const key = `${clientId} ${p.id ?? ''}`;
      const had = kind === 'push' ? pushes.delete(key) : events.delete(key);
      if (!had) return error(req, res, 400, kind === 'push' ? '1206' : '1204', `Not subscribed ${kind}`);
      reply(req, res, {});
    });
    route('GET', `/${kind}`, (req, res, clientId) => {
      const prefixKey = `${clientId} `;
      const ids = kind === 'push' ? [...pushes] : [...events.keys()].filter((k) => (events.get(k) ?? 0) > clock.now());
      reply(req, res, ids.filter((k) => k.startsWith(prefixKey)).map((k) => ({ deviceId: k.slice(prefixKey.length) })));
    });
  };
  subscription('push');
  subscription('event');
  route('GET', '/push/devices', (req, res, clientId) => reply(req, res, accountEvents.has(clientId) ? [{ subscribed: true }] : []));
  route('POST', '/push/devices', (req, res, clientId) => {
    accountEvents.add(clientId);
    reply(req, res, {});
  });
  route('DELETE', '/push/devices', (req, res, clientId) => {
    accountEvents.delete(clientId);
    reply(req, res, {});
  });
}

/** Mounts the Connect API under `prefix` on `router`. */
export function mountConnectSimulator(router: Router, options: MountOptions): ConnectSim {
  const state = createConnectState(router, options);
  mountDeviceRoutes(state);
  mountClientRoutes(state);
  mountSubscriptionRoutes(state);
  const { country, devices, clients, events, pushes, requests, published, find, report, notify } = state;
  return {
    country,
    devices,
    device: deviceOrThrow,
    revokeToken: state.revoke,
    rateLimitNext(count, code = '1306', retryAfterInSeconds) {
      state.forceRateLimit(count, code, retryAfterInSeconds);
    },
    report: (deviceId, rep) => report(deviceOrThrow(deviceId), rep),
    notify: (deviceId, code) => notify(deviceOrThrow(deviceId), code),
    clients,
    eventSubscriptions: events,
    pushSubscriptions: pushes,
    requests,
    published,
    stop() {
      for (const clientId of clients.keys()) state.broker?.revoke(clientId);
      clients.clear();
    },
  };

  function deviceOrThrow(deviceId: string): SimConnectDevice {
    const d = find(deviceId);
    if (!d) throw new RangeError(`deviceId: no simulated device ${deviceId}`);
    return d;
  }
}

