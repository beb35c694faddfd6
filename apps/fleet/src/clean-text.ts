// Text from the vendors made storable: PostgreSQL's text and jsonb refuse U+0000 (and with it the
// whole statement), and a lone UTF-16 surrogate (what invalid UTF-8 becomes once decoded) has no
// UTF-8 form. Values and labels are repaired (each such character becomes U+FFFD, so the change
// shows); identifiers are not, since a repaired id would name another device or metric: a reading
// with one is refused.
import type { DeviceInfo, ReadingInput } from './model.js';

// eslint-disable-next-line no-control-regex -- U+0000 is exactly what is looked for
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const REPLACEMENT = '\uFFFD';

/** Whether `text` holds a character PostgreSQL cannot store (NUL, a lone surrogate). */
export function hasUnstorable(text: string): boolean {
  UNSTORABLE.lastIndex = 0;
  return UNSTORABLE.test(text);
}

/** `text` with every unstorable character replaced by U+FFFD. */
export function cleanText(text: string): string {
  return hasUnstorable(text) ? text.replace(UNSTORABLE, REPLACEMENT) : text;
}

/** Every string inside a JSON-like value cleaned (object keys too). */
export function cleanDeep<T>(value: T): T {
  if (typeof value === 'string') return cleanText(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => cleanDeep(v)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [cleanText(k), cleanDeep(v)])) as T;
  }
  return value;
}

export type CleanedReading = { reading: ReadingInput; problem?: undefined } | { reading?: undefined; problem: string };

/** A reading ready to store: value and unit cleaned; refused (with why) when its device id or metric cannot be stored. */
export function cleanReading(r: ReadingInput): CleanedReading {
  if (hasUnstorable(r.deviceId)) return { problem: 'the device id holds a NUL or invalid UTF-8' };
  if (hasUnstorable(r.metric)) return { problem: 'the metric name holds a NUL or invalid UTF-8' };
  if (typeof r.value === 'string' && hasUnstorable(r.value)) return { reading: { ...r, value: cleanText(r.value), unit: r.unit === null ? null : cleanText(r.unit) } };
  if (r.unit !== null && hasUnstorable(r.unit)) return { reading: { ...r, unit: cleanText(r.unit) } };
  return { reading: r };
}

/** A device's names, model and command specs cleaned (its id parts are checked by the caller). */
export function cleanDeviceInfo(info: DeviceInfo): DeviceInfo {
  return {
    ...info,
    name: cleanText(info.name),
    model: info.model === null ? null : cleanText(info.model),
    primaryMetric: info.primaryMetric === null ? null : cleanText(info.primaryMetric),
    commands: cleanDeep(info.commands),
  };
}
