/**
 * The simulated fleet: seeded units with state, values (the whole VALUE_GUID set and their display
 * names), history that only records changes, files, comments and permissions. Pure data and
 * logic, no HTTP; `simulator.ts` serves it.
 */
import { VALUE_GUID, type ValueGuidName } from '../value-guid.js';
import type { ComapValue, Permission } from '../types.js';
import { Prng, hashString, mixSeed } from './prng.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** How long before a change the previous value was last read (the `validTo` of a closed entry). */
const READ_INTERVAL_MS = 60_000;

/** The controller modes every simulated unit offers (its `modes_available` value). */
export const MODES_AVAILABLE = ['OFF', 'MAN', 'AUT', 'TEST'] as const;

/** The mutable state of a simulated unit; commands change it. */
export interface SimUnitState {
  running: boolean;
  mode: string;
  mcbClosed: boolean;
  gcbClosed: boolean;
  alarms: string[];
  /** Simulator time the unit lost its connection (its values then stop: `comm_state` Lost, timestamps frozen); undefined when online. */
  offlineSince?: number;
  starts: number;
  runHours: number;
  fuelLevel: number;
  /** Values set with `changeSetpoint`, by lower-case GUID. */
  setpoints: Map<string, string | number>;
  /** Last `extValue`, `userButton`, `remoteSwitch` and `setTimer` arguments, by `command:index`. */
  controls: Map<string, unknown>;
}

/** A comment as the simulator stores and serves it. */
export interface SimComment {
  id: number;
  author: string;
  /** ISO timestamp. */
  date: string;
  /** As the API sends it: HTML character references encoded. */
  text: string;
  active: boolean;
}

/** A file of a unit: listed by `files`, served by `download`. */
export interface SimFile {
  fileName: string;
  fileType: string;
  generated: Date;
  content: Buffer;
}

/** A permission entry as the simulator serves it. */
export type SimPermission = Permission;

/** One command a unit accepted, with the JSON body as sent. */
export interface SimCommandRecord {
  /** Simulator clock time (ms). */
  at: number;
  body: Record<string, unknown>;
}

interface Change {
  at: number;
  value: ComapValue;
}

/** A simulated unit: identity, seeded data, state, and what was done to it. */
export interface SimUnit {
  index: number;
  unitGuid: string;
  name: string;
  serial: string;
  controller: string;
  timezone: string;
  latitude: string;
  longitude: string;
  airGateId: string;
  nominalKw: number;
  state: SimUnitState;
  comments: SimComment[];
  files: SimFile[];
  permissions: SimPermission[];
  /** Every command the unit accepted, in order. */
  commands: SimCommandRecord[];
  /** Per-unit seed for history generation. */
  seed: number;
  /** Changes of the history-tracked values after the simulator started, by lower-case GUID. */
  changes: Map<string, Change[]>;
}

interface ValueDef {
  key: ValueGuidName;
  name: string;
  unit: string;
  decimalPlaces: number;
  lowLimit: number;
  highLimit: number;
  read(u: SimUnit, now: number): ComapValue;
  /** Values whose changes are kept in history, with a generator of plausible past values. */
  past?(u: SimUnit, rnd: Prng): ComapValue;
}

const iso = (ms: number) => new Date(ms).toISOString();
const loadKw = (u: SimUnit) => (u.state.running && u.state.gcbClosed ? Math.round(u.nominalKw * 0.62) : 0);
const engineState = (u: SimUnit) => (u.state.running ? (u.state.gcbClosed ? 'Loaded' : 'Running') : u.state.alarms.length > 0 ? 'Not Ready' : 'Ready');
const voltage = (u: SimUnit, phase: number) => (u.state.running ? 230 + ((u.index + phase) % 5) : 0);

function def(key: ValueGuidName, name: string, unit: string, decimalPlaces: number, read: ValueDef['read'], past?: ValueDef['past'], limits: [number, number] = [0, 0]): ValueDef {
  const d: ValueDef = { key, name, unit, decimalPlaces, lowLimit: limits[0], highLimit: limits[1], read };
  if (past) d.past = past;
  return d;
}

