// Storage behind one interface: devices, readings (and each metric's latest value), commands and a
// small key-value state, on any SqlDriver. All times are epoch milliseconds in bigint columns.
import { bucketSql, type AverageBucket, type Granularity } from '../average.js';
import type { CommandRecord, CommandSpec, Device, DeviceInfo, LastValue, Reading, ReadingInput, ReadingValue, Vendor } from '../model.js';
import { deviceId, toIso } from '../model.js';
import type { SqlDriver } from './driver.js';
import { migrate } from './migrations.js';

interface DeviceRow {
  id: string;
  vendor: Vendor;
  vendor_id: string;
  name: string;
  kind: Device['kind'];
  model: string | null;
  online: boolean;
  primary_metric: string | null;
  commands: CommandSpec[];
}

interface ValueRow {
  device_id: string;
  metric: string;
  ts: number;
  value_type: 'number' | 'string' | 'boolean';
  value_num: number | null;
  value_text: string | null;
  unit: string | null;
}

interface CommandRow {
  id: string;
  device_id: string;
  command: string;
  params: Record<string, unknown>;
  source: CommandRecord['source'];
  status: CommandRecord['status'];
  result: unknown;
  error: string | null;
  requested_at: number;
  completed_at: number | null;
}

export interface ReadingsQuery {
  deviceId: string;
  metric?: string | undefined;
  from: number;
  to: number;
  limit: number;
}

export interface ExportQuery {
  from: number;
  to: number;
  deviceId?: string | undefined;
  metric?: string | undefined;
  pageSize?: number;
}

export interface ExportRow extends Reading {
  vendor: Vendor;
  vendorId: string;
  deviceName: string;
}

export interface DeviceChange {
  device: Device;
  /** False when the stored device already had exactly this information. */
  changed: boolean;
}

function encodeValue(value: ReadingValue): Pick<ValueRow, 'value_type' | 'value_num' | 'value_text'> {
  if (typeof value === 'number') return { value_type: 'number', value_num: value, value_text: null };
  if (typeof value === 'boolean') return { value_type: 'boolean', value_num: value ? 1 : 0, value_text: null };
  return { value_type: 'string', value_num: null, value_text: value };
}

function decodeValue(row: Pick<ValueRow, 'value_type' | 'value_num' | 'value_text'>): ReadingValue {
  switch (row.value_type) {
    case 'number':
      return row.value_num ?? Number.NaN;
    case 'boolean':
      return row.value_num === 1;
    case 'string':
      return row.value_text ?? '';
  }
}

/**
 * The parameters of an `unnest($1 … $7)` insert of readings, column by column, built in one pass
 * (no object per reading: on a 500-reading batch that copying cost more CPU than the rest of the
 * app's preparation).
 */
function valueColumns(rows: readonly ReadingInput[]): unknown[][] {
  const n = rows.length;
  const ids = new Array<string>(n);
  const metrics = new Array<string>(n);
  const times = new Array<number>(n);
  const types = new Array<ValueRow['value_type']>(n);
  const nums = new Array<number | null>(n);
  const texts = new Array<string | null>(n);
  const units = new Array<string | null>(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    const v = encodeValue(r.value);
    ids[i] = r.deviceId;
    metrics[i] = r.metric;
    times[i] = r.ts;
    types[i] = v.value_type;
    nums[i] = v.value_num;
    texts[i] = v.value_text;
    units[i] = r.unit;
  }
  return [ids, metrics, times, types, nums, texts, units];
}

const toStored = (r: ReadingInput): Reading => ({ deviceId: r.deviceId, metric: r.metric, value: r.value, unit: r.unit, ts: toIso(r.ts) });

function toReading(row: ValueRow): Reading {
  return { deviceId: row.device_id, metric: row.metric, value: decodeValue(row), unit: row.unit, ts: toIso(row.ts) };
}

function toCommand(row: CommandRow): CommandRecord {
  return {
    id: row.id,
    deviceId: row.device_id,
    command: row.command,
    params: row.params,
    source: row.source,
    status: row.status,
    result: row.result ?? null,
    error: row.error,
    requestedAt: toIso(row.requested_at),
    completedAt: row.completed_at === null ? null : toIso(row.completed_at),
  };
}

