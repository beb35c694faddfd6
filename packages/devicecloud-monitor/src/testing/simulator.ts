/**
 * A wire-faithful Device Cloud simulator on loopback: the `/ws/Monitor` REST API, DataPoint writes,
 * TCP and TLS push servers speaking the binary protocol, HTTP monitor delivery, event publishing,
 * a DataPoint generator and fault injection.
 */
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { Server, Socket } from 'node:net';
import { createControl, testCertificate, withControl, writeCaFile, type CaFile, type Control } from '@x/http-core/testing';
import { timingSafeEqualString } from '@x/http-core';
import { HttpDeliverySink, type DeliveryAttempt } from './http-delivery.js';
import { createPushServer, type ConnectionRegistry, type PushFaultState } from './push-server.js';
import { createRestHandler, type RestHost } from './rest-server.js';
import {
  dataPointBody,
  deviceCoreBody,
  fileDataBody,
  type DataPointInput,
  type DeviceCoreInput,
  type FileDataInput,
  type SimEvent,
} from './sim-events.js';
import { SimMonitor } from './sim-monitor.js';
import { SimStore } from './sim-store.js';

/** Options of `DeviceCloudSimulator.start()`; every field is optional. */
export interface SimulatorOptions {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** REST port (default 0: ephemeral). */
  port?: number;
  /** Plain TCP push port (default 0: ephemeral; 3200 is the protocol's own). `false` disables it. */
  pushPort?: number | false;
  /** TLS push port (default 0; 3201 is the protocol's own). `false` disables it. */
  tlsPort?: number | false;
  /** Certificate and key of the TLS push port (default `testCertificate()` of @x/http-core/testing). */
  tls?: { key: string; cert: string; ca?: string };
  /** Account credentials (default `sim-user` and a random password). */
  username?: string;
  password?: string;
  /** Customer id stamped on monitors and events (default 7603). */
  customerId?: number;
  /** Milliseconds per simulated second for batch durations (default 1000; tests use less). */
  secondInMs?: number;
  /** Unacked blocks an explicit-ack monitor may have in flight (default 16). */
  maxUnackedBlocks?: number;
  /** Base delay before an HTTP delivery is retried (default 1000 ms). */
  httpRetryDelayInMs?: number;
  /** CA trusted for https transport URLs. */
  httpCa?: string;
  /** Uniform [0, 1) source for split points and generated data (default Math.random). */
  random?: () => number;
  /** Write the TLS CA to a temporary file (`caPath`, served by `GET /control/ca`); removed by `close()`. */
  writeCaFile?: boolean;
}

/** An event of any resource type for `publish()`. */
export interface PublishInput {
  type: string;
  /** Path after `<cstId>/<type>/` (default derived from the body for known types). */
  key: string;
  operation?: 'create' | 'update' | 'delete';
  body: Record<string, unknown>;
}

/** Faults to inject into the push connections (`simulator.faults`). */
export interface SimulatorFaults {
  /** The next PublishMessage to `monitorId` (any monitor when omitted) is cut mid-frame and the socket killed. */
  dropMidFrame(monitorId?: number): void;
  /** Write every frame in random pieces with pauses (tests the client's reassembly). */
  splitFrames(enabled: boolean): void;
  /** Sends a frame of an unknown message type (default 9) with random bytes to the monitor's connection. */
  garbageFrame(monitorId: number, options?: { type?: number; length?: number }): boolean;
  /** Writes raw bytes to the monitor's connection, in order with its batches. */
  rawWrite(monitorId: number, bytes: Uint8Array): boolean;
  /** No PublishMessage to the monitor for `ms` (events queue up). */
  stall(monitorId: number, ms: number): void;
  /** Kills the monitor's push connection between frames. */
  disconnect(monitorId: number): boolean;
  /** While on, every accepted push connection gets a desynchronising frame right after its ConnectionResponse. */
  badBlockOnConnect(enabled: boolean): void;
  /** The next `count` acks from the monitor's client are lost (the block stays in flight and is replayed after a reconnect). */
  loseAcks(monitorId: number, count: number): void;
}

