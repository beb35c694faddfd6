/**
 * The WebSupervisor command vocabulary as a typed union, validated before anything is sent.
 * Bad input throws a TypeError (wrong type) or RangeError (out of range) naming the field.
 */

/** Commands that take no argument. */
export type SimpleCommandName = 'start' | 'stop' | 'faultReset' | 'changeMcb' | 'changeGcb' | 'sensorButton' | 'timerButton';

/** The commands that take no argument, frozen (for menus and validation). */
export const SIMPLE_COMMANDS: readonly SimpleCommandName[] = Object.freeze([
  'start',
  'stop',
  'faultReset',
  'changeMcb',
  'changeGcb',
  'sensorButton',
  'timerButton',
]);

/** The action of a `userButton` command (`start`, `stop`, `toggle` or `pulse`, as the API names them). */
export type UserButtonAction = 'start' | 'stop' | 'toggle' | 'pulse';
/** The action of a `remoteSwitch` command: switch it on (`start`) or off (`stop`). */
export type RemoteSwitchAction = 'start' | 'stop';
/** A timer mode as the API documentation spells it (lower case is accepted too, see `TimerSetup`). */
export type TimerModeName = 'Off' | 'Once' | 'Daily' | 'Weekly' | 'Monthly' | 'MonthlyDays' | 'Period';
/** A day of the week as the API spells it, for weekly and monthly-days timers. */
export type WeekDay = 'Monday' | 'Tuesday' | 'Wednesday' | 'Thursday' | 'Friday' | 'Saturday' | 'Sunday';
/** How a daily timer (`setupDaily.dayWeekend`) treats weekends, as the API names the choices. */
export type DayWeekend = 'Included' | 'Except' | 'nextDayAfter';

/** Every timer mode, frozen, in the order of the API documentation. */
export const TIMER_MODES: readonly TimerModeName[] = Object.freeze(['Off', 'Once', 'Daily', 'Weekly', 'Monthly', 'MonthlyDays', 'Period']);
/** The days of the week, frozen, Monday first. */
export const WEEK_DAYS: readonly WeekDay[] = Object.freeze(['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']);

/**
 * A timer for `setTimer`. The docs capitalise the modes (`Weekly`), the API's own examples use
 * lower case (`weekly`); both are accepted and sent as written. Every mode but Off needs `from`
 * (Unix epoch milliseconds, or a Date) and `duration` (minutes), plus the setup of its mode.
 */
export interface TimerSetup {
  mode: TimerModeName | Lowercase<TimerModeName>;
  from?: number | Date;
  duration?: number;
  setupDaily?: { dayRepeat: number; dayWeekend: DayWeekend };
  setupWeekly?: { weekRepeat: number; weekDays: WeekDay[] };
  setupMonthly?: { monthRepeat: number; dayInMonth: number };
  setupMonthlyDays?: { monthRepeat: number; weekInMonth: number; weekDays: WeekDay[] };
  setupPeriod?: { minutesRepeat: number };
}

/**
 * A command for `WSV.command()`: the name plus its arguments (`index` is the 1-based button, switch, value or timer number); check one with `validateCommand()`.
 */
export type ComapCommand =
  | { command: SimpleCommandName }
  | { command: 'changeMode'; mode: string }
  | { command: 'userButton'; index: number; action: UserButtonAction }
  | { command: 'remoteSwitch'; index: number; action: RemoteSwitchAction }
  | { command: 'extValue'; index: number; value: number }
  | { command: 'setTimer'; index: number; action: TimerSetup }
  | { command: 'changeSetpoint'; guid: string; value: number | string };

/** The command names, in the order of the API documentation. */
export type ComapCommandName = ComapCommand['command'];

