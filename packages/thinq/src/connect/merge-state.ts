/**
 * Merging partial Connect reports into a cached state, at any depth: objects merge member by member,
 * lists whose entries name a location or unit (`location.locationName`, `locationName`, `unit`) merge
 * entry by entry, anything else is replaced. A report may itself be a list of per-location objects.
 */
import type { DeviceState } from './profile.js';

export type { DeviceState } from './profile.js';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The key an entry of a list is matched by, or undefined when it names no location or unit. */
function selectorOf(entry: unknown): string | undefined {
  if (!isRecord(entry)) return undefined;
  if (isRecord(entry.location) && typeof entry.location.locationName === 'string') return `location ${entry.location.locationName}`;
  if (typeof entry.locationName === 'string') return `locationName ${entry.locationName}`;
  if (typeof entry.unit === 'string') return `unit ${entry.unit}`;
  return undefined;
}

function mergeList(base: unknown[], report: unknown[]): unknown[] {
  if (!report.every((r) => selectorOf(r) !== undefined)) return report;
  const out = [...base];
  for (const r of report) {
    const i = out.findIndex((b) => selectorOf(b) === selectorOf(r));
    if (i >= 0) out[i] = mergeValue(out[i], r);
    else out.push(r);
  }
  return out;
}

function mergeRecord(base: Record<string, unknown>, report: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(report)) out[k] = mergeValue(base[k], v);
  return out;
}

function mergeValue(base: unknown, report: unknown): unknown {
  if (isRecord(base) && isRecord(report)) return mergeRecord(base, report);
  if (Array.isArray(base) && Array.isArray(report)) return mergeList(base, report);
  return report;
}

/**
 * Merges a partial report into a state and returns the new state (the input is not changed). The
 * report is `{resource: {property: value}}` (any depth, e.g. a WashTower's `{washer: {timer: {…}}}`),
 * a per-location object with `location.locationName`, or a list of those.
 */
export function mergeState(state: DeviceState | undefined, report: DeviceState): DeviceState {
  if (state === undefined) return report;
  if (Array.isArray(state)) {
    if (Array.isArray(report)) return mergeList(state, report) as Record<string, unknown>[];
    // A report without a location fits a state with a single location.
    const [only] = state;
    if (selectorOf(report) === undefined) return state.length === 1 && only !== undefined ? [mergeRecord(only, report)] : state;
    return mergeList(state, [report]) as Record<string, unknown>[];
  }
  if (!Array.isArray(report)) return mergeRecord(state, report);
  const [single] = report;
  return report.length === 1 && single !== undefined ? mergeRecord(state, single) : report;
}
