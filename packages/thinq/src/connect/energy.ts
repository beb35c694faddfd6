/**
 * ThinQ Connect energy: `GET devices/energy/{id}/profile` (which energy properties a device reports)
 * and `GET devices/energy/{id}/usage` (usage per day or month). Facts from LG's later pythinqconnect
 * releases (`USAGE_DAILY`/`USAGE_MONTHLY`, `YYYYMMDD`/`YYYYMM` dates, end not after today, start not
 * after end) and Home Assistant's fixtures (`{resultCode, result: {dataList, property}}`).
 */
import { MalformedResponseError } from '../errors.js';

/** `DAILY` (dates `YYYYMMDD`) or `MONTHLY` (dates `YYYYMM`). */
export type EnergyPeriod = 'DAILY' | 'MONTHLY';

/** What `energyUsage()` asks for. */
export interface EnergyUsageQuery {
  period: EnergyPeriod;
  /** `YYYYMMDD` for DAILY, `YYYYMM` for MONTHLY. */
  startDate: string;
  /** Same format; not after today (UTC) and not before `startDate`. */
  endDate: string;
  /** Default `energyUsage`. */
  property?: string;
}

/** One period's usage (`usedDate` as LG sends it, `value` in the property's unit: LG does not name it). */
export interface EnergyUsageEntry {
  date: string;
  value: number;
}

/** What `energyUsage()` returns: the property asked for, its period and one entry per day or month. */
export interface EnergyUsage {
  property: string;
  period: EnergyPeriod;
  entries: EnergyUsageEntry[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const FORMAT: Record<EnergyPeriod, RegExp> = { DAILY: /^\d{8}$/, MONTHLY: /^\d{6}$/ };

/** `YYYYMMDD` / `YYYYMM` of `now` (UTC). */
function today(period: EnergyPeriod, now: number): string {
  const iso = new Date(now).toISOString();
  const day = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}`;
  return period === 'DAILY' ? day : day.slice(0, 6);
}

function validDate(value: string, period: EnergyPeriod): boolean {
  const y = Number(value.slice(0, 4));
  const m = Number(value.slice(4, 6));
  const d = period === 'DAILY' ? Number(value.slice(6, 8)) : 1;
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** Checks a usage query like LG's SDK does (TypeError/RangeError naming the field); returns the query parameters. */
export function energyQueryParams(query: EnergyUsageQuery, now: number): Record<string, string> {
  if (!isRecord(query)) throw new TypeError('query must be an object');
  const { period, startDate, endDate } = query;
  const property = query.property ?? 'energyUsage';
  if (period !== 'DAILY' && period !== 'MONTHLY') throw new TypeError("query.period must be 'DAILY' or 'MONTHLY'");
  const format = period === 'DAILY' ? 'YYYYMMDD' : 'YYYYMM';
  for (const [name, value] of [['startDate', startDate], ['endDate', endDate]] as const) {
    if (typeof value !== 'string' || !FORMAT[period].test(value) || !validDate(value, period)) throw new TypeError(`query.${name} must be a ${format} date`);
  }
  if (typeof property !== 'string' || property === '') throw new TypeError('query.property must be a non-empty string');
  if (endDate > today(period, now)) throw new RangeError(`query.endDate must not be after today (${today(period, now)})`);
  if (startDate > endDate) throw new RangeError('query.startDate must not be after query.endDate');
  return { property, period, startDate, endDate };
}

/** The `result` of an energy answer (`{resultCode, result}`), or the answer itself. */
function resultOf(raw: unknown): Record<string, unknown> {
  const result = isRecord(raw) && isRecord(raw.result) ? raw.result : raw;
  if (!isRecord(result)) throw new MalformedResponseError('energy: expected an object', raw);
  return result;
}

/** The energy properties of a device's energy profile (`[]` when it reports none). */
export function parseEnergyProfile(raw: unknown): string[] {
  const property = resultOf(raw).property;
  if (property === undefined) return [];
  if (!Array.isArray(property)) throw new MalformedResponseError('energy profile: property is not a list', raw);
  return property.filter((p): p is string => typeof p === 'string');
}

export function parseEnergyUsage(raw: unknown, period: EnergyPeriod, property: string): EnergyUsage {
  const list = resultOf(raw).dataList ?? [];
  if (!Array.isArray(list)) throw new MalformedResponseError('energy usage: dataList is not a list', raw);
  const entries = list.map((e: unknown) => {
    const value = isRecord(e) ? e[property] : undefined;
    if (!isRecord(e) || typeof e.usedDate !== 'string' || typeof value !== 'number') throw new MalformedResponseError(`energy usage: entry without usedDate and ${property}`, raw);
    return { date: e.usedDate, value };
  });
  return { property, period, entries };
}