/** Every command name, frozen, in the order of the API documentation. */
export const COMMAND_NAMES: readonly ComapCommandName[] = Object.freeze([
  ...SIMPLE_COMMANDS,
  'changeMode',
  'userButton',
  'remoteSwitch',
  'extValue',
  'setTimer',
  'changeSetpoint',
]);

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function intIn(obj: Record<string, unknown>, key: string, min: number, max: number, path: string): number {
  const v = obj[key];
  const name = `${path}.${key}`;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`${name} must be a number`);
  if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${v}`);
  return v;
}

function oneOf<T extends string>(obj: Record<string, unknown>, key: string, allowed: readonly T[], path: string): T {
  const v = obj[key];
  const name = `${path}.${key}`;
  if (typeof v !== 'string') throw new TypeError(`${name} must be a string`);
  if (!(allowed as readonly string[]).includes(v)) throw new RangeError(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
  return v as T;
}

function nonEmptyString(obj: Record<string, unknown>, key: string, path: string): string {
  const v = obj[key];
  const name = `${path}.${key}`;
  if (typeof v !== 'string') throw new TypeError(`${name} must be a string`);
  if (v.trim() === '') throw new RangeError(`${name} must not be empty`);
  return v;
}

function weekDays(obj: Record<string, unknown>, path: string): WeekDay[] {
  const v = obj.weekDays;
  const name = `${path}.weekDays`;
  if (!Array.isArray(v)) throw new TypeError(`${name} must be an array of week day names`);
  if (v.length === 0) throw new RangeError(`${name} must name at least one day`);
  const seen = new Set<string>();
  v.forEach((day, i) => {
    if (typeof day !== 'string') throw new TypeError(`${name}[${i}] must be a string`);
    if (!(WEEK_DAYS as readonly string[]).includes(day)) throw new RangeError(`${name}[${i}] must be one of ${WEEK_DAYS.join(', ')}, got ${JSON.stringify(day)}`);
    if (seen.has(day)) throw new RangeError(`${name} lists ${day} twice`);
    seen.add(day);
  });
  return v as WeekDay[];
}

function setup(timer: Record<string, unknown>, key: string, path: string): Record<string, unknown> {
  const v = timer[key];
  if (!isRecord(v)) throw new TypeError(`${path}.${key} must be an object for this timer mode`);
  return v;
}

const MAX_DURATION_MINUTES = 366 * 24 * 60;

function timerBody(value: unknown, path: string): Json {
  if (!isRecord(value)) throw new TypeError(`${path} must be a timer object`);
  const modeRaw = value.mode;
  if (typeof modeRaw !== 'string') throw new TypeError(`${path}.mode must be a string`);
  const mode = TIMER_MODES.find((m) => m.toLowerCase() === modeRaw.toLowerCase());
  if (!mode || (modeRaw !== mode && modeRaw !== mode.toLowerCase())) {
    throw new RangeError(`${path}.mode must be one of ${TIMER_MODES.join(', ')} (or lower case), got ${JSON.stringify(modeRaw)}`);
  }
  const body: Json = { mode: modeRaw };
  if (mode === 'Off') return body;
  const from = value.from instanceof Date ? value.from.getTime() : value.from;
  if (typeof from !== 'number') throw new TypeError(`${path}.from must be epoch milliseconds or a Date`);
  if (!Number.isSafeInteger(from) || from < 0) throw new RangeError(`${path}.from must be a non-negative whole number of epoch milliseconds`);
  body.from = from;
  body.duration = intIn(value, 'duration', 1, MAX_DURATION_MINUTES, path);
  switch (mode) {
    case 'Once':
      break;
    case 'Daily': {
      const s = setup(value, 'setupDaily', path);
      const p = `${path}.setupDaily`;
      body.setupDaily = { dayRepeat: intIn(s, 'dayRepeat', 1, 366, p), dayWeekend: oneOf(s, 'dayWeekend', ['Included', 'Except', 'nextDayAfter'] as const, p) };
      break;
    }
    case 'Weekly': {
      const s = setup(value, 'setupWeekly', path);
      const p = `${path}.setupWeekly`;
      body.setupWeekly = { weekRepeat: intIn(s, 'weekRepeat', 1, 53, p), weekDays: weekDays(s, p) };
      break;
    }
    case 'Monthly': {
      const s = setup(value, 'setupMonthly', path);
      const p = `${path}.setupMonthly`;
      body.setupMonthly = { monthRepeat: intIn(s, 'monthRepeat', 1, 120, p), dayInMonth: intIn(s, 'dayInMonth', 1, 31, p) };
      break;
    }
    case 'MonthlyDays': {
      const s = setup(value, 'setupMonthlyDays', path);
      const p = `${path}.setupMonthlyDays`;
      body.setupMonthlyDays = { monthRepeat: intIn(s, 'monthRepeat', 1, 120, p), weekInMonth: intIn(s, 'weekInMonth', 1, 5, p), weekDays: weekDays(s, p) };
      break;
    }
    case 'Period': {
      const s = setup(value, 'setupPeriod', path);
      body.setupPeriod = { minutesRepeat: intIn(s, 'minutesRepeat', 1, MAX_DURATION_MINUTES, `${path}.setupPeriod`) };
      break;
    }
  }
  return body;
}

/**
 * Checks a command and returns the exact JSON body to POST (only the documented attributes, in a
 * stable order). Throws TypeError/RangeError naming the offending field (`command.index`, ...).
 */
export function validateCommand(input: unknown): Json {
  const path = 'command';
  if (typeof input === 'string') input = { command: input };
  if (!isRecord(input)) throw new TypeError('command must be a command name or an object with a "command" field');
  const name = input.command;
  if (typeof name !== 'string') throw new TypeError('command.command must be a string');
  if (!(COMMAND_NAMES as readonly string[]).includes(name)) {
    throw new RangeError(`command.command must be one of ${COMMAND_NAMES.join(', ')}, got ${JSON.stringify(name.slice(0, 40))}`);
  }
  const c = name as ComapCommandName;
  switch (c) {
    case 'start':
    case 'stop':
    case 'faultReset':
    case 'changeMcb':
    case 'changeGcb':
    case 'sensorButton':
    case 'timerButton':
      return { command: c };
    case 'changeMode':
      return { command: c, mode: nonEmptyString(input, 'mode', path) };
    case 'userButton':
      return { command: c, index: intIn(input, 'index', 1, 32, path), action: oneOf(input, 'action', ['start', 'stop', 'toggle', 'pulse'] as const, path) };
    case 'remoteSwitch':
      return { command: c, index: intIn(input, 'index', 1, 8, path), action: oneOf(input, 'action', ['start', 'stop'] as const, path) };
    case 'extValue': {
      const index = intIn(input, 'index', 1, 4, path);
      const value = input.value;
      if (typeof value !== 'number') throw new TypeError('command.value must be a number');
      if (!Number.isFinite(value)) throw new RangeError('command.value must be a finite number');
      return { command: c, index, value };
    }
    case 'setTimer': {
      const index = intIn(input, 'index', 1, 2, path);
      return { command: c, index, action: timerBody(input.action, 'command.action') };
    }
    case 'changeSetpoint': {
      const guid = nonEmptyString(input, 'guid', path);
      const value = input.value;
      if (typeof value === 'number') {
        if (!Number.isFinite(value)) throw new RangeError('command.value must be a finite number');
      } else if (typeof value !== 'string') {
        throw new TypeError('command.value must be a number or a string');
      } else if (value === '') {
        // An unset variable must not write an empty setpoint; the text is sent exactly as given otherwise.
        throw new RangeError('command.value must not be empty');
      }
      return { command: c, guid, value };
    }
  }
}
