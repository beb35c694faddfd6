// The SEPL bridge: the fleet acts as one SEPL gateway (per collector). It registers the
// fleet's devices on the platform, sends their live readings as events, and executes the commands
// the platform sends by routing them to the device's own vendor through the command service,
// answering with the result. Its devices and gateway id live in the fleet's database.
import { randomUUID } from 'node:crypto';
import { SeplConnector, isSeplAuthError, isSeplNotConnectedError, type DeviceStore, type SeplCommand, type SeplDevice } from '@x/sepl-connector';
import { CommandInputError } from '../commands.js';
import type { SeplConfig } from '../config.js';
import type { Logger } from '../log.js';
import type { CommandRecord, Device, Reading, SeplStatus } from '../model.js';
import { toIso } from '../model.js';
import type { FleetService } from '../service.js';
import { StateTracker } from '../status.js';
import type { Bridge } from './connector.js';
import { describeError } from './connector.js';
import { failureState } from './failure.js';
import { runLoop } from './loop.js';
import { noScrub, type Scrub } from '../secrets.js';

const RECENT = 20;
const MAX_QUEUED_EVENTS = 1000;

/**
 * Where a collector's gateway state lives: `index/count` names (the old static shards, and the
 * single PGlite collector) keep their former key, so the gateway id survives the upgrade.
 */
export function seplStateKey(collector: string): string {
  const legacy = /^(\d+)\/(\d+)$/.exec(collector);
  return legacy ? `sepl.shard${legacy[1]}of${legacy[2]}` : `sepl.collector.${collector}`;
}

/** A SEPL DeviceStore over the fleet database's key-value state (one entry per collector). */
export class KvDeviceStore implements DeviceStore {
  readonly #kv: { get<T>(key: string): Promise<T | undefined>; set(key: string, value: unknown): Promise<void> };
  readonly #prefix: string;
  #devices: SeplDevice[] | undefined;

  constructor(kv: KvDeviceStore['kv'], prefix: string) {
    this.#kv = kv;
    this.#prefix = prefix;
  }

  get kv(): { get<T>(key: string): Promise<T | undefined>; set(key: string, value: unknown): Promise<void> } {
    return this.#kv;
  }