function listen(server: Server | HttpServer, port: number, host: string, sockets?: Set<Socket>): Promise<number> {
  if (sockets) {
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
  }
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr !== null ? addr.port : port);
    });
  });
}

function closeServer(server: Server | HttpServer | undefined): Promise<void> {
  if (!server) return Promise.resolve();
  return new Promise((resolve) => {
    server.close(() => resolve());
    if ('closeAllConnections' in server) server.closeAllConnections();
  });
}

export class DeviceCloudSimulator {
  readonly username: string;
  readonly password: string;
  readonly customerId: number;
  readonly host: string;
  /** REST base URL, e.g. `http://127.0.0.1:PORT` (the client appends `/ws/...`). */
  url = '';
  port = 0;
  /** Plain TCP push port (0 when disabled). */
  pushPort = 0;
  /** TLS push port (0 when disabled). */
  tlsPort = 0;
  /** CA certificate that verifies the TLS push port, when known. */
  readonly ca: string | undefined;
  /** Every ConnectionRequest seen on the push ports, with the status answered. */
  readonly connects: Array<{ monitorId: number; username: string; status: number }> = [];
  /** Every HTTP monitor delivery attempt. */
  readonly deliveries: DeliveryAttempt[] = [];
  /** Recent REST requests (method, url, accept, content type, body). */
  readonly requests: RestHost['requests'] = [];
  readonly faults: SimulatorFaults;
  /** The shared control API (SIMULATOR-CONTROL.md of @x/http-core), served under `<url>/control`. */
  get control(): Control {
    return this.controlApi;
  }
  /** `<url>/control`. */
  controlUrl = '';
  /** The CA file of the TLS push port (with `writeCaFile: true`). */
  caPath: string | undefined;

  private readonly options: SimulatorOptions;
  private readonly tlsMaterial: { key: string; cert: string; ca?: string };
  private readonly store = new Map<number, SimMonitor>();
  /** Data streams with their points, and the device inventory (served by /ws/DataStream, /ws/DataPoint, /ws/DeviceCore). */
  readonly data = new SimStore();
  private readonly registry: ConnectionRegistry = new Map();
  private readonly faultState: PushFaultState;
  private readonly random: () => number;
  private nextMonitorId = 178_000;
  private seq = 0;
  private rest: HttpServer | undefined;
  private plain: Server | undefined;
  private secure: Server | undefined;
  private generator: NodeJS.Timeout | undefined;
  private readonly sockets = new Set<Socket>();
  private caFile: CaFile | undefined;
  private controlApi: Control;

  private constructor(options: SimulatorOptions) {
    this.options = options;
    this.host = options.host ?? '127.0.0.1';
    this.username = options.username ?? 'sim-user';
    this.password = options.password ?? randomBytes(9).toString('base64url');
    this.customerId = options.customerId ?? 7603;
    this.random = options.random ?? Math.random;
    this.tlsMaterial = options.tls ?? testCertificate();
    this.ca = this.tlsMaterial.ca ?? this.tlsMaterial.cert;
    this.faultState = { dropMidFrame: new Set(), splitFrames: false, maxUnackedBlocks: options.maxUnackedBlocks ?? 16, badBlockOnConnect: false, loseAcks: new Map() };
    const conn = (id: number) => this.registry.get(id);
    this.faults = {
      dropMidFrame: (monitorId) => void this.faultState.dropMidFrame.add(monitorId ?? -1),
      splitFrames: (enabled) => {
        this.faultState.splitFrames = enabled;
      },
      garbageFrame: (monitorId, opts = {}) => {
        const c = conn(monitorId);
        if (!c) return false;
        const body = Buffer.alloc(opts.length ?? 16);
        for (let i = 0; i < body.length; i++) body[i] = Math.floor(this.random() * 256);
        const head = Buffer.alloc(6);
        head.writeUInt16BE(opts.type ?? 9, 0);
        head.writeUInt32BE(body.length, 2);
        c.raw(Buffer.concat([head, body]));
        return true;
      },
      rawWrite: (monitorId, bytes) => {
        const c = conn(monitorId);
        if (!c) return false;
        c.raw(Buffer.from(bytes));
        return true;
      },
      stall: (monitorId, ms) => {
        const m = this.store.get(monitorId);
        if (!m) throw new RangeError(`monitorId ${monitorId} is not a monitor`);
        m.stalledUntil = Date.now() + ms;
      },
      disconnect: (monitorId) => {
        const c = conn(monitorId);
        if (!c) return false;
        c.close();
        return true;
      },
      badBlockOnConnect: (enabled) => {
        this.faultState.badBlockOnConnect = enabled;
      },
      loseAcks: (monitorId, count) => {
        if (!Number.isInteger(count) || count < 0) throw new RangeError('count must be a non-negative integer');
        this.faultState.loseAcks.set(monitorId, count);
      },
    };
    this.controlApi = this.createControl();
  }

