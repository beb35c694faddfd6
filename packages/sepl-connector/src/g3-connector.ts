import { systemClock, validateCallOptions, validateClientOptionsBase, type CallOptions, type ClientOptionsBase, type SessionReconnectOptions } from '@x/http-core';
import { boundedWait } from './bounded-wait.js';
import { validateDevice, type SeplDevice } from './device.js';
import { g3HubHash } from './g3-hash.js';
import { createG3Http, type G3Http } from './g3-http.js';
import type { G3Command, G3Data } from './g3-messages.js';
import { G3PlatformClient } from './g3-platform.js';
import { G3Session } from './g3-session.js';
import { MemoryDeviceStore } from './memory-store.js';
import { startSteps, type StepOptions } from './start-steps.js';
import type { DeviceStore } from './store.js';

/** Options of `G3Connector`: the @x/http-core client base plus the platform endpoints and the account. */
export interface G3ConnectorOptions extends ClientOptionsBase {
  /** Keycloak token endpoint (`auth_endpt`). */
  tokenUrl: string;
  /** OpenID client id. */
  clientId: string;
  /** Hub REST (`hub_endpt`). */
  hubUrl: string;
  /** Device REST (`device_endpt`). */
  deviceUrl: string;
  /** `mqtts://host:port` of the connector broker. */
  mqttUrl: string;
  user: string;
  password: string;
  /** Name of a hub created on first start. Default `<user>-<ISO time>Z`, as the reference client. */
  hubName?: string;
  /** Devices and the hub id (kept as the store's gateway id). Default an empty memory store. */
  store?: DeviceStore;
  /** Extra CA (PEM) trusted for the broker; verification stays on. */
  ca?: string;
  rejectUnauthorized?: boolean;
  /** MQTT reconnect backoff. Default the reference client's 5 s · 1.85ⁿ up to 120 s. */
  reconnect?: SessionReconnectOptions;
  /** Called with the MQTT session right before `start()` starts it (to listen from its first event). */
  onSession?: (session: G3Session) => void;
}

/** What `start()` found and did. */
export interface G3ReadyInfo {
  protocol: 'g3';
  hubId: string;
  /** Whether the hub was created by this start. */
  hubCreated: boolean;
  /** The hub hash after the sync. */
  hash: string;
  /** Whether devices or the hub were written (false: the platform had this fleet already). */
  synced: boolean;
}

const G3_KEYS = ['tokenUrl', 'clientId', 'hubUrl', 'deviceUrl', 'mqttUrl', 'user', 'password'] as const;

function asG3Device(device: SeplDevice): { id: string; name: string; type: string } {
  return { id: device.id, name: device.name, type: device.type };
}

/**
 * A SENERGY (G3) gateway: logs in (OpenID), finds or creates its hub, brings the platform's
 * devices and the hub hash in line with the store (nothing is written when the hash matches), then
 * runs the MQTT session for events, commands and responses.
 */
export class G3Connector {
  readonly http: G3Http;
  readonly platform: G3PlatformClient;
  readonly #options: G3ConnectorOptions;
  readonly #store: DeviceStore;
  #session: G3Session | undefined;
  #hubId: string | undefined;
  #info: G3ReadyInfo | undefined;

  constructor(options: G3ConnectorOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
    validateClientOptionsBase(options, 'options');
    for (const key of G3_KEYS) {
      if (typeof options[key] !== 'string' || options[key] === '') throw new TypeError(`options.${key} must be a non-empty string`);
    }
    this.#options = { ...options };
    this.#store = options.store ?? new MemoryDeviceStore();
    this.http = createG3Http(options, { tokenUrl: options.tokenUrl, clientId: options.clientId, user: options.user, password: options.password });
    this.platform = new G3PlatformClient(this.http.http, { hubUrl: options.hubUrl, deviceUrl: options.deviceUrl });
  }

  get hubId(): string | undefined {
    return this.#hubId;
  }

  /** What `start()` found and did, once its REST steps finished (before the first MQTT connection). */
  get info(): G3ReadyInfo | undefined {
    return this.#info;
  }

