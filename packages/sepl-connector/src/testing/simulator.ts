import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { createControl, listenOnLoopback, withControl, type Control } from '@x/http-core/testing';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ProtocolPart } from '../command.js';
import { checkGranularity, timeWindowToMs } from '../granularity.js';
import { averageBuckets, numericValue, type DataPoint } from './druid.js';
import { decodeGoParts } from './go-parts.js';

export type SimGeneration = 'g1' | 'g2';

/** A frame a connector sent to the simulator. */
export interface SimFrame {
  generation: SimGeneration;
  /** Websocket session number (1, 2, …) in connection order. */
  session: number;
  /** G2: the envelope's handler (`credentials` for the first frame). G1: `credentials`, `change`, `response` or `update`. */
  handler: string;
  token?: string;
  payload: unknown;
  raw: string;
  atMs: number;
}

/** A device as the simulated platform knows it. */
export interface SimDevice {
  uri: string;
  name: string;
  type: string;
  tags: string[];
  /** Platform id `iot#<uuid>`, stable per user and local id. */
  platformId: string;
}

/** A G2 gateway (persisted across reconnects). */
export interface SimGateway {
  id: string;
  user: string;
  hash: string;
  devices: Map<string, SimDevice>;
  /** Devices listening for commands in any open session of this gateway (the union of `sessions`). */
  readonly listening: ReadonlySet<string>;
  /** Open session number → the devices that session listens for (each websocket keeps its own). */
  readonly sessions: Map<number, Set<string>>;
  /** Devices associated by the last commit; restored on reconnect. */
  committed: Set<string>;
  /** How many times `clear` was called. */
  clears: number;
}

/** An event received (G2 `event`, G1 `change:`). */
export interface SimEvent {
  generation: SimGeneration;
  user: string;
  deviceId: string;
  platformId: string | undefined;
  service: string;
  parts: ProtocolPart[] | null;
  atMs: number;
}

/** A G1 registration POST. */
export interface SimRegistration {
  user: string;
  devices: Array<{ id: string; zway_type: string; title: string }>;
  path: string;
}

export interface SeplSimulatorOptions {
  port?: number;
  /** Loopback only (127.0.0.0/8, `::1`, `localhost`; else a RangeError from `listen`). Default `127.0.0.1`. */
  host?: string;
  /** user → password. Default `{ sepl: 'sepl-password' }`. */
  users?: Record<string, string>;
  /** Registration path (G1). Default `discovery`. */
  registrationPath?: string;
  /** Handler names the platform accepts for removal. Default `['delete', 'remove']`. */
  deleteHandlers?: string[];
  /** Milliseconds since the epoch (for event times and average windows). */
  now?: () => number;
  /** Serve HTTPS and WSS with this key and certificate (e.g. `testCertificate()` of @x/http-core/testing). */
  tls?: { key: string; cert: string };
}

interface Session {
  id: number;
  socket: WebSocket;
  generation?: SimGeneration;
  user?: string;
  gateway?: SimGateway;
  /** G2: the devices this session listens for (put, or committed before it connected). */
  listening: Set<string>;
}

function newGateway(user: string): SimGateway {
  const sessions = new Map<number, Set<string>>();
  return {
    id: randomUUID(),
    user,
    hash: '',
    devices: new Map(),
    get listening(): ReadonlySet<string> {
      return new Set([...sessions.values()].flatMap((set) => [...set]));
    },
    sessions,
    committed: new Set(),
    clears: 0,
  };
}

type Reply = (status: number, payload: unknown) => void;

