// ThinQ Connect energy: the daily usage of the devices whose energy profile lists `energyUsage`,
// read through @x/thinq's energy API and stored as `energy.dailyUsage` readings in Wh (one per
// day, at the day's start UTC). Energy is daily data, so each device is read once an hour at most,
// never at every state poll; a failure is logged and retried at the next hour, and never stops
// the state collection it runs beside.
import type { CallOptions } from '@x/http-core';
import { errorCategory } from '@x/http-core';
import type { EnergyUsage, EnergyUsageQuery } from '@x/thinq';
import type { Ingest } from '../ingest.js';
import type { Logger } from '../log.js';
import type { ReadingInput } from '../model.js';
import { deviceId } from '../model.js';

/** The reading's metric ("Daily usage" in words) and unit (LG does not name it; @x/thinq's simulator serves Wh). */
export const ENERGY_METRIC = 'energy.dailyUsage';
export const ENERGY_UNIT = 'Wh';
/** How often a device's energy is read (LG's data is per day; an hour catches a new day soon enough). */
export const ENERGY_INTERVAL_MS = 60 * 60_000;
/** How often a device whose profile lists no energy is asked again. */
export const ENERGY_PROFILE_RECHECK_MS = 24 * 60 * 60_000;
/** The complete days read each time (yesterday and the six before): gaps after an outage fill in. */
export const ENERGY_DAYS = 7;
/** Budget of one energy call, the client's throttling retries included: state polling waits meanwhile. */
const CALL_DEADLINE_MS = 15_000;
const DAY_MS = 24 * 60 * 60_000;

/** What this reader needs of `ConnectClient`. */
export interface EnergyClient {
  energyProfile(deviceId: string, options?: CallOptions): Promise<string[]>;
  energyUsage(deviceId: string, query: EnergyUsageQuery, options?: CallOptions): Promise<EnergyUsage>;
}

export interface ThinqEnergyOptions {
  client: EnergyClient;
  ingest: Pick<Ingest, 'readings'>;
  logger: Logger;
  now(): number;
}

const ymd = (t: number): string => new Date(t).toISOString().slice(0, 10).replaceAll('-', '');

/** `YYYYMMDD` → that day's start (UTC), or undefined for anything else. */
function dayStart(date: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(date);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : undefined;
}

/** The daily usage entries of one device as readings (entries without a usable date or value are left out). */
export function energyReadings(vendorId: string, usage: EnergyUsage): ReadingInput[] {
  const id = deviceId('thinq', vendorId);
  const out: ReadingInput[] = [];
  for (const entry of usage.entries) {
    const ts = dayStart(entry.date);
    if (ts === undefined || !Number.isFinite(entry.value)) continue;
    out.push({ deviceId: id, metric: ENERGY_METRIC, value: entry.value, unit: ENERGY_UNIT, ts });
  }
  return out;
}

export class ThinqEnergy {
  readonly #o: ThinqEnergyOptions;
  /** Per device: when its energy (or its energy profile) is due again. */
  readonly #due = new Map<string, number>();
  /** Per device: whether its energy profile lists `energyUsage` (asked once). */
  readonly #reports = new Map<string, boolean>();
  /** LG throttled us: no energy calls before this time. */
  #pausedUntil = 0;

  constructor(options: ThinqEnergyOptions) {
    this.#o = options;
  }

  /** Reads the energy of the devices that are due; never throws but for an abort. */
  async collect(vendorIds: Iterable<string>, signal: AbortSignal): Promise<void> {
    for (const vendorId of vendorIds) {
      const now = this.#o.now();
      if (now < this.#pausedUntil) return;
      if (now < (this.#due.get(vendorId) ?? 0)) continue;
      this.#due.set(vendorId, now + ENERGY_INTERVAL_MS);
      try {
        await this.#read(vendorId, signal);
      } catch (err) {
        if (signal.aborted) throw err;
        this.#o.logger.warn('thinq: energy not read', { deviceId: vendorId, error: err });
        // Energy waits an hour rather than spend the account's rate limit that state needs.
        if (errorCategory(err) === 'throttled') this.#pausedUntil = now + ENERGY_INTERVAL_MS;
      }
    }
  }

  async #read(vendorId: string, signal: AbortSignal): Promise<void> {
    const options = { signal, deadlineInMs: CALL_DEADLINE_MS };
    let reports = this.#reports.get(vendorId);
    if (reports === undefined) {
      reports = (await this.#o.client.energyProfile(vendorId, options)).includes('energyUsage');
      this.#reports.set(vendorId, reports);
    }
    if (!reports) {
      this.#reports.delete(vendorId);
      this.#due.set(vendorId, this.#o.now() + ENERGY_PROFILE_RECHECK_MS);
      return;
    }
    const now = this.#o.now();
    const query: EnergyUsageQuery = { period: 'DAILY', startDate: ymd(now - ENERGY_DAYS * DAY_MS), endDate: ymd(now - DAY_MS) };
    const usage = await this.#o.client.energyUsage(vendorId, query, options);
    // Stored once per day (device, metric, time): days already stored are skipped.
    await this.#o.ingest.readings(energyReadings(vendorId, usage), { live: true });
  }
}
