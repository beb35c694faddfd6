// ComAp WebSupervisor: units become gensets; their values are polled (a reading is stored when it
// changed, and at least every few minutes), history is backfilled on request, and genset commands
// are sent through the client (never retried).
import { ComapClient, VALUE_GUID, type ComapCommand, type Unit, type UnitValue } from '@x/comap';
import type { ComapConfig } from '../config.js';
import type { CommandSpec, DeviceInfo, ReadingInput, ReadingValue } from '../model.js';
import { deviceId } from '../model.js';
import type { BackfillProgress, ConnectorContext, VendorConnector } from './connector.js';
import { runLoop } from './loop.js';
import { LoopWake } from './loop-wake.js';

/** Values that describe the unit rather than measure it (not stored as readings). */
const META_GUIDS = new Set(
  [VALUE_GUID.genset_name, VALUE_GUID.serial_number, VALUE_GUID.last_update, VALUE_GUID.modes_available, VALUE_GUID.unit_changed].map((g) =>
    g.toLowerCase(),
  ),
);
const PRIMARY_GUIDS = [VALUE_GUID.actual_power, VALUE_GUID.RPM].map((g) => g.toLowerCase());
const DEFAULT_MODES = ['OFF', 'MAN', 'AUT'];
/** Unchanged values are stored again after this long, so charts keep points. */
const REFRESH_UNCHANGED_MS = 5 * 60_000;
const REDISCOVER_MS = 10 * 60_000;

function readingValue(v: UnitValue['value']): ReadingValue | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string') {
    const trimmed = v.trim();
    return trimmed !== '' && /^-?\d+(?:\.\d+)?$/.test(trimmed) ? Number(trimmed) : v;
  }
  return undefined;
}

export function comapCommands(modes: readonly string[]): CommandSpec[] {
  const simple = (name: string, label: string): CommandSpec => ({ name, label, dangerous: true, params: [] });
  return [
    simple('start', 'Start engine'),
    simple('stop', 'Stop engine'),
    simple('faultReset', 'Fault reset'),
    simple('changeMcb', 'Toggle mains breaker (MCB)'),
    simple('changeGcb', 'Toggle genset breaker (GCB)'),
    { name: 'changeMode', label: 'Change mode', dangerous: true, params: [{ name: 'mode', type: 'enum', values: [...modes], required: true }] },
  ];
}

export interface ComapConnectorOptions {
  /** Extra client options (the demo turns the rate limit off and shortens retries). */
  client?: Partial<ConstructorParameters<typeof ComapClient>[0]>;
  retry?: { initialDelayInMs?: number; maxDelayInMs?: number };
}

export class ComapConnector implements VendorConnector {
  readonly vendor = 'comap' as const;
  readonly #config: ComapConfig;
  readonly #ctx: ConnectorContext;
  readonly #client: ComapClient;
  readonly #opts: ComapConnectorOptions;
  readonly #abort = new AbortController();
  #units: Unit[] | undefined;
  #discoveredAt = 0;
  /** What was stored last, by device and metric (a value is stored again when changed, or after a while). */
  readonly #last = new Map<string, Map<string, { value: ReadingValue; storedAt: number }>>();
  #loop: Promise<void> | undefined;
  readonly #wake = new LoopWake();