interface PendingCommand {
  resolve(payload: Record<string, unknown>): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export interface SendCommandOptions {
  /** Wait this long for the connector's response. Default 10 s. */
  timeoutInMs?: number;
  serviceName?: string;
  outputName?: string;
  /** Hears the command's task id once it was sent. */
  onSent?: (taskId: string) => void;
}

function partsFrom(input: ReadonlyArray<ProtocolPart> | Readonly<Record<string, string>> | null | undefined): ProtocolPart[] | null {
  if (input === null || input === undefined) return null;
  if (Array.isArray(input)) return (input as ProtocolPart[]).map((p) => ({ name: p.name, value: p.value }));
  return Object.entries(input as Record<string, string>).map(([name, value]) => ({ name, value }));
}

/**
 * A loopback SEPL platform: the lookup endpoint, the G1 registration endpoint, the average
 * endpoint and one websocket speaking G1 and G2 (chosen by the first frame).
 * Emits `'frame'` (SimFrame), `'connection'` (session number) and `'disconnect'` (session number).
 */
export class SeplSimulator extends EventEmitter {
  readonly users: Record<string, string>;
  /** Every frame connectors sent, in order. */
  readonly received: SimFrame[] = [];
  /** Every frame the simulator sent, as text. */
  readonly sent: Array<{ session: number; raw: string }> = [];
  readonly gateways = new Map<string, SimGateway>();
  readonly events: SimEvent[] = [];
  readonly registrations: SimRegistration[] = [];
  /** Values for the average endpoint, by device id (local and platform id). */
  readonly dataPoints = new Map<string, DataPoint[]>();
  /** Payloads of the websocket pings received, in order. */
  readonly pings: string[] = [];
  /** Answer websocket pings (turn off to simulate a silent server). */
  answerPings = true;
  /** Answer G2 requests, the credentials frame included (turn off to make connector requests time out). */
  answerRequests = true;
  /** Reject every credential check. */
  rejectCredentials = false;
  /**
   * The shared control API (SIMULATOR-CONTROL.md) at `controlUrl`: HTTP faults on the lookup,
   * registration and average endpoints, `tokens/revoke` (`{token: user}` or all users: their
   * credentials are refused from then on), `connections/drop`, `push` (`{device, service, parts?}`:
   * a command to a device; answers `{taskId}`), `received` (every frame connectors sent).
   */
  readonly control: Control;
  readonly #revoked = new Set<string>();

  readonly #server: Server;
  readonly #wss: WebSocketServer;
  readonly #sessions = new Map<number, Session>();
  readonly #pending = new Map<string, PendingCommand>();
  /** G1: user → registered devices. */
  readonly #g1Devices = new Map<string, Map<string, SimDevice>>();
  /** Stable platform ids: `${user}\n${uri}` → id. */
  readonly #platformIds = new Map<string, string>();
  readonly #registrationPath: string;
  readonly #deleteHandlers: Set<string>;
  readonly #now: () => number;
  #nextSession = 1;
  #port = 0;
  #host: string;
  readonly #secure: boolean;