  /** Control API: faults on the REST API, dropped push connections, pushed events, received requests. */
  private createControl(ca?: { pem: string; path: string }): Control {
    return createControl({
      name: 'devicecloud-monitor',
      dropConnections: () => this.dropConnections(),
      push: (body) => this.pushFromControl(body),
      received: () => this.requests,
      clearReceived: () => void this.requests.splice(0),
      ...(ca ? { ca } : {}),
    });
  }

  /** Closes every open push connection now; returns how many. */
  dropConnections(): number {
    const open = [...this.registry.values()];
    for (const c of open) c.close();
    return open.length;
  }

  /** `POST /control/push`: `{ "type": "DataPoint", "streamId": "dev1/temp", "data": 21.5, "streamUnits"?: "C", "timestamp"?: epochMs }`. */
  private pushFromControl(body: unknown): { seq: number; topic: string } {
    const input = body as { type?: unknown; streamId?: unknown; data?: unknown; streamUnits?: unknown; timestamp?: unknown };
    if (input.type !== 'DataPoint') throw new TypeError('push: type must be "DataPoint"');
    if (typeof input.streamId !== 'string' || input.streamId === '') throw new TypeError('push: streamId must be a non-empty string');
    if (typeof input.data !== 'string' && typeof input.data !== 'number' && typeof input.data !== 'boolean') {
      throw new TypeError('push: data must be a string, number or boolean');
    }
    if (input.streamUnits !== undefined && typeof input.streamUnits !== 'string') throw new TypeError('push: streamUnits must be a string');
    if (input.timestamp !== undefined && !Number.isSafeInteger(input.timestamp)) throw new TypeError('push: timestamp must be epoch milliseconds');
    const event = this.publishDataPoint({
      streamId: input.streamId,
      data: input.data,
      ...(input.streamUnits !== undefined ? { streamUnits: input.streamUnits } : {}),
      ...(input.timestamp !== undefined ? { timestamp: input.timestamp as number } : {}),
    });
    return { seq: event.seq, topic: event.topic };
  }

  /** Starts every server; ports default to ephemeral ones. */
  static async start(options: SimulatorOptions = {}): Promise<DeviceCloudSimulator> {
    const sim = new DeviceCloudSimulator(options);
    try {
      await sim.listen();
    } catch (err) {
      await sim.close();
      throw err;
    }
    return sim;
  }

