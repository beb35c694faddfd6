import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { createControl, createFaultPlan, listenOnLoopback, testCertificate, withControl, type Control } from '@x/http-core/testing';
import { G3Broker } from './g3-broker.js';
import { G3Rest, type SimG3Device, type SimG3Request, type SimHub } from './g3-rest.js';

/** Options of `SeplG3Simulator` / `startSeplG3Simulator`. */
export interface SeplG3SimulatorOptions {
  /** user → password. Default `{ sepl: 'sepl-password' }`. */
  users?: Record<string, string>;
  /** The OpenID client id the token endpoint accepts. Default `client-connector-lib`. */
  clientId?: string;
  /** Access token lifetime in seconds. Default 300 (Keycloak's default). */
  accessTtlS?: number;
  /** Refresh token lifetime in seconds. Default 1800 (Keycloak's default). */
  refreshTtlS?: number;
  /** Milliseconds since the epoch (token expiry). Default `Date.now`. */
  now?: () => number;
  /** Serve HTTPS with this key and certificate (e.g. `testCertificate()`). The MQTT broker always uses TLS: this pair, else `testCertificate()`. */
  tls?: { key: string; cert: string };
  /** Loopback only (127.0.0.0/8, `::1`, `localhost`; else a RangeError from `listen`). Default `127.0.0.1`. */
  host?: string;
  port?: number;
}

/**
 * A loopback SENERGY (G3) platform: the Keycloak-style token endpoint at `tokenUrl`, the hub REST
 * at `hubUrl` and the device REST at `deviceUrl`, with the shared control API at `controlUrl`
 * (`tokens/revoke` ends a user's tokens, `faults` apply to the REST paths, `received` lists the
 * REST requests without the token form, then the events and command responses published over MQTT).
 */
export class SeplG3Simulator {
  readonly rest: G3Rest;
  readonly broker: G3Broker;
  readonly control: Control;
  readonly #tls: { key: string; cert: string };
  readonly #server: Server;
  readonly #host: string;
  readonly #secure: boolean;
  #port = 0;

  constructor(options: SeplG3SimulatorOptions = {}) {
    const now = options.now ?? Date.now;
    this.rest = new G3Rest({
      users: { ...(options.users ?? { sepl: 'sepl-password' }) },
      clientId: options.clientId ?? 'client-connector-lib',
      accessTtlS: options.accessTtlS ?? 300,
      refreshTtlS: options.refreshTtlS ?? 1800,
      now,
    });
    this.#host = options.host ?? '127.0.0.1';
    this.#secure = options.tls !== undefined;
    this.#tls = options.tls ?? testCertificate();
    // one plan: REST paths (HTTP methods) and MQTT publishes (method PUBLISH, path /<topic>)
    const faults = createFaultPlan();
    this.broker = new G3Broker(this.rest, { now, faults });
    this.control = createControl({
      name: 'sepl-connector-g3',
      faults,
      revokeTokens: ({ token }) => this.rest.expireTokens(token),
      dropConnections: () => this.broker.dropConnections(),
      push: (body) => this.#push(body),
      // REST requests first, then the MQTT events and responses ({kind, deviceId, serviceId, payload, ...})
      received: () => [...this.rest.requests, ...this.broker.messages],
      clearReceived: () => {
        this.rest.requests.splice(0);
        this.broker.messages.splice(0);
      },
    });
    const handler = withControl(this.control, (req: IncomingMessage, res: ServerResponse): void => {
      const url = new URL(req.url ?? '/', 'http://simulator');
      if (this.rest.handle(req, res, url)) return;
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'not found' }));
    });
    this.#server = options.tls ? createTlsServer({ key: options.tls.key, cert: options.tls.cert }, handler) : createServer(handler);
  }

  /** Starts the HTTP(S) server (`port` 0: any free port), then the MQTT broker; resolves with the simulator. */
  async listen(port = 0): Promise<this> {
    this.#port = (await listenOnLoopback(this.#server, port, this.#host)).port;
    await this.broker.listen(this.#tls);
    return this;
  }

  /**
   * The control API's push: `{device, service, data?, metadata?}` sends a command (answers
   * `{correlationId}`); `{outageInMs}` takes the broker down for that long (answers `{dropped, downUntil}`).
   */
  async #push(body: unknown): Promise<{ correlationId: string } | { dropped: number; downUntil: number }> {
    const b = body as { device?: unknown; service?: unknown; data?: unknown; metadata?: unknown; outageInMs?: unknown } | null;
    if (typeof b === 'object' && b !== null && 'outageInMs' in b) {
      if (typeof b.outageInMs !== 'number') throw new TypeError('outageInMs must be a number of milliseconds');
      return this.broker.outage(b.outageInMs);
    }
    if (typeof b !== 'object' || b === null || typeof b.device !== 'string' || typeof b.service !== 'string') {
      throw new TypeError('push needs {"device": "<local id>", "service": "<service id>", "data"?: "...", "metadata"?: "..."} or {"outageInMs": <ms>}');
    }
    const payload: { data?: string; metadata?: string } = {};
    if (typeof b.data === 'string') payload.data = b.data;
    if (typeof b.metadata === 'string') payload.metadata = b.metadata;
    return { correlationId: await this.broker.sendCommand(b.device, b.service, payload) };
  }

  /** `mqtts://127.0.0.1:<port>`: the broker (TLS; trust `caPem`). */
  get mqttUrl(): string {
    return this.broker.url;
  }
  /** The certificate the broker (and HTTPS, when on) presents. */
  get caPem(): string {
    return this.#tls.cert;
  }

  get url(): string {
    return `${this.#secure ? 'https' : 'http'}://${this.#host}:${this.#port}/`;
  }
  /** The OpenID token endpoint (`auth_endpt`). */
  get tokenUrl(): string {
    return `${this.url}auth/token`;
  }
  /** The hub REST (`hub_endpt`). */
  get hubUrl(): string {
    return `${this.url}hubs`;
  }
  /** The device REST (`device_endpt`). */
  get deviceUrl(): string {
    return `${this.url}devices`;
  }
  get controlUrl(): string {
    return `${this.url}control`;
  }
  get hubs(): ReadonlyMap<string, SimHub> {
    return this.rest.hubs;
  }
  get devices(): ReadonlyMap<string, SimG3Device> {
    return this.rest.devices;
  }
  get requests(): readonly SimG3Request[] {
    return this.rest.requests;
  }

  /** Closes the MQTT broker, then the HTTP server and its open connections. */
  async close(): Promise<void> {
    await this.broker.close();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}

/** Starts a G3 simulator on loopback. */
export function startSeplG3Simulator(options: SeplG3SimulatorOptions = {}): Promise<SeplG3Simulator> {
  return new SeplG3Simulator(options).listen(options.port ?? 0);
}
