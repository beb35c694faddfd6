/**
 * History done right: ranges longer than the API's 31-day window are split into windows, each
 * window is paged through `offset`/`nextOffset`, and entries are merged per value. An entry that
 * straddles two windows comes back in both (the API does not clip intervals): it is reported once.
 */
import { ComapResponseError } from './errors.js';
import { type DayNumber, type DayWindow, formatDay, splitIntoWindows, toDayNumber } from './dates.js';
import type { HistoryPage } from './parse.js';
import type { ComapValue, HistoryEntry, HistoryPoint, HistoryValue } from './types.js';
import { normalizeGuids } from './value-guid-list.js';
import { daysInZone } from './zoned-day.js';

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

/** Which history to fetch: a day range and the values; every field is optional. */
export interface HistoryQuery {
  /**
   * First day (inclusive) as `MM/DD/YYYY`, or a Date: an instant (entries that end before it are
   * left out). Default: the 1st of the current month.
   */
  from?: Date | string;
  /** Last day (inclusive) as `MM/DD/YYYY`, or a Date: an instant (entries that start after it are left out). Default: today. */
  to?: Date | string;
  /** Values to fetch (GUIDs); default all. An array, or one comma-separated string. */
  valueGuids?: string | readonly string[];
  /** Called after each fetched window (31 days at most), for progress reports. */
  onProgress?: (progress: HistoryProgress) => void;
  /**
   * The zone `MM/DD/YYYY` bounds are calendar days in: `'unit'` (the unit's `info().timezone`, one
   * more request), `'UTC'`, or an IANA name (`Europe/Prague`). The days become the instants from
   * local midnight of `from` to the end of `to`, and the result is clipped to them. Default: none,
   * the days are sent as written and the server counts them.
   */
  timeZone?: string;
  /**
   * A backfill checkpoint, updated in place before each entry is yielded: save it (JSON) after you
   * have stored the entry; pass the saved one to resume. A resumed walk starts at the checkpoint's
   * window and skips what was yielded before (an interval that went on past the checkpoint comes
   * back from the checkpoint's `validTo` on), so the two runs together yield each interval once.
   */
  checkpoint?: HistoryCheckpoint;
}

/** Where a history export got to: JSON-safe, for a file or a database row. */
export interface HistoryCheckpoint {
  /** The first day (`MM/DD/YYYY`) a resumed walk has to fetch again. */
  from?: string;
  /** Per value GUID (lower case): the `validTo` (ISO) of the last entry yielded. */
  values: Record<string, string>;
}

/** The exact instants asked for (Date bounds); entries outside are dropped. */
export interface HistoryClip {
  fromMs: number;
  toMs: number;
}

export interface HistoryPlan {
  windows: DayWindow[];
  valueGuids: string | undefined;
  onProgress: ((progress: HistoryProgress) => void) | undefined;
  clip: HistoryClip | undefined;
  checkpoint: HistoryCheckpoint | undefined;
}

/** Earth's time zones span UTC-12 to UTC+14: a Date's calendar day is one of these around its UTC day. */
const WEST_MS = 12 * 3_600_000;
const EAST_MS = 14 * 3_600_000;

function checkInstant(date: Date, field: string): number {
  const t = date.getTime();
  toDayNumber(date, field);
  return t;
}

function checkCheckpoint(checkpoint: unknown): HistoryCheckpoint | undefined {
  if (checkpoint === undefined) return undefined;
  const c = checkpoint as HistoryCheckpoint;
  if (typeof c !== 'object' || c === null || typeof c.values !== 'object' || c.values === null) throw new TypeError('checkpoint must be { from?, values: {} } (a saved HistoryCheckpoint)');
  if (c.from !== undefined) toDayNumber(c.from, 'checkpoint.from');
  for (const [guid, at] of Object.entries(c.values)) {
    if (typeof at !== 'string' || Number.isNaN(Date.parse(at))) throw new TypeError(`checkpoint.values[${JSON.stringify(guid)}] must be an ISO timestamp`);
  }
  return c;
}

/**
 * Validates a query (throws TypeError/RangeError naming the field) and splits it into windows.
 * `MM/DD/YYYY` bounds are sent as written, unless `zone` makes them the instants of those days
 * there. A Date is an instant, not a day: the days asked for cover it in any time zone the server
 * may count days in, and the result is clipped to it.
 */
