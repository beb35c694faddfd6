import { UNKNOWN_LABEL, type ModelInfo, type MonitorData } from './model.js';

/** Name used for labels a status view does not know (wideq's `UNKNOWN`). */
export const UNKNOWN = 'UNKNOWN';

type LabelTable = Readonly<Record<string, string>>;

function named(table: LabelTable, label: string, onUnknown?: (label: string) => void): string {
  const name = Object.hasOwn(table, label) ? table[label] : undefined;
  if (name === undefined) {
    onUnknown?.(label);
    return UNKNOWN;
  }
  return name;
}

/** Turns a label such as `@AC_MAIN_WIND_STRENGTH_LOW_W` into `LOW` by stripping a known prefix and `_W`. */
function stripLabel(label: string, prefix: string): string {
  if (label === '-' || label === '@OFF') return 'OFF';
  let s = label.startsWith(prefix) ? label.slice(prefix.length) : label.replace(/^@/, '');
  if (s.endsWith('_W')) s = s.slice(0, -2);
  return s;
}

const WASHER_STATES: LabelTable = {
  '@WM_STATE_ADD_DRAIN_W': 'ADD_DRAIN',
  '@WM_STATE_COMPLETE_W': 'COMPLETE',
  '@WM_STATE_DETECTING_W': 'DETECTING',
  '@WM_STATE_DETERGENT_AMOUNT_W': 'DETERGENT_AMOUNT',
  '@WM_STATE_DRYING_W': 'DRYING',
  '@WM_STATE_END_W': 'END',
  '@WM_STATE_ERROR_AUTO_OFF_W': 'ERROR_AUTO_OFF',
  '@WM_STATE_FRESHCARE_W': 'FRESH_CARE',
  '@WM_STATE_FROZEN_PREVENT_INITIAL_W': 'FROZEN_PREVENT_INITIAL',
  '@WM_STATE_FROZEN_PREVENT_PAUSE_W': 'FROZEN_PREVENT_PAUSE',
  '@WM_STATE_FROZEN_PREVENT_RUNNING_W': 'FROZEN_PREVENT_RUNNING',
  '@WM_STATE_INITIAL_W': 'INITIAL',
  '@WM_STATE_POWER_OFF_W': 'OFF',
  '@WM_STATE_PAUSE_W': 'PAUSE',
  '@WM_STATE_PREWASH_W': 'PRE_WASH',
  '@WM_STATE_RESERVE_W': 'RESERVE',
  '@WM_STATE_RINSING_W': 'RINSING',
  '@WM_STATE_RINSE_HOLD_W': 'RINSE_HOLD',
  '@WM_STATE_RUNNING_W': 'RUNNING',
  '@WM_STATE_SMART_DIAG_W': 'SMART_DIAGNOSIS',
  '@WM_STATE_SMART_DIAGDATA_W': 'SMART_DIAGNOSIS_DATA',
  '@WM_STATE_SPINNING_W': 'SPINNING',
  '@WM_STATE_TUBCLEAN_COUNT_ALRAM_W': 'TUBCLEAN_COUNT_ALARM',
};

const DRYER_STATES: LabelTable = {
  '@WM_STATE_COOLING_W': 'COOLING',
  '@WM_STATE_END_W': 'END',
  '@WM_STATE_ERROR_W': 'ERROR',
  '@WM_STATE_DRYING_W': 'DRYING',
  '@WM_STATE_INITIAL_W': 'INITIAL',
  '@WM_STATE_POWER_OFF_W': 'OFF',
  '@WM_STATE_PAUSE_W': 'PAUSE',
  '@WM_STATE_RUNNING_W': 'RUNNING',
  '@WM_STATE_SMART_DIAGNOSIS_W': 'SMART_DIAGNOSIS',
  '@WM_STATE_WRINKLECARE_W': 'WRINKLE_CARE',
};

