/**
 * History done right: ranges longer than the API's 31-day window are split into windows, each
 * window is paged through `offset`/`nextOffset`, and entries are merged per value. An entry that
 * straddles two windows comes back in both (the API does not clip intervals): it is reported once.
 */
import { ComapResponseError } from './errors.js';
import { type DayNumber, type DayWindow, formatDay, splitIntoWindows, toDayNumber } from './dates.js';
import type { HistoryPage } from './parse.js';
import type { ComapValue, HistoryEntry, HistoryValue } from './types.js';
import { normalizeGuids } from './value-guid-list.js';

const DAY_MS = 86_400_000;

/** Progress of a history download, reported after each window. */
export interface HistoryProgress {
  /** 1-based index of the window just finished. */
  window: number;
  windows: number;
  /** The window, as sent (`MM/DD/YYYY`). */
  from: string;
  to: string;
  /** Pages fetched so far, over all windows. */
  pages: number;
  /** Entries reported so far. */
  entries: number;
}

export interface HistoryQuery {
  /** First day (inclusive): a Date (its UTC day) or `MM/DD/YYYY`. Default: the 1st of the current month. */
  from?: Date | string;
  /** Last day (inclusive). Default: today. */
  to?: Date | string;
  /** Values to fetch (GUIDs); default all. An array, or one comma-separated string. */
  valueGuids?: string | readonly string[];
  onProgress?: (progress: HistoryProgress) => void;
}

export interface HistoryPlan {
  windows: DayWindow[];
  valueGuids: string | undefined;
  onProgress: ((progress: HistoryProgress) => void) | undefined;
}

/** Validates a query (throws TypeError/RangeError naming the field) and splits it into windows. */
export function planHistory(query: HistoryQuery, now: number): HistoryPlan {
  if (typeof query !== 'object' || query === null) throw new TypeError('options must be an object');
  const today = Math.floor(now / DAY_MS);
  const d = new Date(now);
  const firstOfMonth: DayNumber = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / DAY_MS;
  const from = query.from === undefined ? Math.min(firstOfMonth, today) : toDayNumber(query.from, 'from');
  const to = query.to === undefined ? Math.max(today, from) : toDayNumber(query.to, 'to');
  if (to < from) throw new RangeError(`from (${formatDay(from)}) must not be after to (${formatDay(to)})`);
  if (query.onProgress !== undefined && typeof query.onProgress !== 'function') throw new TypeError('onProgress must be a function');
  return { windows: splitIntoWindows(from, to), valueGuids: normalizeGuids(query.valueGuids, 'valueGuids'), onProgress: query.onProgress };
}

/** Fetches one page of one window. */
export type FetchHistoryPage = (window: { from: string; to: string }, offset: number, valueGuids: string | undefined) => Promise<HistoryPage>;

/** An entry, or a later sighting of the last reported entry of its value with a later `validTo`. */
export type HistoryItem = { kind: 'entry'; entry: HistoryEntry } | { kind: 'extend'; valueGuid: string; validTo: Date };

function sameValue(a: ComapValue, b: ComapValue): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/** Walks every window and page of a plan; see the module comment for the de-duplication rule. */
export async function* walkHistory(plan: HistoryPlan, fetchPage: FetchHistoryPage): AsyncGenerator<HistoryItem, void, undefined> {
  const last = new Map<string, HistoryEntry>();
  let pages = 0;
  let entries = 0;
  for (let w = 0; w < plan.windows.length; w++) {
    const win = plan.windows[w] as DayWindow;
    const range = { from: formatDay(win.from), to: formatDay(win.to) };
    const seenInWindow = new Set<string>();
    let offset: number | null = 0;
    while (offset !== null) {
      const page = await fetchPage(range, offset, plan.valueGuids);
      pages += 1;
      for (const v of page.values) {
        const key = v.valueGuid.toLowerCase();
        for (const point of v.history) {
          const previous = last.get(key);
          const firstInWindow = !seenInWindow.has(key);
          if (w > 0 && previous) {
            if (point.validTo.getTime() <= previous.validTo.getTime()) continue;
            seenInWindow.add(key);
            if (firstInWindow && sameValue(point.value, previous.value)) {
              // Only changes are stored: the same value again is the same interval, read later.
              previous.validTo = point.validTo;
              yield { kind: 'extend', valueGuid: v.valueGuid, validTo: point.validTo };
              continue;
            }
          }
          seenInWindow.add(key);
          const entry: HistoryEntry = { valueGuid: v.valueGuid, name: v.name, value: point.value, validTo: point.validTo };
          if (point.validFrom) entry.validFrom = point.validFrom;
          if (v.unit !== undefined) entry.unit = v.unit;
          if (v.decimalPlaces !== undefined) entry.decimalPlaces = v.decimalPlaces;
          last.set(key, { ...entry });
          entries += 1;
          yield { kind: 'entry', entry };
        }
      }
      if (page.nextOffset !== null && page.nextOffset <= offset) {
        throw new ComapResponseError(`history: nextOffset ${page.nextOffset} does not advance past offset ${offset}`, { nextOffset: page.nextOffset });
      }
      offset = page.nextOffset;
    }
    plan.onProgress?.({ window: w + 1, windows: plan.windows.length, from: range.from, to: range.to, pages, entries });
  }
}

/** Only the entries of a walk (for the async iterator). */
export async function* historyEntries(items: AsyncIterable<HistoryItem>): AsyncGenerator<HistoryEntry, void, undefined> {
  for await (const item of items) if (item.kind === 'entry') yield item.entry;
}

/** Collects a walk into one list per value (first-seen order), extending re-read intervals. */
export async function collectHistory(items: AsyncIterable<HistoryItem>): Promise<HistoryValue[]> {
  const byGuid = new Map<string, HistoryValue>();
  for await (const item of items) {
    if (item.kind === 'extend') {
      const list = byGuid.get(item.valueGuid.toLowerCase())?.history;
      const tail = list?.[list.length - 1];
      if (tail) tail.validTo = item.validTo;
      continue;
    }
    const e = item.entry;
    const key = e.valueGuid.toLowerCase();
    let value = byGuid.get(key);
    if (!value) {
      value = { name: e.name, valueGuid: e.valueGuid, history: [] };
      if (e.unit !== undefined) value.unit = e.unit;
      if (e.decimalPlaces !== undefined) value.decimalPlaces = e.decimalPlaces;
      byGuid.set(key, value);
    }
    value.history.push(e.validFrom ? { value: e.value, validFrom: e.validFrom, validTo: e.validTo } : { value: e.value, validTo: e.validTo });
  }
  return [...byGuid.values()];
}