  constructor(config: ComapConfig, ctx: ConnectorContext, options: ComapConnectorOptions = {}) {
    this.#config = config;
    this.#ctx = ctx;
    this.#opts = options;
    this.#client = new ComapClient({
      key: config.key,
      clientId: config.clientId,
      secret: config.secret,
      loginId: config.loginId,
      ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}),
      logger: ctx.logger,
      ...options.client,
    });
  }

  start(): Promise<void> {
    this.#ctx.setMode('polling');
    this.#loop = runLoop({
      name: 'comap',
      tracker: this.#ctx.tracker,
      logger: this.#ctx.logger,
      signal: this.#abort.signal,
      intervalInMs: this.#config.pollIntervalInMs,
      retry: this.#opts.retry,
      step: (signal) => this.#poll(signal),
      wake: this.#wake,
    });
    return Promise.resolve();
  }

  /** Gained devices: polls now (them first, see #poll). */
  refresh(): void {
    this.#wake.wake();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
    await this.#client.close();
  }

  available(): boolean {
    return this.#ctx.tracker.state === 'connected';
  }

  async #discover(signal: AbortSignal): Promise<Unit[]> {
    if (this.#units && this.#ctx.now() - this.#discoveredAt < REDISCOVER_MS) return this.#units;
    const all = await this.#client.units({ signal });
    const wanted = this.#config.units;
    this.#units = wanted ? all.filter((u) => wanted.includes(u.unitGuid)) : all;
    this.#discoveredAt = this.#ctx.now();
    return this.#units;
  }

  /**
   * One request per owned unit. Units this collector does not know (new, or gained since it lost
   * them: Ingest forgets lost devices at once) go first, also when gained during this poll: at one
   * request per second, a collector that takes over a dead one's units would otherwise reach them
   * only after all of its own. What it stored of such a unit before is no guide (another
   * collector may have stored other values meanwhile, even ones that since changed back), so all
   * their values are stored.
   */
  async #poll(signal: AbortSignal): Promise<void> {
    const pending = new Map((await this.#discover(signal)).map((u) => [deviceId('comap', u.unitGuid), u]));
    const known = (): ReadonlySet<string> => this.#ctx.ingest.known('comap');
    while (pending.size > 0) {
      const owned = [...pending.keys()].filter((id) => this.#ctx.ingest.owns(id));
      const id = owned.find((i) => !known().has(i)) ?? owned[0];
      if (id === undefined) return;
      const unit = pending.get(id)!;
      pending.delete(id);
      if (!known().has(id)) this.#last.delete(id);
      const values = await this.#client.values(unit.unitGuid, undefined, { signal });
      await this.#ctx.ingest.device(this.#deviceInfo(unit, values));
      await this.#ctx.ingest.readings(this.#readings(id, values), { live: true });
    }
  }

  #deviceInfo(unit: Unit, values: UnitValue[]): DeviceInfo {
    const byGuid = new Map(values.map((v) => [v.valueGuid.toLowerCase(), v]));
    const modes = byGuid.get(VALUE_GUID.modes_available.toLowerCase())?.value;
    const comm = byGuid.get(VALUE_GUID.comm_state.toLowerCase())?.value;
    const controller = byGuid.get(VALUE_GUID.controller.toLowerCase())?.value;
    const primary = PRIMARY_GUIDS.map((g) => byGuid.get(g)).find((v) => v !== undefined);
    return {
      vendor: 'comap',
      vendorId: unit.unitGuid,
      name: unit.name,
      kind: 'genset',
      model: typeof controller === 'string' && controller !== '' ? controller : null,
      online: comm === undefined || comm === 'OK',
      primaryMetric: primary?.name ?? null,
      commands: comapCommands(Array.isArray(modes) && modes.every((m) => typeof m === 'string') && modes.length > 0 ? (modes) : DEFAULT_MODES),
    };
  }

  #readings(id: string, values: UnitValue[]): ReadingInput[] {
    const now = this.#ctx.now();
    const out: ReadingInput[] = [];
    const stored = this.#last.get(id) ?? new Map<string, { value: ReadingValue; storedAt: number }>();
    this.#last.set(id, stored);
    for (const v of values) {
      if (META_GUIDS.has(v.valueGuid.toLowerCase())) continue;
      const value = readingValue(v.value);
      if (value === undefined) continue;
      const last = stored.get(v.name);
      if (last && last.value === value && now - last.storedAt < REFRESH_UNCHANGED_MS) continue;
      stored.set(v.name, { value, storedAt: now });
      out.push({ deviceId: id, metric: v.name, value, unit: v.unit === '' ? null : v.unit, ts: v.timeStamp.getTime() });
    }
    return out;
  }

  async execute(device: { vendorId: string }, command: string, params: Record<string, unknown>, signal: AbortSignal): Promise<unknown> {
    const result = await this.#client.command(device.vendorId, { command, ...params } as ComapCommand, { signal });
    this.#units = undefined; // a renamed unit shows at the next poll
    return result.body ?? null;
  }

  /** History of every unit of this shard, as readings (one per change, at the time it began). */
  async backfill(range: { from: number; to: number }, onProgress: (p: BackfillProgress) => void, signal: AbortSignal): Promise<number> {
    const units = (await this.#discover(signal)).filter((u) => this.#ctx.ingest.owns(deviceId('comap', u.unitGuid)));
    let stored = 0;
    let done = 0;
    const total = units.length;
    onProgress({ done, total, readings: stored, label: '' });
    for (const unit of units) {
      const id = deviceId('comap', unit.unitGuid);
      const values = await this.#client.values(unit.unitGuid, undefined, { signal });
      await this.#ctx.ingest.device(this.#deviceInfo(unit, values));
      let batch: ReadingInput[] = [];
      const flush = async (): Promise<void> => {
        stored += await this.#ctx.ingest.readings(batch, { live: false });
        batch = [];
      };
      for await (const entry of this.#client.historyEntries(unit.unitGuid, {
        from: new Date(range.from),
        to: new Date(range.to),
        signal,
        onProgress: (p) => onProgress({ done: done + p.window / p.windows, total, readings: stored, label: `${unit.name} ${p.from}-${p.to}` }),
      })) {
        if (META_GUIDS.has(entry.valueGuid.toLowerCase())) continue;
        const value = readingValue(entry.value);
        const ts = (entry.validFrom ?? entry.validTo).getTime();
        if (value === undefined || ts < range.from || ts > range.to) continue;
        batch.push({ deviceId: id, metric: entry.name, value, unit: entry.unit ? entry.unit : null, ts });
        if (batch.length >= 1000) await flush();
      }
      await flush();
      done += 1;
      onProgress({ done, total, readings: stored, label: unit.name });
    }
    return stored;
  }
}
