/**
 * Energy data of the simulated Connect account: which devices report `energyUsage` and plausible,
 * repeatable daily values (a hash of device and day around a per-type base, in Wh), monthly values
 * as the sum of their days up to today. Answers follow LG's `{resultCode, result}` shape.
 */
import { createHash } from 'node:crypto';
import type { SimConnectDevice } from './connect-devices.js';

/** Typical daily use in Wh of the device types that report energy. */
const DAILY_BASE_WH: Record<string, number> = { DEVICE_AIR_CONDITIONER: 2400, DEVICE_REFRIGERATOR: 1100, DEVICE_WASHTOWER: 850 };

/** Whether the device reports energy (the offline garage fridge does not: its profile answers empty). */
export function reportsEnergy(d: SimConnectDevice): boolean {
  return d.online && DAILY_BASE_WH[d.deviceType] !== undefined;
}

export function energyProfileAnswer(d: SimConnectDevice): Record<string, unknown> {
  return { resultCode: '0000', result: reportsEnergy(d) ? { property: ['energyUsage'] } : {} };
}

function dailyWh(d: SimConnectDevice, day: string): number {
  const base = DAILY_BASE_WH[d.deviceType] ?? 0;
  const h = createHash('sha256').update(`${d.deviceId} ${day}`).digest().readUInt32BE(0) / 0x1_0000_0000;
  return Math.round(base * (0.6 + 0.8 * h));
}

const ymd = (t: Date): string => t.toISOString().slice(0, 10).replaceAll('-', '');

/** The days (YYYYMMDD) from `start` to `end` inclusive. */
function days(start: string, end: string): string[] {
  const out: string[] = [];
  const t = new Date(Date.UTC(Number(start.slice(0, 4)), Number(start.slice(4, 6)) - 1, Number(start.slice(6, 8))));
  for (let day = ymd(t); day <= end && out.length < 1000; t.setUTCDate(t.getUTCDate() + 1), day = ymd(t)) out.push(day);
  return out;
}

/** The `usage` answer for validated parameters (dates already checked by the route). */
export function energyUsageAnswer(d: SimConnectDevice, period: 'DAILY' | 'MONTHLY', startDate: string, endDate: string, now: number): Record<string, unknown> {
  const today = ymd(new Date(now));
  let dataList: { energyUsage: number; usedDate: string }[];
  if (period === 'DAILY') {
    dataList = days(startDate, endDate).map((day) => ({ energyUsage: dailyWh(d, day), usedDate: day }));
  } else {
    const months = new Map<string, number>();
    for (const day of days(`${startDate}01`, `${endDate}31`)) {
      if (day > today) break;
      months.set(day.slice(0, 6), (months.get(day.slice(0, 6)) ?? 0) + dailyWh(d, day));
    }
    dataList = [...months].map(([month, wh]) => ({ energyUsage: wh, usedDate: month }));
  }
  return { resultCode: '0000', result: { dataList, property: ['energyUsage'] } };
}