const DISHWASHER_STATES: LabelTable = {
  '@DW_STATE_INITIAL_W': 'INITIAL',
  '@DW_STATE_RUNNING_W': 'RUNNING',
  '@DW_STATE_PAUSE_W': 'PAUSED',
  '@DW_STATE_POWER_OFF_W': 'OFF',
  '@DW_STATE_COMPLETE_W': 'COMPLETE',
  '@DW_STATE_POWER_FAIL_W': 'POWER_FAIL',
};

const DISHWASHER_PROCESSES: LabelTable = {
  '@DW_STATE_RESERVE_W': 'RESERVE',
  '@DW_STATE_RUNNING_W': 'RUNNING',
  '@DW_STATE_RINSING_W': 'RINSING',
  '@DW_STATE_DRYING_W': 'DRYING',
  '@DW_STATE_COMPLETE_W': 'COMPLETE',
  '@DW_STATE_NIGHTDRY_W': 'NIGHT_DRY',
  '@DW_STATE_CANCEL_W': 'CANCELLED',
};

/** Course names misspelt in LG's dishwasher models, corrected as wideq does. */
const DISHWASHER_COURSE_TYPOS: LabelTable = { Haeavy: 'Heavy' };

const TIME_DRY: LabelTable = { '-': 'OFF', '20': 'TWENTY', '30': 'THIRTY', '40': 'FOURTY', '50': 'FIFTY', '60': 'SIXTY' };

/** Options of the status views. */
export interface StatusViewOptions {
  /** Called for enum labels the view does not know (the field then reads `UNKNOWN`). */
  onWarning?: (message: string) => void;
}

/** Reads typed fields out of decoded monitor data with the model's look-ups. */
class StatusReader {
  constructor(
    readonly model: ModelInfo,
    readonly data: MonitorData,
    readonly options: StatusViewOptions,
  ) {}

  raw(key: string): unknown {
    return this.data[key];
  }

  int(key: string): number | null {
    const v = this.data[key];
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    return Number.isFinite(n) ? Math.trunc(n) : null;
  }

  minutes(hoursKey: string, minutesKey: string): number | null {
    const h = this.int(hoursKey);
    const m = this.int(minutesKey);
    return h === null || m === null ? null : h * 60 + m;
  }

  /** Enum label of `key`, or null when the frame does not carry it. */
  label(key: string): string | null {
    if (this.data[key] === undefined || !this.model.hasValue(key)) return null;
    return this.model.enumName(key, this.data[key]);
  }

  state(key: string, table: LabelTable): string | null {
    const label = this.label(key);
    if (label === null) return null;
    return named(table, label, (l) => this.options.onWarning?.(`unknown ${key} label ${l}`));
  }

  /** wideq `lookup_reference`: the reference `_comment`, `"Off"` when the code is not in the table. */
  reference(key: string): string | null {
    if (this.data[key] === undefined || !this.model.hasValue(key)) return null;
    return this.model.referenceName(key, this.data[key]) ?? 'Off';
  }

  /** A label stripped to a name (`@WM_DRY27_TEMP_LOW_W` → `LOW`), `UNKNOWN` for unknown codes. */
  stripped(key: string, prefix: string): string | null {
    const l = this.label(key);
    return l === null ? null : l === UNKNOWN_LABEL ? UNKNOWN : stripLabel(l, prefix);
  }

  /** The numeric label of an enum (refrigerator temperatures). */
  numericLabel(key: string): number | null {
    const l = this.label(key);
    const n = l === null ? NaN : Number(l);
    return Number.isFinite(n) ? n : null;
  }

  /** Whether the label of `key` is `expected`, null when the frame does not carry it. */
  is(key: string, expected: string): boolean | null {
    const l = this.label(key);
    return l === null ? null : l === expected;
  }
}

/** Washer (201) status, as wideq's `WasherStatus`. */
export interface WasherStatus {
  state: string | null;
  previousState: string | null;
  isOn: boolean;
  remainingTimeInMinutes: number | null;
  initialTimeInMinutes: number | null;
  course: string | null;
  smartCourse: string | null;
  error: string | null;
}