  private async listen(): Promise<void> {
    const restHost: RestHost = {
      username: this.username,
      password: this.password,
      customerId: this.customerId,
      store: this.data,
      requests: this.requests,
      monitors: () => this.monitors(),
      monitor: (id) => this.store.get(id),
      createMonitor: (fields) => this.createMonitor(fields),
      resetMonitor: (m, changes) => this.resetMonitor(m, changes),
      deleteMonitor: (m) => this.deleteMonitor(m.id),
      publishDataPoint: (input) => this.publishDataPoint(input),
    };
    let control = this.controlApi;
    if (this.options.writeCaFile && this.ca !== undefined) {
      this.caFile = await writeCaFile(this.ca);
      this.caPath = this.caFile.path;
      control = this.controlApi = this.createControl({ pem: this.ca, path: this.caFile.path });
    }
    const handler = withControl(control, createRestHandler(restHost));
    this.rest = createHttpServer((req, res) => void handler(req, res));
    this.port = await listen(this.rest, this.options.port ?? 0, this.host);
    this.url = `http://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
    this.controlUrl = `${this.url}/control`;
    const pushHost = {
      authenticate: (u: string, p: string) => {
        const userOk = timingSafeEqualString(u, this.username);
        const passOk = timingSafeEqualString(p, this.password);
        return userOk && passOk;
      },
      monitor: (id: number) => this.store.get(id),
      faults: this.faultState,
      random: this.random,
      now: () => new Date(),
      onConnect: (info: { monitorId: number; username: string; status: number }) => void this.connects.push(info),
    };
    if (this.options.pushPort !== false) {
      this.plain = createPushServer(pushHost, this.registry);
      this.pushPort = await listen(this.plain, this.options.pushPort ?? 0, this.host, this.sockets);
    }
    if (this.options.tlsPort !== false) {
      this.secure = createPushServer(pushHost, this.registry, this.tlsMaterial);
      this.tlsPort = await listen(this.secure, this.options.tlsPort ?? 0, this.host, this.sockets);
    }
  }

  /** Every monitor, in creation order. */
  monitors(): SimMonitor[] {
    return [...this.store.values()];
  }

  /** The monitor with this id, or undefined. */
  monitor(id: number): SimMonitor | undefined {
    return this.store.get(id);
  }

  /** Creates a monitor directly (the REST POST goes through here too). */
  createMonitor(fields: Record<string, string>): SimMonitor {
    const id = this.nextMonitorId++;
    const defaults: Record<string, string> = {
      cstId: String(this.customerId),
      monTransportType: 'tcp',
      monFormatType: 'json',
      monBatchSize: '100',
      monBatchDuration: '10',
      monCompression: 'none',
      monAckOption: 'off',
      monAutoReplayOnConnect: 'false',
    };
    const m = new SimMonitor(id, { monId: String(id), ...defaults, ...fields }, this.options.secondInMs ?? 1000);
    if (m.transport === 'http') delete m.fields.monAckOption;
    this.store.set(id, m);
    if (m.transport === 'http') this.attachHttp(m);
    return m;
  }

  /** Any PUT resets the monitor: fields change, state restarts (HTTP monitors are re-enabled). */
  resetMonitor(m: SimMonitor, changes: Record<string, string>): void {
    m.update(changes);
    if (m.transport === 'http') {
      if (m.sink) {
        const sink = m.sink;
        m.detach(sink);
        sink.close();
      }
      this.attachHttp(m);
    } else if (!m.sink) {
      m.fields.monStatus = 'INACTIVE';
    }
  }

  /** Deletes a monitor and closes its push connection or HTTP deliverer; false when there was none with this id. */
  deleteMonitor(id: number): boolean {
    const m = this.store.get(id);
    if (!m) return false;
    this.store.delete(id);
    const sink = m.sink;
    if (sink) {
      m.detach(sink);
      sink.close();
    }
    m.clearTimers();
    return true;
  }

  private attachHttp(m: SimMonitor): void {
    const sink = new HttpDeliverySink(m, {
      retryDelayInMs: this.options.httpRetryDelayInMs ?? 1000,
      now: () => new Date(),
      onAttempt: (a) => {
        this.deliveries.push(a);
        if (this.deliveries.length > 10_000) this.deliveries.shift();
      },
      ...(this.options.httpCa ? { ca: this.options.httpCa } : {}),
    });
    m.attach(sink, new Date());
  }

  /** Publishes an event of any type to every matching monitor. */
  publish(input: PublishInput): SimEvent {
    if (typeof input.type !== 'string' || !/^\w+$/.test(input.type)) throw new TypeError('type must be a resource name');
    const event: SimEvent = {
      type: input.type,
      topic: `${this.customerId}/${input.type}/${input.key}`,
      operation: input.operation ?? 'create',
      timestamp: new Date().toISOString(),
      body: input.body,
      seq: ++this.seq,
    };
    for (const m of this.store.values()) if (m.matches(event)) m.offer(event);
    return event;
  }

  /**
   * Stores a data point (served by /ws/DataPoint) and publishes its DataPoint event.
   * Throws TypeError unless `streamId` is a non-empty string.
   */
  publishDataPoint(input: DataPointInput): SimEvent {
    if (typeof input.streamId !== 'string' || input.streamId === '') throw new TypeError('streamId must be a non-empty string');
    const now = Date.now();
    const body = dataPointBody(this.customerId, input, now);
    this.data.addPoint(
      input.streamId,
      { id: String(body.id), timestamp: Number(body.timestamp), serverTimestamp: now, data: String(input.data), description: String(body.description), quality: Number(body.quality) },
      { dataType: String(body.streamType), units: input.streamUnits },
    );
    return this.publish({ type: 'DataPoint', key: input.streamId, body });
  }

  /** Adds or replaces a device in the inventory (no event; `publishDeviceCore` does both). */
  addDevice(input: DeviceCoreInput & { grpPath?: string; dpTags?: string; dpDescription?: string }): void {
    if (!Number.isInteger(input.devId) || input.devId < 0) throw new RangeError('devId must be a non-negative integer');
    if (typeof input.devConnectwareId !== 'string' || input.devConnectwareId === '') throw new TypeError('devConnectwareId must be a non-empty string');
    this.data.putDevice(input, this.customerId);
  }

  /** Updates the device inventory (removes the device for `delete`) and publishes a DeviceCore event (operation default `update`). */
  publishDeviceCore(input: DeviceCoreInput): SimEvent {
    if (input.operation === 'delete') this.data.devices.delete(input.devId);
    else this.data.putDevice({ ...this.data.devices.get(input.devId), ...input }, this.customerId);
    const body = deviceCoreBody(this.customerId, input, Date.now());
    return this.publish({ type: 'DeviceCore', key: `${input.devId}/0`, operation: input.operation ?? 'update', body });
  }

  /** Publishes a FileData event (operation default `create`). */
  publishFileData(input: FileDataInput): SimEvent {
    const body = fileDataBody(this.customerId, input, Date.now());
    const id = body.id as { fdPath: string; fdName: string };
    return this.publish({ type: 'FileData', key: `${id.fdPath.replace(/^\/+/, '')}${id.fdName}`, operation: input.operation ?? 'create', body });
  }

  /**
   * Generates DataPoint events from `devices` simulated devices at `eventsPerSecond` (streams
   * `<deviceId>/temperature`, `humidity`, `rssi`). Returns a function that stops the generator.
   */
  generate(options: { eventsPerSecond: number; devices?: number }): () => void {
    const { eventsPerSecond } = options;
    if (!Number.isFinite(eventsPerSecond) || eventsPerSecond <= 0) throw new RangeError('eventsPerSecond must be a positive number');
    const devices = options.devices ?? 3;
    if (!Number.isInteger(devices) || devices < 1) throw new RangeError('devices must be a positive integer');
    if (this.generator) clearInterval(this.generator);
    const streams = ['temperature', 'humidity', 'rssi'];
    const tickMs = 100;
    let owed = 0;
    let n = 0;
    this.generator = setInterval(() => {
      owed += (eventsPerSecond * tickMs) / 1000;
      for (; owed >= 1; owed--, n++) {
        const device = `00000000-00000000-00409DFF-FF${(n % devices).toString(16).padStart(6, '0').toUpperCase()}`;
        const stream = streams[Math.floor(n / devices) % streams.length] as string;
        const value = stream === 'rssi' ? -40 - Math.floor(this.random() * 50) : Math.round((15 + this.random() * 20) * 10) / 10;
        this.publishDataPoint({ streamId: `${device}/${stream}`, data: value, streamUnits: stream === 'rssi' ? 'dBm' : stream === 'humidity' ? '%' : 'C' });
      }
    }, tickMs);
    const timer = this.generator;
    return () => {
      clearInterval(timer);
      if (this.generator === timer) this.generator = undefined;
    };
  }

  /** Stops the generator, deletes every monitor, closes every connection and server, and removes the CA file. */
  async close(): Promise<void> {
    if (this.generator) clearInterval(this.generator);
    for (const id of [...this.store.keys()]) this.deleteMonitor(id);
    for (const c of this.registry.values()) c.close();
    for (const s of this.sockets) s.destroy();
    await Promise.all([closeServer(this.rest), closeServer(this.plain), closeServer(this.secure)]);
    await this.caFile?.remove();
    this.caFile = undefined;
  }
}