/** Every simulated value, in the order the values endpoint lists them. */
export const VALUE_DEFS: readonly ValueDef[] = [
  def('genset_name', 'Gen-set name', '', 0, (u) => u.name),
  def('serial_number', 'Serial number', '', 0, (u) => u.serial),
  def('last_update', 'Last Update', '', 0, (_u, now) => iso(now)),
  def('comm_state', 'Communication State', '', 0, (u) => (u.state.offlineSince === undefined ? 'OK' : 'Lost'), (_u, r) => r.pick(['OK', 'OK', 'Lost'])),
  def('unit_state', 'Unit State', '', 0, (u) => (u.state.alarms.length > 0 ? 'Alarm' : 'OK')),
  def('unit_changed', 'Unit changed', '', 0, (u) => iso(u.commands.at(-1)?.at ?? Date.UTC(2024, 0, 15))),
  def('controller', 'Controller', '', 0, (u) => u.controller),
  def('alarm_list', 'Alarm list', '', 0, (u) => [...u.state.alarms]),
  def('alarm_list_ext', 'Alarm list ext', '', 0, (u) => u.state.alarms.map((a) => ({ text: a, active: true, confirmed: false }))),
  def('mode', 'ControllerMode', '', 0, (u) => u.state.mode, (_u, r) => r.pick(['AUT', 'AUT', 'MAN', 'OFF'])),
  def('nominal_power', 'Nomin power', 'kW', 0, (u) => u.nominalKw),
  def('actual_power', 'Act power', 'kW', 0, loadKw, (u, r) => Math.round(u.nominalKw * r.pick([0, 0, 0.25, 0.5, 0.62, 0.8])), [0, 2000]),
  def('engine_state', 'Engine state', '', 0, engineState, (_u, r) => r.pick(['Ready', 'Running', 'Loaded', 'Loaded', 'Cooling'])),
  def('breaker_state', 'Breaker state', '', 0, (u) => (u.state.gcbClosed ? 'GCB on' : u.state.mcbClosed ? 'MCB on' : 'Brks off')),
  def('Gcb_mode', 'GCB', '', 0, (u) => (u.state.gcbClosed ? 'Closed' : 'Open')),
  def('Mcb_mode', 'MCB', '', 0, (u) => (u.state.mcbClosed ? 'Closed' : 'Open')),
  def('import_kWh', 'kWh (Import)', 'kWh', 0, (u) => 125_000 + u.index * 311 + Math.round(u.state.runHours * 40)),
  def('U_L1', 'Gen V L1-N', 'V', 0, (u) => voltage(u, 1), undefined, [200, 260]),
  def('U_L2', 'Gen V L2-N', 'V', 0, (u) => voltage(u, 2), undefined, [200, 260]),
  def('U_L3', 'Gen V L3-N', 'V', 0, (u) => voltage(u, 3), undefined, [200, 260]),
  def('modes_available', 'Modes available', '', 0, () => [...MODES_AVAILABLE]),
  def('U_battery', 'Ubat', 'V', 1, (u) => (u.state.running ? 27.6 : 24.8), (_u, r) => r.int(235, 285) / 10, [22, 30]),
  def('RPM', 'RPM', 'RPM', 0, (u) => (u.state.running ? 1500 : 0), (_u, r) => r.pick([0, 1500])),
  def('nominal_RPM', 'Nominal RPM', 'RPM', 0, () => 1500),
  def('frequency_gen', 'Gen freq', 'Hz', 1, (u) => (u.state.running ? 50 : 0), undefined, [45, 55]),
  def('base_load', 'Base load', 'kW', 0, (u) => Math.round(u.nominalKw * 0.8)),
  def('P_mains', 'Mains power', 'kW', 0, (u) => (u.state.mcbClosed ? 120 + (u.index % 40) : 0)),
  def('Q_mains', 'Mains Q', 'kVAr', 0, (u) => (u.state.mcbClosed ? 15 + (u.index % 7) : 0)),
  def('Object_P', 'Object P', 'kW', 0, (u) => (u.state.mcbClosed ? 120 + (u.index % 40) : 0) + loadKw(u)),
  def('fuel_level', 'Fuel level', '%', 0, (u) => u.state.fuelLevel, (_u, r) => r.int(20, 100), [10, 100]),
  def('service_time_Sd', 'Service time Sd', 'h', 0, (u) => 500 - (u.index % 500)),
  def('service_time_1', 'Service time 1', 'h', 0, (u) => 250 - (u.index % 250)),
  def('service_time_3', 'Service time 3', 'h', 0, (u) => 1000 - (u.index % 1000)),
  def('run_hours', 'Run hours', 'h', 0, (u) => u.state.runHours),
  def('number_of_starts', 'Num starts', '', 0, (u) => u.state.starts),
  def('service_info', 'Service info', '', 0, (u) => `Next service in ${250 - (u.index % 250)} h`),
];

const DEF_BY_GUID = new Map(VALUE_DEFS.map((d) => [VALUE_GUID[d.key].toLowerCase(), d]));

export function valueDef(guid: string): ValueDef | undefined {
  return DEF_BY_GUID.get(guid.toLowerCase());
}

/** The simulated values that have history (a subset of `VALUE_DEFS`). */
export const HISTORY_DEFS: readonly ValueDef[] = VALUE_DEFS.filter((d) => d.past !== undefined);