// A device's last_seen is the newest of its latest values (latest only moves forward, so that is
// its newest reading), taken from the latest rows read with the device anyway; writing it with every
// batch cost an UPDATE of each device per batch. The devices.last_seen column stays for fleets of
// older versions that still write it during an upgrade; nothing reads it.
const DEVICE_COLUMNS = 'id, vendor, vendor_id, name, kind, model, online, primary_metric, commands';
const VALUE_COLUMNS = 'device_id, metric, ts, value_type, value_num, value_text, unit';

export class FleetStore {
  readonly db: SqlDriver;
  readonly #now: () => number;

  private constructor(db: SqlDriver, now: () => number) {
    this.db = db;
    this.#now = now;
  }

  /** Opens storage on a driver and brings its schema up to date. */
  static async open(db: SqlDriver, now: () => number = Date.now): Promise<FleetStore> {
    await migrate(db, undefined, now());
    return new FleetStore(db, now);
  }

  get kind(): SqlDriver['kind'] {
    return this.db.kind;
  }

  close(): Promise<void> {
    return this.db.close();
  }

  /** Creates or updates a device from what its connector knows; `changed` tells whether anything moved. */
  async upsertDevice(info: DeviceInfo): Promise<DeviceChange> {
    const id = deviceId(info.vendor, info.vendorId);
    const now = this.#now();
    const rows = await this.db.query<DeviceRow & { changed: boolean }>(
      `INSERT INTO devices AS d (id, vendor, vendor_id, name, kind, model, online, primary_metric, commands, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $10)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, model = EXCLUDED.model,
         online = EXCLUDED.online, primary_metric = EXCLUDED.primary_metric, commands = EXCLUDED.commands,
         updated_at = EXCLUDED.updated_at
       WHERE (d.name, d.kind, d.model, d.online, d.primary_metric, d.commands)
         IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.kind, EXCLUDED.model, EXCLUDED.online, EXCLUDED.primary_metric, EXCLUDED.commands)
       RETURNING id`,
      [id, info.vendor, info.vendorId, info.name, info.kind, info.model, info.online, info.primaryMetric, JSON.stringify(info.commands), now],
    );
    const device = await this.getDevice(id);
    if (!device) throw new Error(`device ${id} vanished while being stored`);
    return { device, changed: rows.length > 0 };
  }

  /** Sets a device's online flag; true when it changed. */
  async setOnline(id: string, online: boolean): Promise<boolean> {
    const rows = await this.db.query('UPDATE devices SET online = $2, updated_at = $3 WHERE id = $1 AND online <> $2 RETURNING id', [
      id,
      online,
      this.#now(),
    ]);
    return rows.length > 0;
  }