/** Dryer (202) status, as wideq's `DryerStatus`. */
export interface DryerStatus extends WasherStatus {
  dryLevel: string | null;
  temperatureControl: string | null;
  timeDry: string | null;
}

/** Dishwasher (204) status, as wideq's `DishWasherStatus`. */
export interface DishwasherStatus {
  state: string | null;
  process: string | null;
  isOn: boolean;
  remainingTimeInMinutes: number | null;
  initialTimeInMinutes: number | null;
  reserveTimeInMinutes: number | null;
  course: string | null;
  smartCourse: string | null;
  error: string | null;
}

/** Decodes a washer monitor frame's data into wideq's washer status fields. */
export function washerStatus(model: ModelInfo, data: MonitorData, options: StatusViewOptions = {}): WasherStatus {
  const r = new StatusReader(model, data, options);
  const state = r.state('State', WASHER_STATES);
  return {
    state,
    previousState: r.state('PreState', WASHER_STATES),
    isOn: state !== null && state !== 'OFF',
    remainingTimeInMinutes: r.minutes('Remain_Time_H', 'Remain_Time_M'),
    initialTimeInMinutes: r.minutes('Initial_Time_H', 'Initial_Time_M'),
    course: r.reference('APCourse') ?? r.reference('Course'),
    smartCourse: r.reference('SmartCourse'),
    error: r.reference('Error'),
  };
}

/** Decodes a dryer monitor frame's data into wideq's dryer status fields. */
export function dryerStatus(model: ModelInfo, data: MonitorData, options: StatusViewOptions = {}): DryerStatus {
  const r = new StatusReader(model, data, options);
  const state = r.state('State', DRYER_STATES);
  const time = r.label('TimeDry');
  return {
    state,
    previousState: r.state('PreState', DRYER_STATES),
    isOn: state !== null && state !== 'OFF',
    remainingTimeInMinutes: r.minutes('Remain_Time_H', 'Remain_Time_M'),
    initialTimeInMinutes: r.minutes('Initial_Time_H', 'Initial_Time_M'),
    course: r.reference('Course'),
    smartCourse: r.reference('SmartCourse'),
    error: r.reference('Error'),
    dryLevel: r.stripped('DryLevel', '@WM_DRY27_DRY_LEVEL_'),
    temperatureControl: r.stripped('TempControl', '@WM_DRY27_TEMP_'),
    timeDry: time === null ? null : named(TIME_DRY, time),
  };
}


/** Decodes a dishwasher monitor frame's data into wideq's dishwasher status fields. */
export function dishwasherStatus(model: ModelInfo, data: MonitorData, options: StatusViewOptions = {}): DishwasherStatus {
  const r = new StatusReader(model, data, options);
  const state = r.state('State', DISHWASHER_STATES);
  const processLabel = r.label('Process');
  const course = r.reference('Course');
  return {
    state,
    process: processLabel === null || processLabel === '-' ? null : named(DISHWASHER_PROCESSES, processLabel),
    isOn: state !== null && state !== 'OFF',
    remainingTimeInMinutes: r.minutes('Remain_Time_H', 'Remain_Time_M'),
    initialTimeInMinutes: r.minutes('Initial_Time_H', 'Initial_Time_M'),
    reserveTimeInMinutes: r.minutes('Reserve_Time_H', 'Reserve_Time_M'),
    course: course === null ? null : (DISHWASHER_COURSE_TYPOS[course] ?? course),
    smartCourse: r.reference('SmartCourse'),
    error: r.reference('Error'),
  };
}

