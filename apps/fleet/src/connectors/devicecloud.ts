// Digi Device Cloud: a TCP push monitor on DataPoint and DeviceCore. DataPoints become readings of
// the device their stream belongs to; DeviceCore events name devices and flip them online/offline.
// The monitor is looked up (or created) by its description, one per collector; the monitors of
// collectors gone for long are retired (devicecloud-retire.ts).
import {
  DeviceCloudClient,
  MonitorFields,
  type DataPoint,
  type DeviceCore,
  type MonitorEvent,
  type PushBatch,
  type PushSession,
} from '@x/devicecloud-monitor';
import type { DevicecloudConfig } from '../config.js';
import type { DeviceInfo, ReadingInput, ReadingValue } from '../model.js';
import { deviceId } from '../model.js';
import type { ConnectorContext, VendorConnector } from './connector.js';
import { describeError } from './connector.js';
import { monitorDescription, retireGoneMonitors } from './devicecloud-retire.js';
import { failureState } from './failure.js';
import { runLoop } from './loop.js';

export const MONITOR_TOPICS = ['DataPoint', 'DeviceCore'] as const;
const CONNECTWARE_ID = /^[0-9A-F]{8}-[0-9A-F]{8}-[0-9A-F]{8}-[0-9A-F]{8}$/i;
/** `devicecloud.retireMonitorsAfterInMs` when not configured: a day. */
export const RETIRE_MONITORS_AFTER_MS = 86_400_000;

/** `<deviceId>/<stream…>` → the device and the metric; streams of no device belong to the account. */
export function splitStream(streamId: string): { vendorId: string; metric: string } {
  const slash = streamId.indexOf('/');
  const head = slash === -1 ? streamId : streamId.slice(0, slash);
  if (slash > 0 && CONNECTWARE_ID.test(head)) return { vendorId: head.toUpperCase(), metric: streamId.slice(slash + 1) };
  return { vendorId: 'account', metric: streamId };
}

function shortName(vendorId: string): string {
  return vendorId === 'account' ? 'Device Cloud account streams' : `Digi ${vendorId.slice(-8)}`;
}

function pointValue(data: unknown): ReadingValue | undefined {
  if (typeof data === 'number') return Number.isFinite(data) ? data : undefined;
  if (typeof data === 'boolean') return data;
  if (typeof data === 'string') {
    const t = data.trim();
    return t !== '' && Number.isFinite(Number(t)) ? Number(t) : data;
  }
  return undefined;
}

export interface DevicecloudConnectorOptions {
  /** Trusted CA for a private/test push TLS certificate. */
  ca?: string;
  retry?: { initialDelayInMs?: number; maxDelayInMs?: number };
  /** This collector's name (shard.collector): its own monitor, as every collector gets every push. */
  collector: string;
  /** How often gone collectors' monitors are looked for (default hourly; the first time at start). */
  retireEveryInMs?: number;
}

export class DevicecloudConnector implements VendorConnector {
  readonly vendor = 'devicecloud' as const;
  readonly #ctx: ConnectorContext;
  readonly #opts: DevicecloudConnectorOptions;
  readonly #client: DeviceCloudClient;
  readonly #abort = new AbortController();
  #session: PushSession | undefined;
  #loop: Promise<void> | undefined;
  readonly #infos = new Map<string, DeviceInfo>();
  readonly #seen = new Set<string>();
  readonly #retireAfterInMs: number;
  #retireTimer: NodeJS.Timeout | undefined;
  #retiring: Promise<void> | undefined;

