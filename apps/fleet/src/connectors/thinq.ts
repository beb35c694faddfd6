// LG ThinQ: appliances of ThinQ Connect (official API; state by MQTT push, polled while the push is
// not connected; control validated against each device's profile) and of the v1 API (rti
// monitoring, decoded with the device's model). Either or both, by the credentials configured.
import type {
  DeviceProfile} from '@x/thinq';
import {
  ConnectClient,
  ConnectPush,
  V1Client,
  displayProperty,
  displayValue,
  newConnectClientId,
  stateOfLocation,
  type ConnectDevice,
  type DeviceState,
  type ModelInfo,
  type PropertySpec,
  type PushStatusEvent,
  type V1Device,
  type V1Monitor,
} from '@x/thinq';
import { createBackoff, type Backoff } from '@x/http-core';
import type { ThinqConfig } from '../config.js';
import type { CommandParamSpec, CommandSpec, DeviceInfo, ReadingInput, ReadingValue } from '../model.js';
import { deviceId } from '../model.js';
import type { ConnectorContext, VendorConnector } from './connector.js';
import { describeError } from './connector.js';
import { isAuthFailure } from './failure.js';
import { runLoop } from './loop.js';
import { LoopWake } from './loop-wake.js';
import { ThinqEnergy } from './thinq-energy.js';

const REDISCOVER_MS = 10 * 60_000;
/** What a chart of the appliance shows first (numbers before states). */
const PRIMARY_METRICS = ['temperature.currentTemperature', 'TempCur', 'TempRefrigerator', 'refrigeration.fridgeTemperature', 'timer.remainMinute', 'Remain_Time_M', 'runState.currentState', 'State'];
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function scalar(v: unknown): ReadingValue | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  return undefined;
}

/** `{resource: {property: value}}` (one location) → readings `resource.property`; a `unit` property becomes the unit. */
export function stateReadings(id: string, state: Record<string, unknown>, ts: number, units?: Map<string, string>): ReadingInput[] {
  const out: ReadingInput[] = [];
  for (const [resource, body] of Object.entries(state)) {
    if (resource === 'location' || !isRecord(body)) continue;
    // Reports carry only what changed: the unit seen last for this resource still applies.
    const key = `${id}\u0000${resource}`;
    if (typeof body.unit === 'string') units?.set(key, body.unit);
    const unit = typeof body.unit === 'string' ? body.unit : (units?.get(key) ?? null);
    for (const [property, raw] of Object.entries(body)) {
      const value = scalar(raw);
      if (value === undefined || property === 'unit') continue;
      out.push({ deviceId: id, metric: `${resource}.${property}`, value, unit: typeof value === 'number' ? unit : null, ts });
    }
  }
  return out;
}

function paramOf(spec: PropertySpec): CommandParamSpec | undefined {
  const w = spec.value?.w;
  switch (spec.type) {
    case 'enum':
    case 'list':
      if (!Array.isArray(w) || !w.every((x) => typeof x === 'string')) return undefined;
      // The page offers the values in words (`COOL` → "Cool") and sends the raw value.
      return { name: 'value', type: 'enum', values: w, valueLabels: Object.fromEntries(w.map((v) => [v, displayValue(v)])), required: true };
    case 'range': {
      if (!isRecord(w) || typeof w.min !== 'number' || typeof w.max !== 'number') return { name: 'value', type: 'number', required: true };
      const step = typeof w.step === 'number' && w.step > 0 ? w.step : 1;
      return { name: 'value', type: 'number', min: w.min, max: w.max, step, required: true, ...(spec.unit ? { unit: spec.unit } : {}) };
    }
    case 'number':
      return { name: 'value', type: 'number', required: true, ...(spec.unit ? { unit: spec.unit } : {}) };
    case 'boolean':
      return { name: 'value', type: 'boolean', required: true };
    case 'string':
      return { name: 'value', type: 'string', required: true };
  }
}