export function planHistory(query: HistoryQuery, now: number, zone?: string): HistoryPlan {
  if (typeof query !== 'object' || query === null) throw new TypeError('options must be an object');
  const today = Math.floor(now / DAY_MS);
  const d = new Date(now);
  const firstOfMonth: DayNumber = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / DAY_MS;
  let fromMs = query.from instanceof Date ? checkInstant(query.from, 'from') : undefined;
  let toMs = query.to instanceof Date ? checkInstant(query.to, 'to') : undefined;
  if (zone !== undefined) {
    // Calendar days of the zone: their instants, then planned like Date bounds.
    const fromDay = typeof query.from === 'string' ? toDayNumber(query.from, 'from') : query.from === undefined ? Math.min(firstOfMonth, today) : undefined;
    const toDay = typeof query.to === 'string' ? toDayNumber(query.to, 'to') : query.to === undefined ? today : undefined;
    if (fromDay !== undefined) fromMs = daysInZone(fromDay, fromDay, zone).fromMs;
    if (toDay !== undefined) toMs = daysInZone(toDay, toDay, zone).toMs;
  }
  if (fromMs !== undefined && toMs !== undefined && toMs < fromMs) throw new RangeError(`from (${new Date(fromMs).toISOString()}) must not be after to (${new Date(toMs).toISOString()})`);
  let from = query.from === undefined && fromMs === undefined ? Math.min(firstOfMonth, today) : fromMs !== undefined ? Math.max(0, Math.floor((fromMs - WEST_MS) / DAY_MS)) : toDayNumber(query.from as string, 'from');
  const to = query.to === undefined && toMs === undefined ? Math.max(today, from) : toMs !== undefined ? Math.floor((toMs + EAST_MS) / DAY_MS) : toDayNumber(query.to as string, 'to');
  if (to < from) throw new RangeError(`from (${formatDay(from)}) must not be after to (${formatDay(to)})`);
  if (query.onProgress !== undefined && typeof query.onProgress !== 'function') throw new TypeError('onProgress must be a function');
  const checkpoint = checkCheckpoint(query.checkpoint);
  // A resumed walk starts where the checkpoint says (never before `from`).
  if (checkpoint?.from !== undefined) from = Math.max(from, toDayNumber(checkpoint.from, 'checkpoint.from'));
  const clip = fromMs === undefined && toMs === undefined ? undefined : { fromMs: fromMs ?? -Infinity, toMs: toMs ?? Infinity };
  return { windows: from > to ? [] : splitIntoWindows(from, to), valueGuids: normalizeGuids(query.valueGuids, 'valueGuids'), onProgress: query.onProgress, clip, checkpoint };
}

/** Fetches one page of one window. */
export type FetchHistoryPage = (window: { from: string; to: string }, offset: number, valueGuids: string | undefined) => Promise<HistoryPage>;

/** Consecutive pages without a single entry after which a still-advancing `nextOffset` is a server fault. */
export const MAX_EMPTY_PAGES = 3;

function sameValue(a: ComapValue, b: ComapValue): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Whether `point`, seen in a later window, is the same interval as `held` read again (the API does
 * not clip intervals to the window): with `validFrom`, the same value starting no later than `held`
 * ended (touching or overlapping); without it, the same value as the first sighting in the window.
 */
function continues(held: HistoryEntry, point: HistoryPoint, firstInWindow: boolean): boolean {
  if (!sameValue(point.value, held.value)) return false;
  if (point.validFrom !== undefined) return point.validFrom.getTime() <= held.validTo.getTime();
  return firstInWindow;
}

function toEntry(v: HistoryValue, point: HistoryPoint): HistoryEntry {
  const entry: HistoryEntry = { valueGuid: v.valueGuid, name: v.name, value: point.value, validTo: point.validTo };
  if (point.validFrom) entry.validFrom = point.validFrom;
  if (v.unit !== undefined) entry.unit = v.unit;
  if (v.decimalPlaces !== undefined) entry.decimalPlaces = v.decimalPlaces;
  return entry;
}

/** Whether an entry overlaps the instants asked for (an entry without `validFrom` counts from its `validTo`). */
function inside(entry: HistoryEntry, clip: HistoryClip | undefined): boolean {
  if (!clip) return true;
  const start = (entry.validFrom ?? entry.validTo).getTime();
  return entry.validTo.getTime() >= clip.fromMs && start <= clip.toMs;
}

/**
 * Walks every window and page of a plan and yields each interval once, complete: the last entry
 * of every value is held back until the next window shows whether it continues (then its
 * `validTo` grows) or a new interval begins (a gap between equal values is kept). Memory: one
 * entry per value.
 */