const ICE_PLUS: LabelTable = {
  '@CP_OFF_EN_W': 'OFF',
  '@CP_ON_EN_W': 'ON',
  '@RE_TERM_ICE_PLUS_W': 'ICE_PLUS',
  '@RE_MAIN_SPEED_FREEZE_TERM_W': 'ICE_PLUS_FREEZE',
  '@CP_TERM_OFF_KO_W': 'ICE_PLUS_OFF',
};
const FRESH_AIR_FILTER: LabelTable = {
  '@CP_TERM_OFF_KO_W': 'OFF',
  '@RE_STATE_FRESH_AIR_FILTER_MODE_AUTO_W': 'AUTO',
  '@RE_STATE_FRESH_AIR_FILTER_MODE_POWER_W': 'POWER',
  '@RE_STATE_REPLACE_FILTER_W': 'REPLACE_FILTER',
  '@RE_STATE_SMART_SMART_CARE_ON': 'SMARTCARE_ON',
  '@RE_STATE_SMART_SMART_CARE_OFF': 'SMARTCARE_OFF',
  '@RE_STATE_SMART_SMART_CARE_WAIT': 'SMARTCARE_WAIT',
  '': 'EMPTY',
};
const SMART_SAVING: LabelTable = {
  '@CP_TERM_USE_NOT_W': 'OFF',
  '@RE_SMARTSAVING_MODE_NIGHT_W': 'NIGHT',
  '@RE_SMARTSAVING_MODE_CUSTOM_W': 'CUSTOM',
  '@CP_OFF_EN_W': 'SMART_GRID_OFF',
  '@CP_ON_EN_W': 'SMART_GRID_DEMAND_RESPONSE',
  '': 'EMPTY',
};

/** Refrigerator (101/102) status, as wideq's `RefrigeratorStatus`. */
export interface RefrigeratorStatus {
  tempRefrigeratorC: number | null;
  tempFreezerC: number | null;
  icePlus: string | null;
  freshAirFilter: string | null;
  energySavingMode: string | null;
  doorOpened: boolean | null;
  tempUnit: string | null;
  energySavingEnabled: boolean | null;
  locked: boolean | null;
  activeSavingStatus: string | null;
  ecoEnabled: boolean | null;
  waterFilterUsedMonths: number | null;
}

/** Decodes a refrigerator monitor frame's data into wideq's refrigerator status fields. */
export function refrigeratorStatus(model: ModelInfo, data: MonitorData, options: StatusViewOptions = {}): RefrigeratorStatus {
  const r = new StatusReader(model, data, options);
  const saving = r.raw('ActiveSavingStatus');
  return {
    tempRefrigeratorC: r.numericLabel('TempRefrigerator'),
    tempFreezerC: r.numericLabel('TempFreezer'),
    icePlus: r.state('IcePlus', ICE_PLUS),
    freshAirFilter: r.state('FreshAirFilter', FRESH_AIR_FILTER),
    energySavingMode: r.state('SmartSavingMode', SMART_SAVING),
    doorOpened: r.is('DoorOpenState', 'OPEN'),
    tempUnit: r.label('TempUnit'),
    energySavingEnabled: r.is('SmartSavingModeStatus', 'ON'),
    locked: r.is('LockingStatus', 'LOCK'),
    activeSavingStatus: typeof saving === 'string' || typeof saving === 'number' ? String(saving) : null,
    ecoEnabled: r.is('EcoFriendly', '@CP_ON_EN_W'),
    waterFilterUsedMonths: r.int('WaterFilterUsedMonth'),
  };
}

/** Air conditioner (401) status, as wideq's `ACStatus` (JSON monitor). */
export interface AirConditionerStatus {
  currentTemperatureC: number | null;
  targetTemperatureC: number | null;
  currentTemperatureF: number | null;
  targetTemperatureF: number | null;
  mode: string | null;
  fanSpeed: string | null;
  /** wideq `ACHSwingMode` name: `OFF`, `ONE`…`FIVE`, `LEFT_HALF`, `RIGHT_HALF`, `ALL` (`UNKNOWN` otherwise). */
  horizontalSwing: string | null;
  /** wideq `ACVSwingMode` name: `OFF`, `ONE`…`SIX`, `ALL` (`UNKNOWN` otherwise). */
  verticalSwing: string | null;
  operation: string | null;
  isOn: boolean;
}