/** One command per writable property of the profile (of its only/first location). */
export function profileCommands(profile: DeviceProfile): CommandSpec[] {
  const location = profile.locations[0];
  const resources = profile.resources(location);
  const out: CommandSpec[] = [];
  for (const name of profile.writableProperties(location)) {
    const [resource = '', property = ''] = name.split('.');
    const res = resources[resource];
    const spec = Array.isArray(res) ? undefined : res?.[property];
    if (spec === undefined || typeof spec === 'string') continue;
    const param = paramOf(spec);
    if (!param) continue;
    out.push({
      name,
      label: displayProperty(name),
      dangerous: /operation/i.test(resource),
      params: [param],
    });
  }
  return out;
}

function primaryOf(metrics: Iterable<string>): string | null {
  const all = [...metrics];
  return PRIMARY_METRICS.find((m) => all.includes(m)) ?? all[0] ?? null;
}

export interface ThinqConnectorOptions {
  /** CA of the MQTT broker (the simulator's test CA); default the system store. */
  caPem?: string;
  /** v1 gateway discovery URL (the simulator's); default LG's. */
  gatewayUrl?: string;
  retry?: { initialDelayInMs?: number; maxDelayInMs?: number };
}

interface ConnectEntry {
  device: ConnectDevice;
  profile: DeviceProfile;
}

interface V1Entry {
  device: V1Device;
  model: ModelInfo;
  monitor: V1Monitor;
}

export class ThinqConnector implements VendorConnector {
  readonly vendor = 'thinq' as const;
  readonly #config: ThinqConfig;
  readonly #ctx: ConnectorContext;
  readonly #opts: ThinqConnectorOptions;
  readonly #abort = new AbortController();
  #connect: ConnectClient | undefined;
  #energy: ThinqEnergy | undefined;
  #push: ConnectPush | undefined;
  #pushError: string | undefined;
  #pushRetryAt = 0;
  readonly #pushBackoff: Backoff;
  readonly #units = new Map<string, string>();
  readonly #stateRead = new Set<string>();
  #connectDevices = new Map<string, ConnectEntry>();
  #discoveredAt = 0;
  /**
   * Times shards were gained, and how many of those each API's device list has seen: a list that
   * fails is taken again at the next step (discovery keeps only the devices owned at the time).
   */
  #gains = 0;
  #connectGainsSeen = 0;
  #v1GainsSeen = 0;
  #v1: V1Client | undefined;
  #v1Devices = new Map<string, V1Entry>();
  #v1LoggedIn = false;
  #loop: Promise<void> | undefined;
  readonly #wake = new LoopWake();