const PLACES = ['Westport', 'Brno', 'Lakeside', 'Harbor', 'Northfield', 'Riverside', 'Summit', 'Oakridge', 'Pine Valley', 'Granite Bay'];
const SITES = ['Hospital', 'Data Center', 'Water Plant', 'Mall', 'Airport', 'Factory', 'School', 'Tower'];
const CONTROLLERS = ['InteliGen NT', 'InteliSys NT', 'InteliLite AMF25', 'InteliMains NT'];
const ZONES = ['America/New_York', 'Europe/Prague', 'Europe/London', 'Australia/Sydney'];

function comment(id: number, author: string, at: number, text: string, active: boolean): SimComment {
  return { id, author, date: iso(at), text, active };
}

function historyCsv(u: SimUnit, day: Date, rows: number): Buffer {
  const rnd = new Prng(mixSeed(u.seed, day.getTime() / DAY));
  const lines = ['Date;Time;Reason;RPM;Act power;Ubat'];
  for (let i = 0; i < rows; i++) {
    const t = new Date(day.getTime() + i * 600_000);
    const running = rnd.next() < 0.4;
    lines.push(`${t.toISOString().slice(0, 10)};${t.toISOString().slice(11, 19)};${running ? 'Running' : 'Ready'};${running ? 1500 : 0};${running ? Math.round(u.nominalKw * 0.6) : 0};${(rnd.int(240, 280) / 10).toFixed(1)}`);
  }
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
}

export interface FleetOptions {
  units: number;
  seed: number;
  /** Simulator clock time when the fleet was created (ms). */
  now: number;
  /** The login that owns the units. */
  loginId: string;
  /** Days of history before `now`. */
  historyDays: number;
  /** Rows in each generated history CSV file. */
  fileRows: number;
}

/** The simulated units and their data, seeded; the simulator serves it (`ComapSimulator.fleet`). */
export class Fleet {
  readonly units: SimUnit[] = [];
  private readonly byGuid = new Map<string, SimUnit>();
  readonly startedAt: number;
  readonly historyStart: number;

  constructor(readonly options: FleetOptions) {
    this.startedAt = options.now;
    this.historyStart = Math.floor((options.now - options.historyDays * DAY) / DAY) * DAY;
    const rnd = new Prng(options.seed);
    for (let i = 0; i < options.units; i++) {
      const name = `${PLACES[i % PLACES.length]} ${SITES[Math.floor(i / PLACES.length) % SITES.length]} ${i + 1}`;
      const running = rnd.next() < 0.3;
      const unit: SimUnit = {
        index: i,
        unitGuid: `genset${rnd.hex(32)}`,
        name,
        serial: rnd.hex(8).toUpperCase(),
        controller: rnd.pick(CONTROLLERS),
        timezone: rnd.pick(ZONES),
        latitude: (rnd.int(-60_000_000, 60_000_000) / 1e6).toFixed(5),
        longitude: (rnd.int(-170_000_000, 170_000_000) / 1e6).toFixed(5),
        airGateId: `${rnd.hex(8).toUpperCase()}`,
        nominalKw: rnd.pick([100, 250, 500, 800, 1000, 1500]),
        state: {
          running,
          mode: rnd.next() < 0.8 ? 'AUT' : 'MAN',
          mcbClosed: !running || rnd.next() < 0.5,
          gcbClosed: running,
          alarms: rnd.next() < 0.2 ? ['Wrn Fuel level'] : [],
          starts: rnd.int(10, 4000),
          runHours: rnd.int(100, 30_000),
          fuelLevel: rnd.int(15, 100),
          setpoints: new Map(),
          controls: new Map(),
        },
        comments: [],
        files: [],
        permissions: [
          { loginId: options.loginId, read: true, control: true, modify: true, shutdownNote: true, allAlarmsNote: true },
          { loginId: 'service.partner', read: true, control: false, modify: false, shutdownNote: false, allAlarmsNote: true },
        ],
        commands: [],
        seed: mixSeed(options.seed, i, hashString(name)),
        changes: new Map(),
      };
      const day0 = Math.floor(options.now / DAY) * DAY;
      unit.comments.push(
        comment(1000 + i * 10, 'J. Novak', day0 - 20 * DAY + 9 * HOUR, 'Oil &amp; filter changed &#x28;500 h service&#x29; &#x2F; belts checked', false),
        comment(1001 + i * 10, 'M. O&#x27;Neil', day0 - 2 * DAY + 14 * HOUR, 'Fuel delivery 2&#x2F;3 tank &lt;ok&gt;', true),
      );
      const short = name.split(' ')[0] ?? name;
      for (let d = 1; d <= 3; d++) {
        const day = new Date(day0 - d * DAY);
        const stamp = day.toISOString().slice(0, 10);
        unit.files.push({ fileName: `${stamp}_01-00_${short} .csv`, fileType: 'unitHistory', generated: new Date(day.getTime() + HOUR), content: Buffer.alloc(0) });
      }
      unit.files.push({ fileName: `WSV report #${i + 1} (monthly).txt`, fileType: 'wsvReport', generated: new Date(day0 - 5 * DAY), content: Buffer.alloc(0) });
      for (const f of unit.files) {
        f.content = f.fileType === 'unitHistory' ? historyCsv(unit, new Date(f.generated.getTime() - HOUR), options.fileRows) : Buffer.from(`Report for ${name}\nGenerated ${iso(f.generated.getTime())}\n`, 'utf8');
      }
      this.units.push(unit);
      this.byGuid.set(unit.unitGuid.toLowerCase(), unit);
    }
    this.captureStart();
  }