/** Horizontal swing steps of an air conditioner by wideq name (`ACHSwingMode`) → model label. */
export const AC_HORIZONTAL_SWING: Readonly<Record<string, string>> = {
  OFF: '@OFF', ONE: '@1', TWO: '@2', THREE: '@3', FOUR: '@4', FIVE: '@5', LEFT_HALF: '@13', RIGHT_HALF: '@35', ALL: '@100',
};

/** Vertical swing steps of an air conditioner by wideq name (`ACVSwingMode`) → model label. */
export const AC_VERTICAL_SWING: Readonly<Record<string, string>> = {
  OFF: '@OFF', ONE: '@1', TWO: '@2', THREE: '@3', FOUR: '@4', FIVE: '@5', SIX: '@6', ALL: '@100',
};

const invert = (table: Readonly<Record<string, string>>): LabelTable => Object.fromEntries(Object.entries(table).map(([k, v]) => [v, k]));
const H_SWING_NAMES = invert(AC_HORIZONTAL_SWING);
const V_SWING_NAMES = invert(AC_VERTICAL_SWING);

/** wideq `_str_to_num`: `"18"` → 18, `"18.5"` → 18.5. */
function strToNum(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string' || v.trim() === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** Converts through a model look-up table (`TempCelToFah` / `TempFahToCel` enum options). */
export function convertTemperature(model: ModelInfo, table: 'TempCelToFah' | 'TempFahToCel', value: number): number | null {
  if (!model.hasValue(table)) return null;
  const v = model.value(table);
  if (v.type !== 'enum') return null;
  const out = v.options[String(value)];
  return out === undefined ? null : strToNum(out);
}

/** Decodes an air-conditioner monitor (JSON) into wideq's AC status fields. */
export function airConditionerStatus(model: ModelInfo, data: MonitorData, options: StatusViewOptions = {}): AirConditionerStatus {
  const r = new StatusReader(model, data, options);
  const cur = strToNum(r.raw('TempCur'));
  const cfg = strToNum(r.raw('TempCfg'));
  const operation = r.stripped('Operation', '@AC_MAIN_OPERATION_');
  return {
    currentTemperatureC: cur,
    targetTemperatureC: cfg,
    currentTemperatureF: cur === null ? null : convertTemperature(model, 'TempCelToFah', Math.round(cur)),
    targetTemperatureF: cfg === null ? null : convertTemperature(model, 'TempCelToFah', Math.round(cfg)),
    mode: r.stripped('OpMode', '@AC_MAIN_OPERATION_MODE_'),
    fanSpeed: r.stripped('WindStrength', '@AC_MAIN_WIND_STRENGTH_'),
    horizontalSwing: r.state('WDirHStep', H_SWING_NAMES),
    verticalSwing: r.state('WDirVStep', V_SWING_NAMES),
    operation,
    isOn: operation !== null && operation !== 'OFF' && operation !== UNKNOWN,
  };
}

/** Device kinds that have a status view. */
export type StatusKind = 'washer' | 'dryer' | 'dishwasher' | 'refrigerator' | 'airConditioner';

/** The status view kind for a v1 `deviceType` code, if any. */
export function statusKindOf(deviceType: number): StatusKind | undefined {
  switch (deviceType) {
    case 201:
    case 221:
      return 'washer';
    case 202:
    case 222:
      return 'dryer';
    case 204:
      return 'dishwasher';
    case 101:
    case 102:
      return 'refrigerator';
    case 401:
      return 'airConditioner';
    default:
      return undefined;
  }
}

/** The status of any supported kind. */
export function statusView(
  kind: StatusKind,
  model: ModelInfo,
  data: MonitorData,
  options: StatusViewOptions = {},
): WasherStatus | DryerStatus | DishwasherStatus | RefrigeratorStatus | AirConditionerStatus {
  switch (kind) {
    case 'washer':
      return washerStatus(model, data, options);
    case 'dryer':
      return dryerStatus(model, data, options);
    case 'dishwasher':
      return dishwasherStatus(model, data, options);
    case 'refrigerator':
      return refrigeratorStatus(model, data, options);
    case 'airConditioner':
      return airConditionerStatus(model, data, options);
  }
}