  async #load(): Promise<SeplDevice[]> {
    this.#devices ??= (await this.#kv.get<SeplDevice[]>(`${this.#prefix}.devices`)) ?? [];
    return this.#devices;
  }

  async #save(devices: SeplDevice[]): Promise<void> {
    this.#devices = devices;
    await this.#kv.set(`${this.#prefix}.devices`, devices);
  }

  async add(device: SeplDevice): Promise<void> {
    const list = await this.#load();
    const i = list.findIndex((d) => d.id === device.id);
    await this.#save(i === -1 ? [...list, device] : list.map((d, j) => (j === i ? device : d)));
  }

  update(device: SeplDevice): Promise<void> {
    return this.add(device);
  }

  async remove(id: string): Promise<boolean> {
    const list = await this.#load();
    const next = list.filter((d) => d.id !== id);
    await this.#save(next);
    return next.length !== list.length;
  }

  async get(id: string): Promise<SeplDevice | undefined> {
    return (await this.#load()).find((d) => d.id === id);
  }

  async list(): Promise<SeplDevice[]> {
    return [...(await this.#load())];
  }

  getGatewayId(): Promise<string | undefined> {
    return this.#kv.get<string>(`${this.#prefix}.gatewayId`);
  }

  setGatewayId(id: string): Promise<void> {
    return this.#kv.set(`${this.#prefix}.gatewayId`, id);
  }
}

/** Command parameters from a platform command: the `data` part as a JSON object (empty means none). */
export function commandParams(command: SeplCommand): Record<string, unknown> {
  const data = command.protocol_parts?.find((p) => p.name === 'data')?.value ?? '';
  if (data.trim() === '') return {};
  const parsed = JSON.parse(data) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TypeError('the data part must be a JSON object of parameters');
  return parsed as Record<string, unknown>;
}

export interface SeplBridgeOptions {
  service: FleetService;
  logger: Logger;
  now(): number;
  kv: KvDeviceStore['kv'];
  owns(deviceId: string): boolean;
  /** This collector's name (shard.collector): each collector is its own gateway. */
  collector: string;
  /** Device changes of the bridge's own making (registration) are announced through this. */
  republish(deviceId: string): Promise<void>;
  retry?: { initialDelayInMs?: number; maxDelayInMs?: number };
  /** Removes configured secrets from state reasons and command errors (default: none). */
  scrub?: Scrub;
}

export class SeplBridge implements Bridge {
  readonly #config: SeplConfig;
  readonly #o: SeplBridgeOptions;
  readonly #tracker: StateTracker;
  readonly #store: KvDeviceStore;
  readonly #abort = new AbortController();
  readonly #registered = new Set<string>();
  /** Stored while no session was ready. */
  readonly #pending = new Set<string>();
  readonly #recent: CommandRecord[] = [];
  readonly #unsubscribe: Array<() => void> = [];
  #connector: SeplConnector | undefined;
  #gatewayId: string | null = null;
  #eventsSent = 0;
  #commandsReceived = 0;
  #queue: Reading[] = [];
  #draining = false;
  #loop: Promise<void> | undefined;

  constructor(config: SeplConfig, options: SeplBridgeOptions) {
    this.#config = config;
    this.#o = options;
    this.#tracker = new StateTracker('connecting', () => options.now(), () => this.#publish(), options.scrub);
    this.#store = new KvDeviceStore(options.kv, seplStateKey(options.collector));
  }

  isRegistered(deviceId: string): boolean {
    return this.#registered.has(deviceId);
  }

  status(): SeplStatus {
    return {
      enabled: true,
      ...this.#tracker.snapshot(),
      gatewayId: this.#gatewayId,
      devicesRegistered: this.#registered.size,
      eventsSent: this.#eventsSent,
      commandsReceived: this.#commandsReceived,
      recentCommands: [...this.#recent],
    };
  }

  #publish(): void {
    this.#o.service.bus.emit('sepl', this.status());
  }

  start(): Promise<void> {
    const bus = this.#o.service.bus;
    this.#unsubscribe.push(
      bus.on('device', (device) => void this.#register(device)),
      bus.on('reading', (reading) => this.#enqueue(reading)),
      bus.on('command', (record) => this.#remember(record)),
    );
    this.#loop = runLoop({
      name: 'sepl',
      tracker: this.#tracker,
      logger: this.#o.logger,
      signal: this.#abort.signal,
      intervalInMs: 0,
      retry: this.#o.retry ?? { initialDelayInMs: 5000, maxDelayInMs: 300_000 },
      step: (signal) => this.#session(signal),
    });
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    for (const off of this.#unsubscribe.splice(0)) off();
    this.#abort.abort();
    await this.#connector?.close().catch(() => undefined);
    await this.#loop;
  }

  #seplDevice(device: Device): SeplDevice {
    const type = this.#config.deviceTypes[device.kind] ?? `iot#fleet-${device.kind}`;
    return { id: device.id, type, name: device.name.replace(/[;]/g, ','), tags: { vendor: device.vendor, kind: device.kind } };
  }

  /** One connector session: until closed (stop), or rejected credentials (the loop retries later). */
  async #session(signal: AbortSignal): Promise<void> {
    // Bring the store up to date with the fleet before the handshake (it syncs by hash).
    for (const device of await this.#o.service.listDevices()) {
      if (!this.#o.owns(device.id)) continue;
      const wanted = this.#seplDevice(device);
      const stored = await this.#store.get(device.id);
      if (!stored || stored.name !== wanted.name || stored.type !== wanted.type) await this.#store.add(wanted);
    }
    const connector = new SeplConnector({
      protocol: this.#config.protocol,
      ...(this.#config.g3 ? { g3: this.#config.g3 } : {}),
      ...(this.#config.url ? { url: this.#config.url } : {}),
      ...(this.#config.lookupUrl ? { lookupUrl: this.#config.lookupUrl } : {}),
      user: this.#config.user,
      password: this.#config.password,
      store: this.#store,
      logger: this.#o.logger,
      reconnect: { initialDelayInMs: this.#o.retry?.initialDelayInMs ?? 30_000, maxDelayInMs: this.#o.retry?.maxDelayInMs ?? 300_000, jitter: 'equal' },
    });
    this.#connector = connector;
    const closed = new Promise<void>((resolve) => connector.once('closed', () => resolve()));
    let failure: Error | undefined;
    connector.on('error', (err) => {
      if (isSeplAuthError(err)) failure = err;
      this.#o.logger.warn('sepl: connector error', { error: err });
    });
    connector.on('ready', (info) => {
      this.#gatewayId = info.gatewayId ?? null;
      this.#tracker.ok();
      void this.#markAllRegistered(connector);
    });
    connector.on('reconnecting', (info) =>
      this.#tracker.set(failureState(info.error), `${describeError(info.error ?? 'connection lost')} (reconnecting in ${Math.max(1, Math.round(info.delayInMs / 1000))} s)`),
    );
    connector.on('command', (command) => void this.#execute(connector, command));
    const onAbort = (): void => void connector.close().catch(() => undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await connector.start();
      await closed;
      if (failure) throw failure;
    } finally {
      signal.removeEventListener('abort', onAbort);
      if (this.#connector === connector) this.#connector = undefined;
    }
  }

  /**
   * After a handshake: the store's devices are on the platform, except those stored while the
   * handshake ran (they may have missed the hash sync): those are put again.
   */
  async #markAllRegistered(connector: SeplConnector): Promise<void> {
    const pending = [...this.#pending];
    this.#pending.clear();
    for (const id of pending) {
      const device = await this.#store.get(id);
      if (!device) continue;
      try {
        await connector.update(device);
      } catch (err) {
        this.#pending.add(id);
        this.#o.logger.warn('sepl: device not registered', { device: id, error: err });
      }
    }
    const devices = (await this.#store.list()).filter((d) => !this.#pending.has(d.id));
    const fresh = devices.filter((d) => !this.#registered.has(d.id));
    for (const d of devices) this.#registered.add(d.id);
    this.#publish();
    for (const d of fresh) await this.#o.republish(d.id);
  }

  /**
   * Devices that moved to another collector (its shards were lost): this gateway stops serving
   * them (`disconnect`: the platform keeps the device, now on the new owner's gateway).
   */
  async releaseUnowned(): Promise<void> {
    for (const device of await this.#store.list()) {
      if (this.#o.owns(device.id)) continue;
      this.#registered.delete(device.id);
      this.#pending.delete(device.id);
      try {
        // Not connected: only the store changes; the next handshake's sync tells the platform.
        if (this.#connector) await this.#connector.disconnect(device.id);
        else await this.#store.remove(device.id);
      } catch (err) {
        this.#o.logger.warn('sepl: moved device not released', { device: device.id, error: err });
        await this.#store.remove(device.id).catch(() => undefined);
      }
    }
    this.#publish();
  }

  async #register(device: Device): Promise<void> {
    if (!this.#o.owns(device.id)) return;
    const wanted = this.#seplDevice(device);
    const stored = await this.#store.get(device.id);
    const connector = this.#connector;
    if (stored && stored.name === wanted.name && stored.type === wanted.type) return;
    if (!connector || connector.state !== 'ready') {
      await this.#store.add(wanted); // synced at the next handshake
      this.#pending.add(device.id);
      return;
    }
    try {
      if (stored) await connector.update(wanted);
      else await connector.add(wanted);
      const isNew = !this.#registered.has(device.id);
      this.#registered.add(device.id);
      this.#publish();
      if (isNew) await this.#o.republish(device.id);
    } catch (err) {
      this.#o.logger.warn('sepl: device not registered', { device: device.id, error: err });
    }
  }

  #enqueue(reading: Reading): void {
    if (!this.#registered.has(reading.deviceId) || this.#connector?.state !== 'ready') return;
    this.#queue.push(reading);
    if (this.#queue.length > MAX_QUEUED_EVENTS) this.#queue.shift();
    if (!this.#draining) void this.#drain();
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      let reading: Reading | undefined;
      while ((reading = this.#queue.shift()) !== undefined) {
        const connector = this.#connector;
        if (!connector || connector.state !== 'ready') {
          this.#queue = [];
          return;
        }
        try {
          await connector.event(reading.deviceId, reading.metric, {
            metadata: JSON.stringify({ unit: reading.unit, time: reading.ts }),
            data: String(reading.value),
          });
          this.#eventsSent += 1;
          if (this.#eventsSent % 50 === 1) this.#publish();
        } catch (err) {
          if (!isSeplNotConnectedError(err)) this.#o.logger.warn('sepl: event not sent', { device: reading.deviceId, error: err });
        }
      }
    } finally {
      this.#draining = false;
    }
  }

  #remember(record: CommandRecord): void {
    if (record.source !== 'sepl') return;
    const i = this.#recent.findIndex((r) => r.id === record.id);
    if (i === -1) this.#recent.unshift(record);
    else this.#recent[i] = record;
    this.#recent.splice(RECENT);
    this.#publish();
  }

  /** A platform command: routed to the device's vendor; the answer carries the command record. */
  async #execute(connector: SeplConnector, command: SeplCommand): Promise<void> {
    this.#commandsReceived += 1;
    this.#publish();
    let answer: CommandRecord;
    const requestedAt = toIso(this.#o.now());
    try {
      answer = (await this.#o.service.commands.run(command.device_url, { command: command.service_url, params: commandParams(command) }, 'sepl')).record;
    } catch (err) {
      // Not a command the device takes (or unreadable parameters): recorded as failed all the same.
      const reason = err instanceof CommandInputError || err instanceof TypeError || err instanceof SyntaxError ? err.message : (this.#o.scrub ?? noScrub)(describeError(err));
      answer = {
        id: randomUUID(),
        deviceId: command.device_url.slice(0, 200),
        command: command.service_url.slice(0, 100),
        params: {},
        source: 'sepl',
        status: 'failed',
        result: null,
        error: reason,
        requestedAt,
        completedAt: toIso(this.#o.now()),
      };
      await this.#o.service.store.saveCommand(answer).catch((e: unknown) => this.#o.logger.warn('sepl: command not recorded', { error: e }));
      this.#o.service.bus.emit('command', answer);
    }
    try {
      await connector.respond(command, { metadata: '', data: JSON.stringify(answer) });
    } catch (err) {
      this.#o.logger.warn('sepl: command answer not sent', { device: command.device_url, error: err });
    }
  }
}