  constructor(config: DevicecloudConfig, ctx: ConnectorContext, options: DevicecloudConnectorOptions) {
    this.#ctx = ctx;
    this.#opts = options;
    this.#retireAfterInMs = config.retireMonitorsAfterInMs ?? RETIRE_MONITORS_AFTER_MS;
    this.#client = new DeviceCloudClient({
      username: config.username,
      password: config.password,
      ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}),
      ...(options.ca ? { ca: options.ca } : {}),
      logger: ctx.logger,
      push: {
        secure: config.secure,
        ...(config.pushHost ? { host: config.pushHost } : {}),
        ...(config.pushPort ? { port: config.pushPort } : {}),
        ...(config.idleTimeoutInMs ? { idleTimeoutInMs: config.idleTimeoutInMs } : {}),
        reconnect: { initialDelayInMs: options.retry?.initialDelayInMs ?? 1000, maxDelayInMs: options.retry?.maxDelayInMs ?? 60_000, jitter: 'equal' },
      },
    });
  }

  get #description(): string {
    return monitorDescription(this.#opts.collector);
  }

  start(): Promise<void> {
    this.#ctx.setMode('push');
    this.#loop = runLoop({
      name: 'devicecloud',
      tracker: this.#ctx.tracker,
      logger: this.#ctx.logger,
      signal: this.#abort.signal,
      intervalInMs: 0,
      retry: this.#opts.retry,
      step: (signal) => this.#session_(signal),
    });
    this.#startRetiring();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    clearInterval(this.#retireTimer);
    await this.#retiring;
    await this.#session?.stop({ timeoutInMs: 2000 }).catch(() => undefined);
    await this.#loop;
    await this.#client.close();
  }

  /** Retires gone collectors' monitors now and every `retireEveryInMs` (housekeeping: never keeps the process alive). */
  #startRetiring(): void {
    const gone = this.#ctx.goneCollectors?.bind(this.#ctx);
    if (!gone || this.#retireAfterInMs === 0) return;
    const sweep = (): void => {
      this.#retiring ??= retireGoneMonitors({
        client: this.#client,
        own: this.#opts.collector,
        afterInMs: this.#retireAfterInMs,
        gone,
        logger: this.#ctx.logger,
        signal: this.#abort.signal,
      })
        .then(() => undefined)
        .catch((err: unknown) => {
          if (!this.#abort.signal.aborted) this.#ctx.logger.warn('devicecloud: monitors of gone collectors not retired (tried again later)', { error: err });
        })
        .finally(() => (this.#retiring = undefined));
    };
    sweep();
    this.#retireTimer = setInterval(sweep, this.#opts.retireEveryInMs ?? 3_600_000);
    this.#retireTimer.unref();
  }

  available(): boolean {
    return false;
  }

  execute(): Promise<unknown> {
    return Promise.reject(new Error('Device Cloud devices take no commands'));
  }

  async #monitorId(signal: AbortSignal): Promise<number> {
    for await (const m of this.#client.listMonitors(MonitorFields.monDescription.eq(this.#description), { signal })) {
      if (m.transportType.toLowerCase() === 'tcp') return m.id;
    }
    return this.#client.createTcpMonitor([...MONITOR_TOPICS], {
      format: 'json',
      batchSize: 100,
      batchDurationInSeconds: 1,
      autoReplayOnConnect: true,
      // The server waits for each block's ack, sent once the block is stored: nothing is lost.
      ackOption: 'explicit',
      description: this.#description,
      signal,
    });
  }

  /** One push session, from monitor lookup until it ends (stop, or a failure the loop retries). */
  async #session_(signal: AbortSignal): Promise<void> {
    const id = await this.#monitorId(signal);
    // The monitor replays unacknowledged blocks on connect, so batches buffered from a lost
    // connection are dropped rather than delivered twice.
    const session = this.#client.pushSession(id, { handler: (batch) => this.#handle(batch), replayUnacknowledged: true });
    this.#session = session;
    session.on('connected', () => this.#ctx.tracker.ok());
    session.on('reconnecting', (info: { delayInMs: number; error: unknown }) =>
      this.#ctx.tracker.set(failureState(info.error), `${describeError(info.error)} (reconnecting in ${Math.max(1, Math.round(info.delayInMs / 1000))} s)`),
    );
    session.on('error', (err: unknown) => this.#ctx.logger.warn('devicecloud: push error', { error: err }));
    const onAbort = (): void => void session.stop({ timeoutInMs: 2000 }).catch(() => undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await session.start();
      this.#ctx.tracker.ok();
      await session.done;
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.#session = undefined;
    }
  }

  async #handle(batch: PushBatch): Promise<void> {
    const readings: ReadingInput[] = [];
    for (const event of batch.events) {
      try {
        await this.#event(event, readings);
      } catch (err) {
        this.#ctx.logger.warn('devicecloud: event not stored', { topic: event.topic.slice(0, 200), error: err });
      }
    }
    try {
      await this.#ctx.ingest.readings(readings, { live: true });
    } catch (err) {
      // The database failed as a whole (bad readings alone never throw): the block stays
      // unacknowledged and is delivered again; say so instead of showing 'connected'.
      this.#ctx.tracker.set('degraded', `readings not stored: ${describeError(err)}; the block is not acknowledged and will be delivered again`);
      throw err;
    }
    // Stored: the link and the database work (clears a failure shown by an earlier batch).
    if (this.#ctx.tracker.state !== 'connected') this.#ctx.tracker.ok();
  }

  async #event(event: MonitorEvent, readings: ReadingInput[]): Promise<void> {
    switch (event.type) {
      case 'DataPoint':
        return this.#dataPoint(event.payload, readings);
      case 'DeviceCore':
        return this.#deviceCore(event.payload);
      case 'FileData':
      case 'other':
        return;
    }
  }

  async #dataPoint(p: DataPoint, readings: ReadingInput[]): Promise<void> {
    const { vendorId, metric } = splitStream(p.streamId);
    const value = pointValue(p.data);
    if (value === undefined) return;
    const id = deviceId('devicecloud', vendorId);
    if (!this.#ctx.ingest.owns(id)) return;
    const known = await this.#known(vendorId);
    // The first stream seen is the device's primary metric, until a temperature stream shows up.
    const primary = known.primaryMetric === null || (metric === 'temperature' && known.primaryMetric !== metric) ? metric : known.primaryMetric;
    if (!this.#seen.has(id) || primary !== known.primaryMetric) {
      this.#seen.add(id);
      await this.#update(vendorId, { primaryMetric: primary });
    }
    const ts = Number.isFinite(p.timestamp) ? p.timestamp : p.serverTimestamp;
    readings.push({ deviceId: id, metric, value, unit: p.streamUnits ? p.streamUnits : null, ts });
  }

  async #deviceCore(d: DeviceCore): Promise<void> {
    if (typeof d.devConnectwareId !== 'string' || d.devConnectwareId === '') return;
    const vendorId = d.devConnectwareId.toUpperCase();
    if (!this.#ctx.ingest.owns(deviceId('devicecloud', vendorId))) return;
    const patch: Partial<DeviceInfo> = {
      online: d.dpConnectionStatus === undefined ? true : d.dpConnectionStatus === 1 && d.devTerminated !== true,
    };
    if (typeof d.dpDescription === 'string' && d.dpDescription.trim() !== '') patch.name = d.dpDescription.trim().slice(0, 200);
    if (typeof d.dpDeviceType === 'string' && d.dpDeviceType !== '') patch.model = d.dpDeviceType;
    await this.#update(vendorId, patch);
  }

  /** What is known about a device: this session's view, else storage's, else defaults. */
  async #known(vendorId: string): Promise<DeviceInfo> {
    const id = deviceId('devicecloud', vendorId);
    const cached = this.#infos.get(id);
    if (cached) return cached;
    const stored = await this.#ctx.ingest.stored(id);
    const info = stored
      ? { vendor: stored.vendor, vendorId, name: stored.name, kind: stored.kind, model: stored.model, online: stored.online, primaryMetric: stored.primaryMetric, commands: [] }
      : this.#info(vendorId);
    this.#infos.set(id, info);
    return info;
  }

  async #update(vendorId: string, patch: Partial<DeviceInfo>): Promise<void> {
    const next = { ...(await this.#known(vendorId)), ...patch };
    this.#infos.set(deviceId('devicecloud', vendorId), next);
    await this.#ctx.ingest.device(next);
  }

  #info(vendorId: string): DeviceInfo {
    return {
      vendor: 'devicecloud',
      vendorId,
      name: shortName(vendorId),
      kind: 'gateway',
      model: null,
      online: true,
      primaryMetric: null,
      commands: [],
    };
  }
}