  constructor(config: ThinqConfig, ctx: ConnectorContext, options: ThinqConnectorOptions = {}) {
    this.#config = config;
    this.#ctx = ctx;
    this.#opts = options;
    this.#pushBackoff = createBackoff({
      initialDelayInMs: options.retry?.initialDelayInMs ?? 30_000,
      maxDelayInMs: options.retry?.maxDelayInMs ?? 600_000,
      jitter: 'equal',
    });
    if (config.refreshToken) {
      this.#v1 = new V1Client({
        country: config.country,
        ...(config.language ? { language: config.language } : {}),
        ...(options.gatewayUrl ? { gatewayUrl: options.gatewayUrl } : {}),
        logger: ctx.logger,
        maxRetries: 1,
      });
    }
  }

  async start(): Promise<void> {
    if (this.#config.accessToken) {
      const clientId = this.#config.clientId ?? (await this.#ctx.kv.get<string>('thinq.connect.clientId')) ?? newConnectClientId();
      await this.#ctx.kv.set('thinq.connect.clientId', clientId);
      this.#connect = new ConnectClient({
        pat: this.#config.accessToken,
        country: this.#config.country,
        clientId,
        ...(this.#config.baseUrl ? { baseUrl: this.#config.baseUrl } : {}),
        logger: this.#ctx.logger,
      });
      this.#energy = new ThinqEnergy({ client: this.#connect, ingest: this.#ctx.ingest, logger: this.#ctx.logger, now: () => this.#ctx.now() });
    }
    this.#updateMode();
    this.#loop = runLoop({
      name: 'thinq',
      tracker: this.#ctx.tracker,
      logger: this.#ctx.logger,
      signal: this.#abort.signal,
      intervalInMs: this.#config.pollIntervalInMs,
      retry: this.#opts.retry,
      step: (signal) => this.#step(signal),
      wake: this.#wake,
    });
  }

  refresh(): void {
    this.#gains += 1;
    this.#wake.wake();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
    await this.#push?.close().catch(() => undefined);
    for (const e of this.#v1Devices.values()) await e.monitor.stop().catch(() => undefined);
    await this.#connect?.close();
    await this.#v1?.close();
  }

  available(): boolean {
    return this.#ctx.tracker.state === 'connected';
  }

  #updateMode(): void {
    const parts: string[] = [];
    if (this.#connect) parts.push(this.#push?.connected ? 'connect-push' : 'connect-polling');
    if (this.#v1) parts.push('v1-monitoring');
    this.#ctx.setMode(parts.join('+') || null);
  }

  async #step(signal: AbortSignal): Promise<void> {
    if (this.#connect) await this.#stepConnect(this.#connect, signal);
    if (this.#v1) await this.#stepV1(this.#v1, signal);
    this.#updateMode();
  }

  // ---------------------------------------------------------------- ThinQ Connect

  async #stepConnect(client: ConnectClient, signal: AbortSignal): Promise<void> {
    if (this.#connectGainsSeen !== this.#gains || this.#connectDevices.size === 0 || this.#ctx.now() - this.#discoveredAt > REDISCOVER_MS) {
      await this.#discoverConnect(client, signal);
    }
    if (!this.#push && this.#ctx.now() >= this.#pushRetryAt) await this.#startPush(client, signal);
    const pushing = this.#push?.connected === true;
    for (const entry of this.#connectDevices.values()) {
      // With the push connected, a device's state is read once; otherwise at every step.
      if (pushing && this.#stateRead.has(entry.device.deviceId)) {
        await this.#connectDevice(entry, undefined, true);
        continue;
      }
      let state: DeviceState;
      try {
        state = await client.state(entry.device.deviceId, { signal });
      } catch (err) {
        if ((err as { code?: unknown }).code === '1222') {
          await this.#connectDevice(entry, undefined, false);
          continue;
        }
        throw err;
      }
      this.#stateRead.add(entry.device.deviceId);
      await this.#connectDevice(entry, state, true);
    }
    // After the states, and only for the devices due (hourly): energy is daily data.
    await this.#energy?.collect(this.#connectDevices.keys(), signal);
  }

  /** The account's Connect devices this collector owns, with their profiles. */
  async #discoverConnect(client: ConnectClient, signal: AbortSignal): Promise<void> {
    const gains = this.#gains;
    const next = new Map<string, ConnectEntry>();
    for (const device of await client.devices({ signal })) {
      if (!this.#ctx.ingest.owns(deviceId('thinq', device.deviceId))) continue;
      // One device whose profile cannot be read or parsed must not take out the account's list.
      try {
        next.set(device.deviceId, { device, profile: await client.profile(device.deviceId, { signal }) });
      } catch (err) {
        if (signal.aborted) throw err;
        this.#ctx.logger.warn('thinq: device skipped, its profile is unusable', { deviceId: device.deviceId, error: err });
      }
    }
    const gained = [...next.keys()].some((id) => !this.#connectDevices.has(id));
    this.#connectDevices = next;
    this.#discoveredAt = this.#ctx.now();
    this.#connectGainsSeen = gains;
    // The push subscribed the devices it started with: with new ones it starts again, now.
    const push = this.#push;
    if (gained && push) {
      this.#push = undefined;
      this.#pushRetryAt = 0;
      await push.close().catch(() => undefined);
    }
  }

  async #startPush(client: ConnectClient, signal: AbortSignal): Promise<void> {
    const push = new ConnectPush(client, {
      deviceIds: [...this.#connectDevices.keys()],
      // States are fetched by this connector (an offline device must not stop the push).
      fetchInitialState: false,
      ...(this.#opts.caPem ? { caPem: this.#opts.caPem } : {}),
      reconnect: { initialDelayInMs: this.#opts.retry?.initialDelayInMs ?? 1000, maxDelayInMs: this.#opts.retry?.maxDelayInMs ?? 60_000 },
      logger: this.#ctx.logger,
    });
    push.on('connected', () => this.#updateMode());
    push.on('reconnecting', () => this.#updateMode());
    push.on('error', (err: unknown) => {
      this.#pushError = describeError(err);
    });
    // start() now waits through transient failures; the first failed try means "unavailable" here,
    // so the connector polls meanwhile (as before @x/thinq's push ran on the session base).
    let onRetry: ((event: { error: Error | undefined }) => void) | undefined;
    const firstTry = new Promise<never>((_, reject) => {
      onRetry = ({ error }) => reject(error ?? new Error('the push connection failed'));
      push.once('reconnecting', onRetry);
    });
    firstTry.catch(() => undefined);
    try {
      await Promise.race([push.start(signal), firstTry]).finally(() => {
        if (onRetry) push.off('reconnecting', onRetry);
      });
      this.#push = push;
      this.#pushError = undefined;
      this.#pushBackoff.reset();
      void this.#consume(push);
    } catch (err) {
      await push.close().catch(() => undefined);
      if (signal.aborted) return;
      // Each start registers a client and asks for a certificate: not at every poll.
      this.#pushRetryAt = this.#ctx.now() + this.#pushBackoff.next();
      this.#pushError = describeError(err);
      this.#ctx.logger.warn('thinq: Connect push unavailable, polling state instead', { reason: this.#pushError });
      // Refused credentials are the connector's state, not a reason to poll instead.
      if (isAuthFailure(err)) throw err;
    }
  }

  /** Reads the push until it ends; a push that failed for good is replaced at the next step. */
  async #consume(push: ConnectPush): Promise<void> {
    try {
      for await (const event of push) {
        if (event.type !== 'status') continue;
        await this.#onPushStatus(event).catch((err: unknown) => this.#ctx.logger.warn('thinq: push report not stored', { error: err }));
      }
    } catch (err) {
      this.#pushError = describeError(err);
      this.#ctx.logger.warn('thinq: Connect push stopped', { reason: this.#pushError });
    } finally {
      if (this.#push === push) {
        this.#push = undefined;
        this.#pushRetryAt = this.#ctx.now() + this.#pushBackoff.next();
      }
      this.#updateMode();
    }
  }

  async #onPushStatus(event: PushStatusEvent): Promise<void> {
    const entry = this.#connectDevices.get(event.deviceId);
    if (!entry) return;
    const id = deviceId('thinq', event.deviceId);
    await this.#ctx.ingest.readings(stateReadings(id, event.report, this.#ctx.now(), this.#units), { live: true });
  }

  async #connectDevice(entry: ConnectEntry, state: DeviceState | undefined, online: boolean): Promise<void> {
    const id = deviceId('thinq', entry.device.deviceId);
    const one = state === undefined ? undefined : stateOfLocation(state, entry.profile.locations[0]);
    const readings = one ? stateReadings(id, one, this.#ctx.now(), this.#units) : [];
    const readable = entry.profile.readableProperties(entry.profile.locations[0]);
    const info: DeviceInfo = {
      vendor: 'thinq',
      vendorId: entry.device.deviceId,
      name: entry.device.alias || entry.device.modelName,
      kind: 'appliance',
      model: entry.device.deviceType,
      online,
      primaryMetric: primaryOf(readable.filter((m) => !m.endsWith('.unit'))),
      commands: profileCommands(entry.profile),
    };
    await this.#ctx.ingest.device(info);
    if (readings.length > 0) await this.#ctx.ingest.readings(readings, { live: true });
  }

  // ---------------------------------------------------------------- ThinQ v1

  /**
   * Keeps the v1 devices this collector owns: a known one keeps its model and monitor, a new one
   * gets them, and the monitor of one no longer owned is stopped.
   */
  async #v1Owned(client: V1Client, devices: readonly V1Device[], signal: AbortSignal): Promise<void> {
    const next = new Map<string, V1Entry>();
    for (const device of devices) {
      if (!this.#ctx.ingest.owns(deviceId('thinq', device.deviceId))) continue;
      const known = this.#v1Devices.get(device.deviceId);
      next.set(device.deviceId, known ? { ...known, device } : { device, model: await client.modelInfo(device, signal), monitor: client.monitor(device.deviceId) });
    }
    for (const [id, entry] of this.#v1Devices) if (!next.has(id)) await entry.monitor.stop().catch(() => undefined);
    this.#v1Devices = next;
  }

  async #stepV1(client: V1Client, signal: AbortSignal): Promise<void> {
    const gains = this.#gains;
    if (!this.#v1LoggedIn) {
      const devices = await client.loginWithRefreshToken(this.#config.refreshToken as string, signal);
      this.#v1LoggedIn = true;
      await this.#v1Owned(client, devices, signal);
      this.#v1GainsSeen = gains;
    } else if (this.#v1GainsSeen !== gains) {
      await this.#v1Owned(client, await client.devices({ signal }), signal);
      this.#v1GainsSeen = gains;
    }
    for (const entry of this.#v1Devices.values()) {
      const id = deviceId('thinq', entry.device.deviceId);
      const online = entry.device.raw.online !== false;
      let readings: ReadingInput[] = [];
      if (online) {
        const frame = await entry.monitor.poll(signal);
        if (frame) readings = this.#v1Readings(id, entry.model, entry.model.decodeMonitor(frame));
      }
      await this.#ctx.ingest.device({
        vendor: 'thinq',
        vendorId: entry.device.deviceId,
        name: entry.device.alias || entry.device.modelName,
        kind: 'appliance',
        model: entry.device.deviceTypeName,
        online,
        primaryMetric: primaryOf(entry.model.valueNames()),
        commands: [],
      });
      await this.#ctx.ingest.readings(readings, { live: true });
    }
  }

  #v1Readings(id: string, model: ModelInfo, data: Record<string, unknown>): ReadingInput[] {
    const ts = this.#ctx.now();
    const out: ReadingInput[] = [];
    for (const [key, raw] of Object.entries(data)) {
      let value: ReadingValue | undefined = scalar(raw);
      if (value === undefined) continue;
      if (model.hasValue(key)) {
        const spec = model.value(key);
        if (spec.type === 'enum') value = model.enumName(key, raw);
        else if (spec.type === 'range' && Number.isFinite(Number(raw))) value = Number(raw);
      }
      if (typeof value === 'string' && /^-?\d+(?:\.\d+)?$/.test(value.trim())) value = Number(value);
      out.push({ deviceId: id, metric: key, value, unit: null, ts });
    }
    return out;
  }

  // ---------------------------------------------------------------- control

  async execute(device: { vendorId: string }, command: string, params: Record<string, unknown>, signal: AbortSignal): Promise<unknown> {
    const entry = this.#connectDevices.get(device.vendorId);
    if (!entry || !this.#connect) throw new Error('only ThinQ Connect devices accept control');
    const [resource = '', property = ''] = command.split('.');
    const location = entry.profile.locations[0];
    // The client shapes the payload per device (location.locationName, or keyed by a WashTower's unit).
    const payload: Record<string, Record<string, unknown>> = { [resource]: { [property]: params.value } };
    const result = await this.#connect.control(device.vendorId, payload, { signal, ...(location === undefined ? {} : { location }) });
    return result ?? null;
  }
}