  constructor(options: SeplSimulatorOptions = {}) {
    super();
    this.users = { ...(options.users ?? { sepl: 'sepl-password' }) };
    this.#registrationPath = (options.registrationPath ?? 'discovery').replace(/^\/+/, '');
    this.#deleteHandlers = new Set(options.deleteHandlers ?? ['delete', 'remove']);
    this.#now = options.now ?? Date.now;
    this.#host = options.host ?? '127.0.0.1';
    this.#secure = options.tls !== undefined;
    this.control = createControl({
      name: 'sepl-connector',
      revokeTokens: ({ token }) => this.revokeCredentials(token),
      dropConnections: () => this.dropConnections(),
      push: (body) => ({ taskId: this.pushCommand(body) }),
      received: () => this.received,
      clearReceived: () => void this.received.splice(0),
    });
    const handler = withControl(this.control, (req: IncomingMessage, res: ServerResponse): void => this.#http(req, res));
    this.#server = options.tls ? createTlsServer({ key: options.tls.key, cert: options.tls.cert }, handler) : createServer(handler);
    this.#wss = new WebSocketServer({ server: this.#server, autoPong: false });
    this.#wss.on('connection', (socket) => this.#connection(socket));
  }

  /** Starts listening; resolves with the simulator. */
  async listen(port = 0): Promise<this> {
    this.#port = (await listenOnLoopback(this.#server, port, this.#host)).port;
    return this;
  }

  get port(): number {
    return this.#port;
  }
  /** Base URL of the HTTP endpoints (also the average service). */
  get url(): string {
    return `${this.#secure ? 'https' : 'http'}://${this.#host}:${this.#port}/`;
  }
  get lookupUrl(): string {
    return `${this.url}lookup`;
  }
  get websocketUrl(): string {
    return `${this.#secure ? 'wss' : 'ws'}://${this.#host}:${this.#port}`;
  }
  /** Base URL of the control API. */
  get controlUrl(): string {
    return `${this.url}control`;
  }

  /** Number of open websocket sessions. */
  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** Frames of one handler (and generation). */
  framesOf(handler: string, generation?: SimGeneration): SimFrame[] {
    return this.received.filter((f) => f.handler === handler && (generation === undefined || f.generation === generation));
  }

  /** Resolves with the first frame at index ≥ `after` that matches, waiting for it if needed. */
  waitForFrame(match: (frame: SimFrame) => boolean, options: { after?: number; timeoutInMs?: number } = {}): Promise<SimFrame> {
    const after = options.after ?? 0;
    const found = this.received.slice(after).find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const onFrame = (frame: SimFrame): void => {
        if (!match(frame)) return;
        clearTimeout(timer);
        this.off('frame', onFrame);
        resolve(frame);
      };
      const timer = setTimeout(() => {
        this.off('frame', onFrame);
        reject(new Error(`no matching frame within ${options.timeoutInMs ?? 5000} ms`));
      }, options.timeoutInMs ?? 5000);
      this.on('frame', onFrame);
    });
  }

  /** Adds a value for the average endpoint (events add theirs automatically). */
  addDataPoint(deviceId: string, value: number, timeMs: number = this.#now()): void {
    const list = this.dataPoints.get(deviceId) ?? [];
    list.push({ timeMs, value });
    this.dataPoints.set(deviceId, list);
  }