  /** The unit with this GUID (case-insensitive), or undefined. */
  unit(guid: string): SimUnit | undefined {
    return this.byGuid.get(guid.toLowerCase());
  }

  /** The current value of one value of a unit (setpoints override). */
  read(u: SimUnit, d: ValueDef, now: number): ComapValue {
    const set = u.state.setpoints.get(VALUE_GUID[d.key].toLowerCase());
    return set ?? d.read(u, now);
  }

  /** Call after changing a unit's state: records the changes of history-tracked values. */
  recordChanges(u: SimUnit, now: number): void {
    for (const d of HISTORY_DEFS) {
      const guid = VALUE_GUID[d.key].toLowerCase();
      const list = u.changes.get(guid) ?? [];
      const previous = list.length > 0 ? list[list.length - 1]?.value : this.valueAtStart(u, d);
      const current = this.read(u, d, now);
      if (JSON.stringify(current) !== JSON.stringify(previous)) {
        list.push({ at: now, value: current });
        u.changes.set(guid, list);
      }
    }
  }

  private readonly startValues = new Map<string, ComapValue>();

  /** The value at simulator start (captured the first time it is asked for, before any command). */
  private valueAtStart(u: SimUnit, d: ValueDef): ComapValue {
    const k = `${u.index}:${d.key}`;
    let v = this.startValues.get(k);
    if (v === undefined) {
      v = d.read(u, this.startedAt);
      this.startValues.set(k, v);
    }
    return v;
  }

  /** Captures every start value; called once right after construction. */
  captureStart(): void {
    for (const u of this.units) for (const d of HISTORY_DEFS) this.valueAtStart(u, d);
  }

  /**
   * History of one value: entries that overlap [fromMs, toMs), oldest first. Past entries are
   * generated from the unit's seed (so every query sees the same past); the entry current at the
   * simulator start and later changes (from commands) follow. The open entry's validTo is `now`.
   */
  history(u: SimUnit, d: ValueDef, fromMs: number, toMs: number, now: number): { value: ComapValue; validFrom: number; validTo: number }[] {
    if (!d.past) return [];
    const rnd = new Prng(mixSeed(u.seed, hashString(d.key)));
    const segments: Change[] = [];
    for (let t = this.historyStart; t < this.startedAt; ) {
      let v = d.past(u, rnd);
      for (let tries = 0; tries < 4 && segments.length > 0 && JSON.stringify(v) === JSON.stringify(segments[segments.length - 1]?.value); tries++) v = d.past(u, rnd);
      if (segments.length === 0 || JSON.stringify(v) !== JSON.stringify(segments[segments.length - 1]?.value)) segments.push({ at: t, value: v });
      t += rnd.int(1, 40) * HOUR + rnd.int(0, 59) * 60_000;
    }
    const startValue = this.valueAtStart(u, d);
    if (segments.length === 0 || JSON.stringify(segments[segments.length - 1]?.value) !== JSON.stringify(startValue)) {
      segments.push({ at: this.startedAt, value: startValue });
    }
    segments.push(...(u.changes.get(VALUE_GUID[d.key].toLowerCase()) ?? []));
    const out: { value: ComapValue; validFrom: number; validTo: number }[] = [];
    for (let i = 0; i < segments.length; i++) {
      const s = segments[i] as Change;
      const next = segments[i + 1];
      const validTo = next ? Math.max(s.at, next.at - READ_INTERVAL_MS) : Math.max(s.at, now);
      const endExclusive = next ? next.at : Number.POSITIVE_INFINITY;
      if (s.at >= toMs) break;
      if (endExclusive > fromMs) out.push({ value: s.value, validFrom: s.at, validTo });
    }
    return out;
  }
}
