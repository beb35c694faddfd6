// How long each vendor may stay silent (no reading stored) while its connection looks fine before
// /api/status shows it degraded: the configuration section `staleAfterInMs` and its defaults.
import type { Reader } from './config-read.js';
import type { Vendor } from './model.js';
import { COLLECTOR_IDS } from './vendor-info.js';
import type { StaleLimits } from './vendor-states.js';

export const MAX_STALE_AFTER_IN_MS = 7 * 24 * 3_600_000;

/**
 * ComAp stores every value at least every 5 minutes, so 15 silent minutes mean it stalled; Device
 * Cloud gateways usually report every few minutes; ThinQ appliances report only when something
 * changes, so silence is normal (off).
 */
export const DEFAULT_STALE_AFTER: Readonly<Record<Vendor, number>> = { comap: 15 * 60_000, devicecloud: 30 * 60_000, thinq: 0 };

/** `staleAfterInMs`: `{ comap?, devicecloud?, thinq? }` in milliseconds, 0 = never stale. */
export function parseStaleSection(root: Reader): StaleLimits | undefined {
  const section = root.child('staleAfterInMs')?.only(COLLECTOR_IDS);
  if (!section) return undefined;
  const limits: StaleLimits = {};
  for (const vendor of COLLECTOR_IDS) {
    const value = section.integer(vendor, 0, MAX_STALE_AFTER_IN_MS);
    if (value !== undefined) limits[vendor] = value;
  }
  return limits;
}

/** The limits in force: the defaults overlaid by the configured ones. */
export function staleLimits(configured: StaleLimits | undefined): StaleLimits {
  return { ...DEFAULT_STALE_AFTER, ...configured };
}

/** How often staleness is checked: a quarter of the shortest limit, between 1 s and 1 min. */
export function staleCheckInterval(limits: StaleLimits): number {
  const active = Object.values(limits).filter((v): v is number => v !== undefined && v > 0);
  return active.length === 0 ? 60_000 : Math.min(60_000, Math.max(1000, Math.floor(Math.min(...active) / 4)));
}