export async function* walkHistory(plan: HistoryPlan, fetchPage: FetchHistoryPage): AsyncGenerator<HistoryEntry, void, undefined> {
  const held = new Map<string, HistoryEntry>();
  const resume = new Resume(plan.checkpoint);
  let pages = 0;
  let entries = 0;
  for (let w = 0; w < plan.windows.length; w++) {
    const win = plan.windows[w] as DayWindow;
    const range = { from: formatDay(win.from), to: formatDay(win.to) };
    const seenInWindow = new Set<string>();
    let offset: number | null = 0;
    let emptyPages = 0;
    while (offset !== null) {
      const page = await fetchPage(range, offset, plan.valueGuids);
      pages += 1;
      let points = 0;
      for (const v of page.values) {
        const key = v.valueGuid.toLowerCase();
        for (const point of v.history) {
          points += 1;
          const previous = held.get(key);
          const firstInWindow = !seenInWindow.has(key);
          seenInWindow.add(key);
          if (previous) {
            // Read before: the same interval again, or an older one.
            if (point.validTo.getTime() <= previous.validTo.getTime()) continue;
            if (continues(previous, point, firstInWindow)) {
              previous.validTo = point.validTo;
              resume.holding(key, win.from);
              continue;
            }
            resume.settled(key);
            if (inside(previous, plan.clip) && resume.keep(key, previous, win.from)) {
              entries += 1;
              yield previous;
            }
          }
          held.set(key, toEntry(v, point));
          resume.holding(key, win.from);
        }
      }
      emptyPages = points === 0 ? emptyPages + 1 : 0;
      if (page.nextOffset !== null && page.nextOffset <= offset) {
        throw new ComapResponseError(`history: nextOffset ${page.nextOffset} does not advance past offset ${offset}`, { nextOffset: page.nextOffset });
      }
      if (page.nextOffset !== null && emptyPages >= MAX_EMPTY_PAGES) {
        throw new ComapResponseError(`history: ${emptyPages} pages in a row without entries and nextOffset still ${page.nextOffset} (window ${range.from}-${range.to})`, { nextOffset: page.nextOffset });
      }
      offset = page.nextOffset;
    }
    if (w === plan.windows.length - 1) {
      // Nothing can continue them now: the held entries are final (and counted in the last progress).
      for (const [key, entry] of held) {
        resume.settled(key);
        if (!inside(entry, plan.clip) || !resume.keep(key, entry, win.from)) continue;
        entries += 1;
        yield entry;
      }
    }
    plan.onProgress?.({ window: w + 1, windows: plan.windows.length, from: range.from, to: range.to, pages, entries });
  }
}

/**
 * The checkpoint side of a walk: skips what a previous run yielded, and before each entry records
 * its `validTo` and the first day a resumed run must fetch again (the earliest window an entry not
 * yet yielded came from).
 */
class Resume {
  private readonly origins = new Map<string, DayNumber>();
  private readonly before: ReadonlyMap<string, number>;

  constructor(private readonly checkpoint: HistoryCheckpoint | undefined) {
    this.before = new Map(Object.entries(checkpoint?.values ?? {}).map(([k, v]) => [k.toLowerCase(), Date.parse(v)]));
  }

  /** A value's held entry was last seen in the window starting on `day` (the API serves an interval in every window it overlaps). */
  holding(key: string, day: DayNumber): void {
    this.origins.set(key, day);
  }

  /** The value's held entry is being yielded or dropped: nothing of it is pending any more. */
  settled(key: string): void {
    this.origins.delete(key);
  }

  /** Whether to yield `entry` (not yielded by the run the checkpoint came from); updates the checkpoint. */
  keep(key: string, entry: HistoryEntry, windowFrom: DayNumber): boolean {
    const c = this.checkpoint;
    if (!c) return true;
    const done = this.before.get(key);
    if (done !== undefined && entry.validTo.getTime() <= done) return false;
    // An interval that went on past the checkpoint: only its part after it is new.
    if (done !== undefined && entry.validFrom !== undefined && entry.validFrom.getTime() < done) entry.validFrom = new Date(done);
    c.values[key] = entry.validTo.toISOString();
    let from = windowFrom;
    for (const day of this.origins.values()) from = Math.min(from, day);
    c.from = formatDay(from);
    return true;
  }
}

/** Collects a walk into one list per value (first-seen order). */
export async function collectHistory(entries: AsyncIterable<HistoryEntry>): Promise<HistoryValue[]> {
  const byGuid = new Map<string, HistoryValue>();
  for await (const e of entries) {
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
