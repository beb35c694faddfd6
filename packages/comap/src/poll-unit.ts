/** One unit's reading in a fleet sweep: what changed since the last one, its alarms, whether it is on the air. */
import { diffAlarms, parseAlarms, type ComapAlarm } from './alarms.js';
import type { ComapValue, UnitValue } from './types.js';
import { VALUE_GUID } from './value-guid.js';

/** A value whose reading differs from the previous sweep's. */
export interface ValueChange {
  valueGuid: string;
  name: string;
  before: ComapValue;
  after: ComapValue;
}

/** Why a unit counts as offline: its `comm_state` says so, or its newest value is older than `staleAfterInMs`. */
export type OfflineReason = 'comm_state' | 'stale';

/** What the poller keeps of a unit between sweeps (one entry per unit: memory stays flat). */
export interface UnitMemory {
  values: Map<string, ComapValue>;
  alarms: ComapAlarm[];
  online: boolean;
  /** The last sweep failed for this unit. */
  failed: boolean;
}

/** The reading part of a `FleetPollEvent` of type `unit`. */
export interface UnitReading {
  values: UnitValue[];
  /** Values that differ from the previous successful reading (empty on the first). */
  changed: ValueChange[];
  /** Active and inactive alarms from `alarm_list_ext` (else `alarm_list`). */
  alarms: ComapAlarm[];
  raised: ComapAlarm[];
  cleared: ComapAlarm[];
  online: boolean;
  offlineReason: OfflineReason | undefined;
  /** Newest value timestamp, or undefined when the unit sent no values. */
  lastSeen: Date | undefined;
  /** First successful reading of this unit in this poller. */
  first: boolean;
}

const EXT = VALUE_GUID.alarm_list_ext.toLowerCase();
const PLAIN = VALUE_GUID.alarm_list.toLowerCase();
const COMM = VALUE_GUID.comm_state.toLowerCase();

function same(a: ComapValue, b: ComapValue): boolean {
  return a === b || (typeof a === 'object' && typeof b === 'object' && JSON.stringify(a) === JSON.stringify(b));
}

function alarmsOf(values: readonly UnitValue[]): ComapAlarm[] {
  const by = (guid: string) => values.find((v) => v.valueGuid.toLowerCase() === guid);
  const source = by(EXT) ?? by(PLAIN);
  return source ? parseAlarms(source.value) : [];
}

function offlineReason(values: readonly UnitValue[], lastSeen: Date | undefined, now: number, staleAfterInMs: number): OfflineReason | undefined {
  const comm = values.find((v) => v.valueGuid.toLowerCase() === COMM);
  if (comm && typeof comm.value === 'string' && comm.value.trim().toLowerCase() !== 'ok') return 'comm_state';
  if (lastSeen === undefined || now - lastSeen.getTime() > staleAfterInMs) return 'stale';
  return undefined;
}

/** Compares `values` with what `memory` holds and updates it; `memory` undefined: first reading. */
export function readUnit(values: UnitValue[], memory: UnitMemory | undefined, now: number, staleAfterInMs: number): { reading: UnitReading; memory: UnitMemory } {
  const changed: ValueChange[] = [];
  const next = new Map<string, ComapValue>();
  let newest: number | undefined;
  for (const v of values) {
    const guid = v.valueGuid.toLowerCase();
    next.set(guid, v.value);
    const t = v.timeStamp.getTime();
    if (newest === undefined || t > newest) newest = t;
    if (memory && memory.values.has(guid) && !same(memory.values.get(guid) as ComapValue, v.value)) {
      changed.push({ valueGuid: v.valueGuid, name: v.name, before: memory.values.get(guid) as ComapValue, after: v.value });
    }
  }
  const lastSeen = newest === undefined ? undefined : new Date(newest);
  const alarms = alarmsOf(values);
  const { raised, cleared } = diffAlarms(memory?.alarms ?? [], alarms);
  const reason = offlineReason(values, lastSeen, now, staleAfterInMs);
  const reading: UnitReading = { values, changed, alarms, raised, cleared, online: reason === undefined, offlineReason: reason, lastSeen, first: memory === undefined };
  return { reading, memory: { values: next, alarms, online: reason === undefined, failed: false } };
}

/** Units with active alarms, lost communication or a failed last reading come first; otherwise the given order. */
export function pollOrder(guids: readonly string[], memory: ReadonlyMap<string, UnitMemory>): string[] {
  const urgent = (guid: string): boolean => {
    const m = memory.get(guid);
    return m !== undefined && (m.failed || !m.online || m.alarms.some((a) => a.active));
  };
  return [...guids.filter(urgent), ...guids.filter((g) => !urgent(g))];
}