  /** Sends a raw text frame to every open session (e.g. garbage, to test a connector's parser). */
  broadcast(raw: string): number {
    for (const session of this.#sessions.values()) this.#send(session, raw);
    return this.#sessions.size;
  }

  /** Closes every websocket abruptly; returns how many were open. */
  dropConnections(): number {
    const count = this.#sessions.size;
    for (const session of this.#sessions.values()) session.socket.terminate();
    return count;
  }

  /** Refuses the credentials of `user` (every user when undefined) from now on; returns how many. */
  revokeCredentials(user?: string): number {
    const users = user === undefined ? Object.keys(this.users) : Object.keys(this.users).filter((u) => u === user);
    for (const u of users) this.#revoked.add(u);
    return users.length;
  }

  /**
   * The control API's push: `{device, service, parts?}` sends a command to a listening device and
   * returns its task id at once (the answer shows in `received`); a TypeError for bad input.
   */
  pushCommand(body: unknown): string {
    const b = body as { device?: unknown; service?: unknown; parts?: unknown } | null;
    if (typeof b !== 'object' || b === null || typeof b.device !== 'string' || typeof b.service !== 'string') {
      throw new TypeError('push needs {"device": "<id>", "service": "<uri>", "parts"?: {...}}');
    }
    if (b.parts !== undefined && b.parts !== null && typeof b.parts !== 'object') throw new TypeError('push parts must be an object or an array');
    if (!this.#commandTarget(b.device)) throw new RangeError(`device ${b.device} is not connected to the simulator`);
    let taskId = '';
    const answer = this.sendCommand(b.device, b.service, (b.parts ?? null) as Record<string, string> | null, { onSent: (id) => (taskId = id) });
    answer.catch(() => undefined);
    return taskId;
  }

  /** The platform id of a device registered by `user` (created on first use). */
  platformId(user: string, uri: string): string {
    const key = `${user}\n${uri}`;
    let id = this.#platformIds.get(key);
    if (id === undefined) {
      id = `iot#${randomUUID()}`;
      this.#platformIds.set(key, id);
    }
    return id;
  }

  /**
   * Sends a command to a registered, listening device and resolves with the connector's
   * response payload (the command echoed with new protocol parts).
   */
  sendCommand(
    deviceId: string,
    service: string,
    parts?: ReadonlyArray<ProtocolPart> | Readonly<Record<string, string>> | null,
    options: SendCommandOptions = {},
  ): Promise<Record<string, unknown>> {
    const target = this.#commandTarget(deviceId);
    if (!target) return Promise.reject(new Error(`device ${deviceId} is not connected to the simulator`));
    const { session, device } = target;
    const command = {
      worker_id: randomUUID(),
      task_id: randomUUID(),
      device_url: deviceId,
      service_url: service,
      protocol_parts: partsFrom(parts),
      device_instance_id: device.platformId,
      service_name: options.serviceName ?? service,
      output_name: options.outputName ?? 'Task_sim',
      time: String(Math.floor(this.#now() / 1000)),
    };
    const frame = session.generation === 'g2' ? JSON.stringify({ handler: 'command', content_type: 'map', payload: command }) : JSON.stringify(command);
    const timeoutInMs = options.timeoutInMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(command.task_id);
        reject(new Error(`no response to command ${command.task_id} within ${timeoutInMs} ms`));
      }, timeoutInMs);
      this.#pending.set(command.task_id, { resolve, reject, timer });
      this.#send(session, frame);
      options.onSent?.(command.task_id);
    });
  }

  /** Rejects the commands still waiting for an answer, terminates every session and closes the servers. */
  async close(): Promise<void> {
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new Error('simulator closed'));
    }
    this.#pending.clear();
    for (const session of this.#sessions.values()) session.socket.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  // ---------------------------------------------------------------- websocket

  #commandTarget(deviceId: string): { session: Session; device: SimDevice } | undefined {
    let found: { session: Session; device: SimDevice } | undefined;
    for (const session of this.#sessions.values()) {
      if (session.generation === 'g2' && session.listening.has(deviceId)) {
        const device = session.gateway?.devices.get(deviceId);
        if (device) found = { session, device };
      }
      if (session.generation === 'g1' && session.user !== undefined) {
        const device = this.#g1Devices.get(session.user)?.get(deviceId);
        if (device) found = { session, device };
      }
    }
    return found;
  }

