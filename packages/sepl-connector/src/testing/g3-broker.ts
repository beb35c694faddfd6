import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { createServer, type Server } from 'node:tls';
import { listenOnLoopback, optionalPeerError, type FaultPlan } from '@x/http-core/testing';
import type { G3Rest } from './g3-rest.js';

/** An event or a command response a connector published. */
export interface SimG3Message {
  kind: 'event' | 'response';
  user: string;
  clientId: string;
  deviceId: string;
  serviceId: string;
  payload: unknown;
}

/** A command the simulator sent, with the connector's answer once it came. */
export interface SimG3Command {
  correlationId: string;
  deviceId: string;
  serviceId: string;
  responses: unknown[];
}

/** What the broker does with one client connection: stop and start reading its packets. */
interface AedesClient {
  pause(): void;
  resume(): void;
}

interface Aedes {
  handle(socket: Socket): AedesClient;
  publish(packet: { cmd: 'publish'; topic: string; payload: Buffer; qos: 0 | 1 | 2; retain: boolean; dup: boolean }, cb: (err?: Error) => void): void;
  close(cb: () => void): void;
  readonly connectedClients: number;
}

type AuthError = Error & { returnCode: number };

function authError(message: string, returnCode: number): AuthError {
  return Object.assign(new Error(message), { returnCode });
}

function parseJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** `{metadata?, data?}` with string values, as the platform reads events and response payloads. */
function isDataPayload(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.entries(value).every(([key, v]) => (key === 'data' || key === 'metadata') && (typeof v === 'string' || v === null));
}

/**
 * The SENERGY MQTT side on loopback TLS (aedes): a client logs in with the account's user and
 * password and one of its hub ids as client id; it may subscribe to `command/{local id}/+` and
 * `error/...` of its own devices and publish `event/{local id}/{service}` as `{metadata, data}` and
 * `response/{local id}/{service}` as `{correlation_id, payload: {metadata, data}}`; anything else is
 * refused (a refused publish ends the connection, as MQTT 3.1.1 brokers do).
 */
/** Clock and faults of a `G3Broker`. */
export interface G3BrokerOptions {
  /** Milliseconds since the epoch (outages). Default `Date.now`. */
  now?: () => number;
  /**
   * Faults for publishes, taken with method `PUBLISH` and path `/<topic>` (e.g. `/event/*`): `stall`
   * holds the acknowledgement `stallInMs`, `status` and `drop` refuse the publish (the connection ends).
   */
  faults?: FaultPlan;
}

/**
 * The G3 simulator's MQTT broker (aedes on loopback, TLS): accepts the hub's client id with the
 * account's credentials, records events and responses, delivers commands, and can be taken down
 * for an outage or stalled for fault tests.
 */
export class G3Broker {
  readonly messages: SimG3Message[] = [];
  readonly commands = new Map<string, SimG3Command>();
  /** Topics each client id subscribed to (and was allowed). */
  readonly subscriptions = new Map<string, string[]>();
  readonly #rest: G3Rest;
  readonly #users = new Map<string, string>();
  readonly #sockets = new Set<Socket>();
  /** The broker's side of each open connection (to stall it). */
  readonly #clients = new Map<Socket, AedesClient>();
  readonly #now: () => number;
  readonly #faults: FaultPlan | undefined;
  readonly #stalls = new Set<ReturnType<typeof setTimeout>>();
  #downUntil = Number.NEGATIVE_INFINITY;
  #broker: Aedes | undefined;
  #server: Server | undefined;
  #port = 0;

  constructor(rest: G3Rest, options: G3BrokerOptions = {}) {
    this.#rest = rest;
    this.#now = options.now ?? Date.now;
    this.#faults = options.faults;
  }

  get url(): string {
    return `mqtts://127.0.0.1:${this.#port}`;
  }
  get connectedClients(): number {
    return this.#broker?.connectedClients ?? 0;
  }

