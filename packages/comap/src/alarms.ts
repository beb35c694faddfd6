/**
 * Alarms are values on the v1.1 API (there is no alarm endpoint): `alarm_list` and
 * `alarm_list_ext` (`VALUE_GUID`), whose value "can be a list". Their item format is not
 * documented; this reads what the simulator serves and the shapes seen in the field: a list of
 * texts (`"Wrn Fuel level"`), one text with items on lines or separated by `;`, or (ext) objects
 * with `text` (or `name`) and optional `active` / `confirmed`.
 */
import type { ComapValue } from './types.js';

/** The alarm type from the text's prefix, as ComAp controllers show it (`Wrn`, `Sd`, `BOC`, `Stp`, `Fls`). */
export type AlarmLevel = 'warning' | 'shutdown' | 'breaker-open-cooldown' | 'slow-stop' | 'sensor-fail' | 'other';

/** One alarm of a unit, as `parseAlarms` reads it. */
export interface ComapAlarm {
  /** As the unit reports it, e.g. `Wrn Fuel level`. */
  text: string;
  /** From the text's prefix (`alarmLevel`). */
  level: AlarmLevel;
  /** Still present (true unless the ext list says otherwise). */
  active: boolean;
  /** Acknowledged; undefined when the list does not say. */
  confirmed: boolean | undefined;
}

const PREFIXES: readonly (readonly [string, AlarmLevel])[] = [
  ['wrn', 'warning'],
  ['sd', 'shutdown'],
  ['boc', 'breaker-open-cooldown'],
  ['stp', 'slow-stop'],
  ['fls', 'sensor-fail'],
];

/** The level of an alarm text from its first word (`Wrn Fuel level` → `warning`); `other` when unknown. */
export function alarmLevel(text: string): AlarmLevel {
  const first = (text.trim().split(/\s+/)[0] ?? '').toLowerCase();
  return PREFIXES.find(([prefix]) => prefix === first)?.[1] ?? 'other';
}

function fromText(text: string, active = true, confirmed?: boolean): ComapAlarm {
  const trimmed = text.trim();
  return { text: trimmed, level: alarmLevel(trimmed), active, confirmed };
}

function texts(value: string): string[] {
  return value
    .split(/[\r\n;]+/)
    .map((t) => t.trim())
    .filter((t) => t !== '');
}

/** One item of a list: a text, or (ext) an object with `text`/`name`; anything else is left out. */
function item(raw: unknown): ComapAlarm | undefined {
  if (typeof raw === 'string') return raw.trim() === '' ? undefined : fromText(raw);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const o = raw as { text?: unknown; name?: unknown; active?: unknown; confirmed?: unknown };
  const text = typeof o.text === 'string' ? o.text : typeof o.name === 'string' ? o.name : undefined;
  if (text === undefined || text.trim() === '') return undefined;
  return fromText(text, o.active !== false, typeof o.confirmed === 'boolean' ? o.confirmed : undefined);
}

/** The alarms in an `alarm_list` or `alarm_list_ext` value (null, a number or an empty text: none). */
export function parseAlarms(value: ComapValue): ComapAlarm[] {
  if (typeof value === 'string') return texts(value).map((t) => fromText(t));
  if (!Array.isArray(value)) return [];
  return value.map(item).filter((a): a is ComapAlarm => a !== undefined);
}

/** Active alarms raised and cleared between two readings, matched by text (case-insensitive). */
export function diffAlarms(before: readonly ComapAlarm[], after: readonly ComapAlarm[]): { raised: ComapAlarm[]; cleared: ComapAlarm[] } {
  const key = (a: ComapAlarm) => a.text.toLowerCase();
  const was = new Set(before.filter((a) => a.active).map(key));
  const now = new Set(after.filter((a) => a.active).map(key));
  return {
    raised: after.filter((a) => a.active && !was.has(key(a))),
    cleared: before.filter((a) => a.active && !now.has(key(a))),
  };
}
