/**
 * The display layer: turns Connect enum values, `resource.property` names and v1 `@…_W` labels into
 * words a person reads, from the maintained tables (`words.ts`), then an optional lang pack, then a
 * humaniser. The raw value is never lost: callers keep it and show these words beside or instead.
 */
import { PROPERTY_WORDS, V1_LABEL_PREFIXES, V1_LABEL_WORDS, VALUE_WORDS } from './words.js';

/** Label → text, as in LG's lang packs (`pack`) or the caller's own overrides. */
export type LangPack = Readonly<Record<string, string>>;

/** Options of the display functions. */
export interface DisplayOptions {
  /** Words that win over the tables (e.g. a lang pack from `LangPackLoader.load`, or the app's own). */
  words?: LangPack;
}

const ACRONYMS = new Set(['AC', 'AI', 'PM', 'PM1', 'PM2', 'PM10', 'UV', 'LED', 'ID']);

/**
 * `AIR_DRY` → `Air dry`, `relativeHourToStop` → `Relative hour to stop`, `PM10` → `PM10`: words split on
 * `_`, `-`, spaces and camel case; the first capitalised, acronyms kept.
 */
export function humanize(token: string): string {
  if (typeof token !== 'string') throw new TypeError('token must be a string');
  const words = token
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_\-.]+/)
    .filter((w) => w !== '');
  return words
    .map((w, i) => {
      if (ACRONYMS.has(w.toUpperCase())) return w.toUpperCase();
      const lower = w.toLowerCase();
      return i === 0 ? lower.charAt(0).toUpperCase() + lower.slice(1) : lower;
    })
    .join(' ');
}

/** Whether `value` is a v1 model label (`@…`). */
export function isV1Label(value: string): boolean {
  return /^@[A-Z0-9_]+$/.test(value);
}

/** `@AC_MAIN_OPERATION_MODE_COOL_W` → `Cool`, `@CP_ON_EN_W` → `On`; unknown labels are humanised without their domain prefix. */
export function displayLabel(label: string, options: DisplayOptions = {}): string {
  if (typeof label !== 'string') throw new TypeError('label must be a string');
  const own = options.words?.[label] ?? V1_LABEL_WORDS[label];
  if (own !== undefined) return own;
  if (!isV1Label(label)) return displayValue(label, options);
  const prefix = V1_LABEL_PREFIXES.find((p) => label.startsWith(p));
  // A label without a domain (`@OFF`, `@1`: AC swing steps) loses only its `@`.
  const rest = (prefix === undefined ? label.replace(/^@[A-Z0-9]+_/, '') : label.slice(prefix.length)).replace(/^@/, '').replace(/(_EN)?_[WS]$/, '');
  return VALUE_WORDS[rest] ?? humanize(rest === '' ? label.slice(1) : rest);
}

/**
 * A value as words: enum values from the table (`COOL` → `Cool`, `POWER_OFF` → `Off`), v1 labels via
 * `displayLabel`, booleans `On`/`Off`, numbers as they are, other strings humanised. `property`
 * (`resource.property`) adds the unit where the value is a temperature.
 */
export function displayValue(value: unknown, options: DisplayOptions & { property?: string; unit?: string } = {}): string {
  if (typeof value === 'boolean') return value ? 'On' : 'Off';
  if (typeof value === 'number') {
    // `temperatureInUnits.targetTemperatureF` names its unit; other properties only with `unit`.
    const unit = options.unit ?? /Temperature([CF])$/.exec(options.property ?? '')?.[1];
    if (unit === 'C' || unit === 'F') return `${value} °${unit}`;
    return String(value);
  }
  if (typeof value !== 'string') return value === null || value === undefined ? '' : JSON.stringify(value);
  const own = options.words?.[value];
  if (own !== undefined) return own;
  if (isV1Label(value)) return displayLabel(value, options);
  // Numbers in text (v1 codes and labels such as `-17`) stay as they are: the humaniser would drop a minus.
  if (/^-?\d+(\.\d+)?$/.test(value.trim())) return value.trim();
  return VALUE_WORDS[value] ?? humanize(value);
}

/**
 * A property name as words: `airConJobMode.currentJobMode` → `Mode`; unknown ones humanise their
 * property part. A location or unit (`washer`, `UPPER`) is put in front: `Washer status`.
 */
export function displayProperty(path: string, options: DisplayOptions & { location?: string } = {}): string {
  if (typeof path !== 'string' || path === '') throw new TypeError('path must be a non-empty string');
  const words = options.words?.[path] ?? PROPERTY_WORDS[path] ?? humanize(path.split('.').at(-1) ?? path);
  if (options.location === undefined) return words;
  const lowered = /^[A-Z][a-z]/.test(words) ? `${words.charAt(0).toLowerCase()}${words.slice(1)}` : words;
  return `${humanize(options.location)} ${lowered}`;
}