  /** The MQTT session (after `start()`): its events, `done`, `stats`. */
  get session(): G3Session {
    if (this.#session === undefined) throw new RangeError('start() the connector first');
    return this.#session;
  }

  /**
   * Logs in, finds or creates the hub, syncs the stored devices to the platform, then starts the MQTT
   * session (resolves at its first connection). `options` bound the start: `signal` aborts the step
   * in flight, `timeoutInMs` bounds each step (every REST request, and the wait for the first MQTT
   * connection), `deadlineInMs` the whole start. A start cut short while the MQTT session connects
   * leaves that session connecting in the background (`session`, its events); the signal does not
   * outlive the start. Throws RangeError when called again after the REST steps, AbortError,
   * TimeoutError, and the login's and platform's errors (SeplAuthError, SeplRequestError, SeplProtocolError).
   */
  async start(options: CallOptions = {}): Promise<G3ReadyInfo> {
    const call = validateCallOptions(options, 'start() options');
    if (this.#session !== undefined) throw new RangeError('start() was called already');
    const clock = this.#options.clock ?? systemClock;
    const step = startSteps(call, clock);
    const { hubId, created } = await this.#initHub(step);
    const devices = await this.#store.list();
    const synced = await this.#syncFleet(hubId, devices, step);
    const connect = step();
    if (this.#session !== undefined) throw new RangeError('start() was called already');
    const info: G3ReadyInfo = { protocol: 'g3', hubId, hubCreated: created, hash: synced.hash, synced: synced.written };
    this.#info = info;
    const session = new G3Session({
      url: this.#options.mqttUrl,
      hubId,
      user: this.#options.user,
      password: this.#options.password,
      devices: devices.map((d) => d.id),
      ...(this.#options.ca ? { ca: this.#options.ca } : {}),
      ...(this.#options.rejectUnauthorized !== undefined ? { rejectUnauthorized: this.#options.rejectUnauthorized } : {}),
      ...(this.#options.reconnect ? { reconnect: this.#options.reconnect } : {}),
      ...(this.#options.clock ? { clock: this.#options.clock } : {}),
      ...(this.#options.random ? { random: this.#options.random } : {}),
      ...(this.#options.logger ? { logger: this.#options.logger } : {}),
    });
    this.#session = session;
    this.#options.onSession?.(session);
    const url = this.#options.mqttUrl;
    await boundedWait(() => session.start(), connect, clock, { method: 'CONNECT', url, what: `MQTT connection to ${url}` });
    return info;
  }

  /** Adds (or replaces) a device: store, device REST, hub sync, command subscription. */
  async add(device: SeplDevice, options: CallOptions = {}): Promise<void> {
    const d = validateDevice(device);
    validateCallOptions(options, 'add() options');
    await this.#store.add(d);
    await this.platform.putDevice(asG3Device(d), options);
    await this.#syncHub(options);
    await this.#session?.subscribe(d.id);
  }

  /** Renames or retypes a device (the same calls as `add`). */
  update(device: SeplDevice, options: CallOptions = {}): Promise<void> {
    return this.add(device, options);
  }

  /** Deletes a device from the store, the platform and the hub; stops its commands. */
  async delete(deviceId: string, options: CallOptions = {}): Promise<void> {
    if (typeof deviceId !== 'string' || deviceId === '') throw new TypeError('deviceId must be a non-empty string');
    validateCallOptions(options, 'delete() options');
    await this.#store.remove(deviceId);
    await this.#session?.unsubscribe(deviceId, options);
    await this.platform.deleteDevice(deviceId, options);
    await this.#syncHub(options);
  }

  /** Publishes an event of a device's service (see `G3Session.event`); RangeError before `start()`. */
  event(deviceId: string, serviceId: string, data: G3Data, options?: CallOptions): Promise<void> {
    return this.session.event(deviceId, serviceId, data, options);
  }

  /** Answers a command once (see `G3Session.respond`); RangeError before `start()` or on a second answer. */
  respond(command: G3Command, data: G3Data, options?: CallOptions): Promise<void> {
    return this.session.respond(command, data, options);
  }

  /** The commands, in arrival order (the session's iterator). */
  commands(): AsyncIterator<G3Command> {
    return this.session[Symbol.asyncIterator]();
  }

  /** Closes the MQTT session (if started) and the HTTP client. */
  async close(): Promise<void> {
    await this.#session?.close();
    await this.http.http.close();
  }

  /** The stored hub when the platform still has it (HEAD), else a new one (POST). */
  async #initHub(step: StepOptions): Promise<{ hubId: string; created: boolean }> {
    const stored = await this.#store.getGatewayId();
    if (stored !== undefined && stored !== '' && (await this.platform.hubExists(stored, step()))) {
      this.#hubId = stored;
      return { hubId: stored, created: false };
    }
    const name = this.#options.hubName ?? `${this.#options.user}-${new Date((this.#options.clock ?? systemClock).now()).toISOString()}`;
    const hubId = await this.platform.createHub(name, step());
    await this.#store.setGatewayId(hubId);
    this.#hubId = hubId;
    return { hubId, created: true };
  }

  /** Devices are written only when the hub's hash says the platform's fleet differs. */
  async #syncFleet(hubId: string, devices: readonly SeplDevice[], step: StepOptions): Promise<{ hash: string; written: boolean }> {
    const hub = await this.platform.getHub(hubId, step());
    const hash = g3HubHash(devices);
    if (hub?.hash === hash) return { hash, written: false };
    for (const device of devices) await this.platform.putDevice(asG3Device(device), step());
    return this.platform.syncHub(hubId, devices.map(asG3Device), step());
  }

  async #syncHub(options: CallOptions): Promise<void> {
    if (this.#hubId === undefined) return;
    await this.platform.syncHub(this.#hubId, (await this.#store.list()).map(asG3Device), options);
  }
}