  async getDevice(id: string): Promise<Device | undefined> {
    const rows = await this.db.query<DeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE id = $1`, [id]);
    const row = rows[0];
    if (!row) return undefined;
    const latest = await this.db.query<ValueRow>(`SELECT ${VALUE_COLUMNS} FROM latest WHERE device_id = $1`, [id]);
    return this.#toDevice(row, latest);
  }

  async listDevices(filter: { vendor?: Vendor | undefined; kind?: string | undefined } = {}): Promise<Device[]> {
    const rows = await this.db.query<DeviceRow>(
      `SELECT ${DEVICE_COLUMNS} FROM devices WHERE ($1::text IS NULL OR vendor = $1) AND ($2::text IS NULL OR kind = $2)
       ORDER BY vendor, name, id`,
      [filter.vendor ?? null, filter.kind ?? null],
    );
    if (rows.length === 0) return [];
    const latest = await this.db.query<ValueRow>(`SELECT ${VALUE_COLUMNS} FROM latest WHERE device_id = ANY($1::text[])`, [
      rows.map((r) => r.id),
    ]);
    const byDevice = new Map<string, ValueRow[]>();
    for (const r of latest) byDevice.set(r.device_id, [...(byDevice.get(r.device_id) ?? []), r]);
    return rows.map((row) => this.#toDevice(row, byDevice.get(row.id) ?? []));
  }

  #toDevice(row: DeviceRow, latest: ValueRow[]): Device {
    const lastValues: Record<string, LastValue> = {};
    let lastSeen: number | null = null;
    for (const v of [...latest].sort((a, b) => a.metric.localeCompare(b.metric))) {
      lastValues[v.metric] = { value: decodeValue(v), unit: v.unit, ts: toIso(v.ts) };
      if (lastSeen === null || v.ts > lastSeen) lastSeen = v.ts;
    }
    return {
      id: row.id,
      vendor: row.vendor,
      vendorId: row.vendor_id,
      name: row.name,
      kind: row.kind,
      model: row.model,
      online: row.online,
      primaryMetric: row.primary_metric,
      commands: row.commands,
      lastSeen: lastSeen === null ? null : toIso(lastSeen),
      lastValues,
      sepl: { registered: false },
    };
  }

  /**
   * Stores readings; a reading already stored (same device, metric and time) is skipped, so
   * backfills and re-polls are idempotent. Returns the readings that were new, in input order.
   */
  async insertReadings(readings: readonly ReadingInput[]): Promise<Reading[]> {
    if (readings.length === 0) return [];
    // One statement, so one round trip and atomic without a transaction: the new readings, and the
    // newest of them per (device, metric) into latest unless a newer one is there. Known pairs are
    // updated by a join (cheaper than an upsert, which locks each conflicting row before updating
    // it); only pairs not in latest yet go through the upsert, which also settles a race with
    // another collector inserting the same pair.
    const inserted = await this.db.query<Pick<ValueRow, 'device_id' | 'metric' | 'ts'>>(
      `WITH ins AS (
         INSERT INTO readings (device_id, metric, ts, value_type, value_num, value_text, unit)
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::float8[], $6::text[], $7::text[])
         ON CONFLICT DO NOTHING
         RETURNING device_id, metric, ts, value_type, value_num, value_text, unit
       ), n AS (
         SELECT DISTINCT ON (device_id, metric) * FROM ins ORDER BY device_id, metric, ts DESC
       ), moved AS (
         UPDATE latest l SET ts = n.ts, value_type = n.value_type, value_num = n.value_num, value_text = n.value_text, unit = n.unit
         FROM n WHERE l.device_id = n.device_id AND l.metric = n.metric AND n.ts >= l.ts
       ), added AS (
         INSERT INTO latest AS l (device_id, metric, ts, value_type, value_num, value_text, unit)
         SELECT * FROM n WHERE NOT EXISTS (SELECT 1 FROM latest x WHERE x.device_id = n.device_id AND x.metric = n.metric)
         ON CONFLICT (device_id, metric) DO UPDATE SET ts = EXCLUDED.ts, value_type = EXCLUDED.value_type,
           value_num = EXCLUDED.value_num, value_text = EXCLUDED.value_text, unit = EXCLUDED.unit
         WHERE EXCLUDED.ts >= l.ts
       )
       SELECT device_id, metric, ts FROM ins`,
      valueColumns(readings),
    );
    // Every reading new (the usual case): no matching needed.
    if (inserted.length === readings.length) return readings.map(toStored);
    const isNew = new Set(inserted.map((r) => `${r.device_id}\u0000${r.metric}\u0000${r.ts}`));
    return readings.filter((r) => isNew.delete(`${r.deviceId}\u0000${r.metric}\u0000${r.ts}`)).map(toStored);
  }

  /** Readings of one device in [from, to], ascending; one more than `limit` tells truncation. */
  async queryReadings(q: ReadingsQuery): Promise<{ readings: Reading[]; truncated: boolean }> {
    const rows = await this.db.query<ValueRow>(
      `SELECT ${VALUE_COLUMNS} FROM readings WHERE device_id = $1 AND ($2::text IS NULL OR metric = $2) AND ts BETWEEN $3 AND $4
       ORDER BY ts, metric LIMIT $5`,
      [q.deviceId, q.metric ?? null, q.from, q.to, q.limit + 1],
    );
    const truncated = rows.length > q.limit;
    return { readings: rows.slice(0, q.limit).map(toReading), truncated };
  }

  /** Druid-style average of the numeric readings of one metric over [from, to]. */
  async average(q: { deviceId: string; metric: string; granularity: Granularity; from: number; to: number }): Promise<AverageBucket[]> {
    const bucket = q.granularity === 'all' ? 'min(ts)' : bucketSql(q.granularity);
    const group = q.granularity === 'all' ? '' : 'GROUP BY 1 ORDER BY 1';
    const rows = await this.db.query<{ t: number; result: number; n: number }>(
      `SELECT ${bucket} AS t, avg(value_num)::float8 AS result, count(*)::int AS n FROM readings
       WHERE device_id = $1 AND metric = $2 AND value_type IN ('number', 'boolean') AND ts BETWEEN $3 AND $4 ${group}`,
      [q.deviceId, q.metric, q.from, q.to],
    );
    return rows.filter((r) => r.n > 0).map((r) => ({ time_stamp: toIso(Number(r.t)), result: r.result, data_points: r.n }));
  }

  /** Every matching reading with its device, ascending, read page by page (keyset) to bound memory. */
  async *exportReadings(q: ExportQuery): AsyncGenerator<ExportRow> {
    const pageSize = q.pageSize ?? 5000;
    let after: [number, string, string] = [q.from - 1, '', ''];
    for (;;) {
      const rows = await this.db.query<ValueRow & { vendor: Vendor; vendor_id: string; name: string }>(
        `SELECT r.device_id, r.metric, r.ts, r.value_type, r.value_num, r.value_text, r.unit, d.vendor, d.vendor_id, d.name
         FROM readings r JOIN devices d ON d.id = r.device_id
         WHERE r.ts <= $1 AND (r.ts, r.device_id, r.metric) > ($2::bigint, $3::text, $4::text)
           AND ($5::text IS NULL OR r.device_id = $5) AND ($6::text IS NULL OR r.metric = $6)
         ORDER BY r.ts, r.device_id, r.metric LIMIT $7`,
        [q.to, after[0], after[1], after[2], q.deviceId ?? null, q.metric ?? null, pageSize],
      );
      for (const row of rows) yield { ...toReading(row), vendor: row.vendor, vendorId: row.vendor_id, deviceName: row.name };
      const last = rows.at(-1);
      if (!last || rows.length < pageSize) return;
      after = [last.ts, last.device_id, last.metric];
    }
  }

  async saveCommand(c: CommandRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO commands (id, device_id, command, params, source, status, result, error, requested_at, completed_at)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7::jsonb, $8, $9, $10)
       ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, result = EXCLUDED.result, error = EXCLUDED.error,
         completed_at = EXCLUDED.completed_at`,
      [
        c.id,
        c.deviceId,
        c.command,
        JSON.stringify(c.params),
        c.source,
        c.status,
        c.result === undefined || c.result === null ? null : JSON.stringify(c.result),
        c.error,
        Date.parse(c.requestedAt),
        c.completedAt === null ? null : Date.parse(c.completedAt),
      ],
    );
  }

  async listCommands(q: { limit: number; source?: CommandRecord['source'] }): Promise<CommandRecord[]> {
    const rows = await this.db.query<CommandRow>(
      `SELECT id, device_id, command, params, source, status, result, error, requested_at, completed_at FROM commands
       WHERE ($2::text IS NULL OR source = $2) ORDER BY requested_at DESC, id LIMIT $1`,
      [q.limit, q.source ?? null],
    );
    return rows.map(toCommand);
  }

  async getState<T>(key: string): Promise<T | undefined> {
    const rows = await this.db.query<{ value: T }>('SELECT value FROM state WHERE key = $1', [key]);
    return rows[0]?.value;
  }

  async setState(key: string, value: unknown): Promise<void> {
    await this.db.query(
      `INSERT INTO state (key, value, updated_at) VALUES ($1, $2::jsonb, $3)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at`,
      [key, JSON.stringify(value), this.#now()],
    );
  }
}