  #send(session: Session, raw: string): void {
    this.sent.push({ session: session.id, raw });
    session.socket.send(raw);
  }

  #record(session: Session, handler: string, payload: unknown, raw: string, token?: string): void {
    const frame: SimFrame = { generation: session.generation ?? 'g2', session: session.id, handler, payload, raw, atMs: this.#now() };
    if (token !== undefined) frame.token = token;
    this.received.push(frame);
    this.emit('frame', frame);
  }

  #connection(socket: WebSocket): void {
    const session: Session = { id: this.#nextSession++, socket, listening: new Set() };
    this.#sessions.set(session.id, session);
    socket.on('ping', (data) => {
      this.pings.push(data.toString('utf8'));
      if (this.answerPings) socket.pong(data);
    });
    socket.on('message', (data, isBinary) => {
      const raw = isBinary ? Buffer.from(data as Buffer).toString('utf8') : (data as Buffer).toString('utf8');
      try {
        this.#message(session, raw);
      } catch (err) {
        socket.close(1011, (err as Error).message.slice(0, 100));
      }
    });
    socket.on('close', () => {
      this.#sessions.delete(session.id);
      // only this socket stops listening: a reconnect that overtook this close keeps its devices
      session.gateway?.sessions.delete(session.id);
      this.emit('disconnect', session.id);
    });
    socket.on('error', () => undefined);
    this.emit('connection', session.id);
  }

  #checkCredentials(user: unknown, password: unknown): user is string {
    return !this.rejectCredentials && typeof user === 'string' && !this.#revoked.has(user) && typeof password === 'string' && this.users[user] === password;
  }

  #message(session: Session, raw: string): void {
    if (session.generation === undefined) {
      this.#firstFrame(session, raw);
      return;
    }
    if (session.generation === 'g1') this.#g1Message(session, raw);
    else this.#g2Message(session, raw);
  }

  #firstFrame(session: Session, raw: string): void {
    let frame: Record<string, unknown>;
    try {
      frame = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      session.socket.close(1002, 'first frame must be credentials JSON');
      return;
    }
    if (typeof frame !== 'object' || frame === null || !('user' in frame)) {
      session.socket.close(1002, 'first frame must be credentials JSON');
      return;
    }
    session.generation = frame['token'] === 'credentials' ? 'g2' : 'g1';
    this.#record(session, 'credentials', { user: frame['user'], gid: frame['gid'] }, '(credentials frame, password not recorded)', session.generation === 'g2' ? 'credentials' : undefined);
    if (!this.#checkCredentials(frame['user'], frame['pw'])) {
      if (session.generation === 'g2') {
        this.#send(session, JSON.stringify({ status: 400, handler: 'response', token: 'credentials', content_type: 'string', payload: 'invalid credentials' }));
      }
      session.socket.close(1008, 'invalid credentials');
      return;
    }
    session.user = frame['user'];
    if (session.generation === 'g1') return;
    const gid = typeof frame['gid'] === 'string' ? frame['gid'] : '';
    let gateway = this.gateways.get(gid);
    if (!gateway || gateway.user !== session.user) {
      gateway = newGateway(session.user);
      this.gateways.set(gateway.id, gateway);
    }
    session.listening = new Set(gateway.committed);
    gateway.sessions.set(session.id, session.listening);
    session.gateway = gateway;
    if (!this.answerRequests) return;
    this.#send(session, JSON.stringify({ status: 200, handler: 'response', token: 'credentials', content_type: 'map', payload: { gid: gateway.id, hash: gateway.hash } }));
  }

  #g1Message(session: Session, raw: string): void {
    const user = session.user as string;
    if (raw === 'update') {
      this.#record(session, 'update', null, raw);
      return;
    }
    const match = /^(change|response):([\s\S]*)$/.exec(raw);
    if (!match) {
      this.#record(session, 'unknown', null, raw);
      return;
    }
    const handler = match[1] as 'change' | 'response';
    let payload: Record<string, unknown> | null;
    try {
      payload = JSON.parse(match[2] as string) as Record<string, unknown> | null;
    } catch {
      payload = null;
    }
    this.#record(session, handler, payload, raw);
    // the seed server answers what it cannot decode with an `error:` frame (as G1.5 clients read it) and keeps the socket
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      this.#send(session, `error:${handler} is not a JSON object`);
      return;
    }
    if (handler === 'response') {
      this.#settle(payload);
      return;
    }
    const decoded = decodeGoParts(payload['protocol_parts']);
    if ('error' in decoded) {
      this.#send(session, `error:${decoded.error}`);
      return;
    }
    const deviceId = String(payload['device_url']);
    this.#addEvent({ generation: 'g1', user, deviceId, platformId: this.#g1Devices.get(user)?.get(deviceId)?.platformId, service: String(payload['service_url']), parts: decoded.parts, atMs: this.#now() });
  }

  #settle(payload: Record<string, unknown>): void {
    const taskId = payload['task_id'];
    const pending = typeof taskId === 'string' ? this.#pending.get(taskId) : undefined;
    if (!pending) return;
    this.#pending.delete(taskId as string);
    clearTimeout(pending.timer);
    pending.resolve(payload);
  }

  #addEvent(event: SimEvent): void {
    this.events.push(event);
    const value = numericValue(event.parts);
    if (value === undefined) return;
    this.addDataPoint(event.deviceId, value, event.atMs);
    if (event.platformId !== undefined) this.addDataPoint(event.platformId, value, event.atMs);
  }

  #g2Message(session: Session, raw: string): void {
    const gateway = session.gateway as SimGateway;
    let frame: { handler?: unknown; token?: unknown; payload?: unknown };
    try {
      frame = JSON.parse(raw) as typeof frame;
    } catch {
      this.#record(session, 'unknown', null, raw);
      return;
    }
    const handler = typeof frame.handler === 'string' ? frame.handler : '';
    const token = typeof frame.token === 'string' ? frame.token : '';
    this.#record(session, handler, frame.payload, raw, token);
    if (!this.answerRequests) return;
    const reply: Reply = (status, payload) => {
      const contentType = typeof payload === 'string' ? 'string' : 'map';
      this.#send(session, JSON.stringify({ status, handler: 'response', token, content_type: contentType, payload }));
    };
    this.#g2Handle(session, gateway, handler, frame.payload, reply);
  }

  /** One G2 request: the platform's handlers, by name. */
  #g2Handle(session: Session, gateway: SimGateway, handler: string, payload: unknown, reply: Reply): void {
    switch (handler) {
      case 'clear':
        gateway.devices.clear();
        for (const listening of gateway.sessions.values()) listening.clear();
        gateway.committed.clear();
        gateway.hash = '';
        gateway.clears += 1;
        reply(200, 'ok');
        return;
      case 'put':
        this.#g2Put(session, gateway, payload, reply);
        return;
      case 'disconnect':
        this.#g2Unlink(session, gateway, payload, reply, false);
        return;
      case 'commit':
        if (typeof payload !== 'string') {
          reply(400, 'commit needs a hash string');
          return;
        }
        gateway.hash = payload;
        gateway.committed = new Set(session.listening);
        reply(200, 'ok');
        return;
      case 'event':
        this.#g2Event(session, gateway, payload, reply);
        return;
      case 'response': {
        const p = payload as Record<string, unknown> | null;
        if (typeof p !== 'object' || p === null || typeof p['task_id'] !== 'string') {
          reply(400, 'response needs the command payload');
          return;
        }
        this.#settle(p);
        reply(200, 'ok');
        return;
      }
      default:
        if (this.#deleteHandlers.has(handler)) this.#g2Unlink(session, gateway, payload, reply, true);
        else reply(400, `unknown handler '${handler.slice(0, 50)}'`);
    }
  }

  #g2Put(session: Session, gateway: SimGateway, payload: unknown, reply: Reply): void {
    const p = payload as { uri?: unknown; name?: unknown; iot_type?: unknown; tags?: unknown } | null;
    if (typeof p !== 'object' || p === null || typeof p.uri !== 'string' || typeof p.name !== 'string' || typeof p.iot_type !== 'string') {
      reply(400, 'put needs uri, name and iot_type');
      return;
    }
    const tags = Array.isArray(p.tags) ? p.tags.filter((t): t is string => typeof t === 'string') : [];
    gateway.devices.set(p.uri, { uri: p.uri, name: p.name, type: p.iot_type, tags, platformId: this.platformId(gateway.user, p.uri) });
    session.listening.add(p.uri);
    reply(200, 'ok');
  }

  /** `disconnect` (stop listening) or a delete handler (forget the device). */
  #g2Unlink(session: Session, gateway: SimGateway, payload: unknown, reply: Reply, forget: boolean): void {
    const uri = typeof payload === 'string' && payload !== '' ? payload : undefined;
    if (uri === undefined || !gateway.devices.has(uri)) {
      reply(400, 'unknown device');
      return;
    }
    session.listening.delete(uri);
    if (forget) {
      for (const listening of gateway.sessions.values()) listening.delete(uri);
      gateway.devices.delete(uri);
      gateway.committed.delete(uri);
    }
    reply(200, 'ok');
  }

  #g2Event(session: Session, gateway: SimGateway, payload: unknown, reply: Reply): void {
    const p = payload as { device_uri?: unknown; service_uri?: unknown; value?: unknown } | null;
    if (typeof p !== 'object' || p === null || typeof p.device_uri !== 'string' || typeof p.service_uri !== 'string') {
      reply(400, 'event needs device_uri and service_uri');
      return;
    }
    const device = gateway.devices.get(p.device_uri);
    if (!device || !session.listening.has(p.device_uri)) {
      reply(400, 'device not connected');
      return;
    }
    const decoded = decodeGoParts(p.value);
    if ('error' in decoded) {
      reply(400, decoded.error);
      return;
    }
    this.#addEvent({ generation: 'g2', user: gateway.user, deviceId: p.device_uri, platformId: device.platformId, service: p.service_uri, parts: decoded.parts, atMs: this.#now() });
    reply(200, 'ok');
  }

  // ---------------------------------------------------------------- http

  #http(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && url.pathname === '/lookup') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(this.websocketUrl);
      return;
    }
    if (url.pathname === `/${this.#registrationPath}`) {
      if (req.method !== 'POST') {
        json(405, { error: 'use POST' });
        return;
      }
      this.#readBody(req, (text) => this.#register(text, url.pathname, json));
      return;
    }
    const average = /^\/devices\/([^/]+)\/average$/.exec(url.pathname);
    if (req.method === 'GET' && average) {
      this.#average(decodeURIComponent(average[1] as string), url.searchParams, json);
      return;
    }
    json(404, { error: 'not found' });
  }

  #readBody(req: IncomingMessage, then: (text: string) => void): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => then(Buffer.concat(chunks).toString('utf8')));
  }

  #register(text: string, path: string, json: (status: number, body: unknown) => void): void {
    let body: { credentials?: { user?: unknown; pw?: unknown }; devices?: unknown } | null;
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      json(400, { error: 'body is not JSON' });
      return;
    }
    if (typeof body !== 'object' || body === null) {
      json(400, { error: 'body is not an object' });
      return;
    }
    if (!this.#checkCredentials(body.credentials?.user, body.credentials?.pw)) {
      json(401, { error: 'invalid credentials' });
      return;
    }
    const user = body.credentials?.user;
    if (!Array.isArray(body.devices)) {
      json(400, { error: 'devices must be a list' });
      return;
    }
    const devices: SimRegistration['devices'] = [];
    for (const d of body.devices as Array<Record<string, unknown>>) {
      if (typeof d?.['id'] !== 'string' || typeof d['zway_type'] !== 'string' || typeof d['title'] !== 'string') {
        json(400, { error: 'each device needs id, zway_type and title' });
        return;
      }
      devices.push({ id: d['id'], zway_type: d['zway_type'], title: d['title'] });
    }
    const known = this.#g1Devices.get(user) ?? new Map<string, SimDevice>();
    for (const d of devices) known.set(d.id, { uri: d.id, name: d.title, type: d.zway_type, tags: [], platformId: this.platformId(user, d.id) });
    this.#g1Devices.set(user, known);
    this.registrations.push({ user, devices, path });
    json(200, { registered: devices.map((d) => ({ id: d.id, device_instance_id: this.platformId(user, d.id) })) });
  }

  #average(deviceId: string, params: URLSearchParams, json: (status: number, body: unknown) => void): void {
    let granularity;
    let windowMs: number | undefined;
    try {
      granularity = checkGranularity(params.get('granularity') ?? 'all', 'granularity');
      const tw = params.get('time_window');
      if (tw !== null) windowMs = timeWindowToMs(tw, 'time_window');
    } catch (err) {
      json(400, { error: (err as Error).message });
      return;
    }
    const now = this.#now();
    json(200, averageBuckets(this.dataPoints.get(deviceId) ?? [], granularity, windowMs === undefined ? 0 : now - windowMs, now));
  }
}

/** Starts a simulator on loopback (port 0 = ephemeral unless `options.port`). */
export function startSeplSimulator(options: SeplSimulatorOptions = {}): Promise<SeplSimulator> {
  return new SeplSimulator(options).listen(options.port ?? 0);
}