  /**
   * Starts the MQTT-over-TLS broker on 127.0.0.1 (`port` 0: any free port). Throws when the
   * optional peer dependency `aedes` is not installed.
   */
  async listen(tls: { key: string; cert: string }, port = 0): Promise<void> {
    const { Aedes } = (await importAedes()) as { Aedes: { createBroker(options: object): Promise<Aedes> } };
    this.#broker = await Aedes.createBroker({
      authenticate: (client: { id: string }, username: string | undefined, password: Buffer | undefined, done: (e: AuthError | null, ok: boolean | null) => void) => {
        const user = username ?? '';
        if (!this.#rest.checkPassword(user, password?.toString('utf8') ?? '')) return done(authError('bad user name or password', 4), null);
        const hub = this.#rest.hubs.get(client.id);
        if (hub === undefined || hub.user !== user) return done(authError('client id is not a hub of this user', 5), null);
        this.#users.set(client.id, user);
        done(null, true);
      },
      authorizeSubscribe: (client: { id: string }, sub: { topic: string; qos: number }, done: (e: Error | null, s?: object | null) => void) => {
        const allowed = this.#maySubscribe(client.id, sub.topic);
        if (allowed) this.subscriptions.set(client.id, [...(this.subscriptions.get(client.id) ?? []), sub.topic]);
        done(null, allowed ? sub : null);
      },
      authorizePublish: (client: { id: string } | null, packet: { topic: string; payload: Buffer }, done: (e?: Error | null) => void) => {
        if (client === null) return done(null);
        const fault = this.#faults?.take('PUBLISH', `/${packet.topic}`);
        const decide = (): void => {
          const refused = fault !== undefined && fault.kind !== 'stall' ? `injected fault: ${fault.kind}` : this.#publish(client.id, packet.topic, packet.payload);
          done(refused === undefined ? null : new Error(refused));
        };
        if (fault?.kind !== 'stall') return decide();
        const timer = setTimeout(() => {
          this.#stalls.delete(timer);
          decide();
        }, fault.stallInMs);
        this.#stalls.add(timer);
      },
    });
    this.#server = createServer({ key: tls.key, cert: tls.cert }, (socket) => {
      // a broker in an outage: the connection is cut at once
      if (this.down) return socket.destroy();
      this.#sockets.add(socket);
      const forget = (): void => {
        this.#sockets.delete(socket);
        this.#clients.delete(socket);
      };
      socket.on('close', forget);
      socket.on('error', forget);
      this.#clients.set(socket, (this.#broker as Aedes).handle(socket));
    });
    this.#server.on('tlsClientError', () => undefined);
    this.#port = (await listenOnLoopback(this.#server, port)).port;
  }

  /** Sends a command to `command/{device}/{service}`; resolves with its correlation id. */
  async sendCommand(deviceId: string, serviceId: string, payload: { data?: string; metadata?: string } = {}): Promise<string> {
    const correlationId = randomUUID();
    this.commands.set(correlationId, { correlationId, deviceId, serviceId, responses: [] });
    const body = { correlation_id: correlationId, payload, completion_strategy: 'pessimistic', timestamp: Math.floor(Date.now() / 1000) };
    await this.publish(`command/${deviceId}/${serviceId}`, body);
    return correlationId;
  }

  /** Publishes raw JSON (or text) on a topic, QoS 2 (e.g. errors, garbage). */
  publish(topic: string, message: unknown): Promise<void> {
    const payload = Buffer.from(typeof message === 'string' ? message : JSON.stringify(message));
    return new Promise((resolve, reject) => {
      (this.#broker as Aedes).publish({ cmd: 'publish', topic, payload, qos: 2, retain: false, dup: false }, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Destroys every open client connection now (a network failure); returns how many. */
  dropConnections(): number {
    const count = this.#sockets.size;
    for (const socket of this.#sockets) socket.destroy();
    return count;
  }

  /**
   * A hung broker: stops reading every open client connection (nothing is acknowledged, pings go
   * unanswered) until `resumeConnections()`; connections made later are served. Returns how many.
   */
  stallConnections(): number {
    for (const client of this.#clients.values()) client.pause();
    return this.#clients.size;
  }

  /** Reads the connections `stallConnections()` stopped again. */
  resumeConnections(): void {
    for (const client of this.#clients.values()) client.resume();
  }

  /** Whether the broker is in an outage (`outage()`) now. */
  get down(): boolean {
    return this.#now() < this.#downUntil;
  }

  /**
   * A broker outage: drops every connection now and cuts new ones until `durationInMs` have passed
   * on the simulator's clock (`now`); returns how many were dropped and when it is back.
   */
  outage(durationInMs: number): { dropped: number; downUntil: number } {
    if (typeof durationInMs !== 'number' || !Number.isFinite(durationInMs) || durationInMs < 0) throw new RangeError('durationInMs must be a number >= 0');
    this.#downUntil = this.#now() + durationInMs;
    return { dropped: this.dropConnections(), downUntil: this.#downUntil };
  }

  /** Destroys every client connection and closes the broker and its TLS server. */
  async close(): Promise<void> {
    for (const timer of this.#stalls) clearTimeout(timer);
    this.#stalls.clear();
    for (const socket of this.#sockets) socket.destroy();
    if (this.#broker) await new Promise<void>((resolve) => (this.#broker as Aedes).close(() => resolve()));
    if (this.#server) await new Promise<void>((resolve) => (this.#server as Server).close(() => resolve()));
  }

  #ownsDevice(clientId: string, deviceId: string): string | undefined {
    const user = this.#users.get(clientId);
    return user !== undefined && this.#rest.devices.has(`${user}\n${deviceId}`) ? user : undefined;
  }

  #maySubscribe(clientId: string, topic: string): boolean {
    const command = /^command\/([^/+#]+)\/\+$/.exec(topic);
    if (command) return this.#ownsDevice(clientId, command[1] as string) !== undefined;
    const error = /^error\/device\/([^/+#]+)$/.exec(topic);
    if (error) return this.#ownsDevice(clientId, error[1] as string) !== undefined;
    return topic === 'error' || /^error\/command\/[^/+#]+$/.test(topic);
  }

  /** Checks and records one publish; a reason when it is refused. */
  #publish(clientId: string, topic: string, payload: Buffer): string | undefined {
    const match = /^(event|response)\/([^/+#]+)\/([^/+#]+)$/.exec(topic);
    if (!match) return `publish to ${topic} not allowed`;
    const [, kind, deviceId, serviceId] = match as unknown as [string, 'event' | 'response', string, string];
    const user = this.#ownsDevice(clientId, deviceId);
    if (user === undefined) return `device ${deviceId} is not a device of this user`;
    const body = parseJson(payload);
    if (kind === 'event' && !isDataPayload(body)) return 'event payload must be {metadata, data}';
    if (kind === 'response') {
      const r = body as { correlation_id?: unknown; payload?: unknown } | undefined;
      if (typeof r?.correlation_id !== 'string' || !isDataPayload(r.payload)) return 'response must be {correlation_id, payload: {metadata, data}}';
      this.commands.get(r.correlation_id)?.responses.push(r.payload);
    }
    this.messages.push({ kind, user, clientId, deviceId, serviceId, payload: body });
    return undefined;
  }
}

/** aedes is an optional peer dependency (only the simulator needs it): say what to install when it is missing. */
async function importAedes(): Promise<unknown> {
  try {
    return await import('aedes');
  } catch (error) {
    throw optionalPeerError(error, 'aedes', '^1.2.0', "The SEPL G3 simulator's MQTT broker");
  }
}
