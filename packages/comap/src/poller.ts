/**
 * `pollFleet(client)`: sweeps over every unit of a login, one values call per unit, paced by the
 * client's per-key rate limiter (1 request/s shared by every client of the key) and its shared
 * token, as an async iterator of per-unit readings, per-unit errors and sweep summaries.
 */
import { AbortError, errorCategory, isAbortError, sleep, systemClock, type CallOptions, type Clock, type ErrorCategory } from '@x/http-core';
import { callOptions } from './options.js';
import { pollOrder, readUnit, type UnitMemory, type UnitReading } from './poll-unit.js';
import { normalizeGuids } from './value-guid-list.js';
import type { WSV } from './wsv.js';

export type { OfflineReason, UnitReading, ValueChange } from './poll-unit.js';

/** A unit's values were read; see `UnitReading` for what changed. */
export interface UnitPollEvent extends UnitReading {
  type: 'unit';
  sweep: number;
  unitGuid: string;
  /** From the units list; undefined when the caller named the units by GUID. */
  name: string | undefined;
}

/** Reading one unit failed (after the client's retries); the sweep goes on. */
export interface UnitPollErrorEvent {
  type: 'error';
  sweep: number;
  unitGuid: string;
  name: string | undefined;
  error: unknown;
  category: ErrorCategory | undefined;
}

/** A sweep ended: every unit of it was reported exactly once, as `unit` or `error`. */
export interface SweepEvent {
  type: 'sweep';
  sweep: number;
  units: number;
  ok: number;
  offline: number;
  failed: number;
  durationInMs: number;
}

/** What `pollFleet` yields: a unit's reading, a unit's failure, or the end of a sweep. */
export type FleetPollEvent = UnitPollEvent | UnitPollErrorEvent | SweepEvent;

/** Options of `pollFleet`; `signal`, `timeoutInMs` and `deadlineInMs` apply to each call. */
export interface FleetPollOptions extends CallOptions {
  /** Unit GUIDs to poll; default every unit of the login, listed again at the start of each sweep. */
  units?: readonly string[];
  /** Only these value GUIDs (array or "a,b"); keep `comm_state` and `alarm_list_ext` in for offline and alarm detection. */
  valueGuids?: string | readonly string[];
  /** A unit whose newest value is older than this counts as offline (`stale`). Default 900 000 (15 min). */
  staleAfterInMs?: number;
  /** How many sweeps, then the iterator ends. Default endless. */
  sweeps?: number;
  /** Least time from one sweep's start to the next's. Default 0 (the rate limit paces the sweeps). */
  intervalInMs?: number;
  /** Values calls in flight at once (the rate limiter still sends one per interval). Default 2. */
  concurrency?: number;
  /** Time source for staleness and the wait between sweeps; use the client's. Default the system clock. */
  clock?: Clock;
}

interface Plan {
  units: readonly string[] | undefined;
  guids: string | undefined;
  staleAfterInMs: number;
  sweeps: number;
  intervalInMs: number;
  concurrency: number;
  clock: Clock;
  call: CallOptions;
}

function count(value: unknown, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new TypeError(`pollFleet() options.${name} must be a number`);
  if (!(value >= min) || (!Number.isInteger(value) && value !== Infinity)) throw new RangeError(`pollFleet() options.${name} must be an integer >= ${min}, got ${value}`);
  return value;
}

function plan(options: FleetPollOptions | undefined): Plan {
  if (options !== undefined && (typeof options !== 'object' || options === null)) throw new TypeError('pollFleet() options must be an object');
  const o = options ?? {};
  const units = o.units;
  if (units !== undefined && (!Array.isArray(units) || units.some((u) => typeof u !== 'string' || u === ''))) throw new TypeError('pollFleet() options.units must be an array of unit GUIDs');
  if (o.clock !== undefined && (typeof o.clock !== 'object' || typeof o.clock.now !== 'function' || typeof o.clock.setTimeout !== 'function')) throw new TypeError('pollFleet() options.clock must be a Clock');
  const { signal, timeoutInMs, deadlineInMs } = o;
  return {
    units: units ? [...new Set(units)] : undefined,
    guids: normalizeGuids(o.valueGuids, 'pollFleet() options.valueGuids'),
    staleAfterInMs: count(o.staleAfterInMs, 'staleAfterInMs', 900_000, 1),
    sweeps: count(o.sweeps, 'sweeps', Infinity, 1),
    intervalInMs: count(o.intervalInMs, 'intervalInMs', 0, 0),
    concurrency: count(o.concurrency, 'concurrency', 2, 1),
    clock: o.clock ?? systemClock,
    call: callOptions({ ...(signal ? { signal } : {}), ...(timeoutInMs !== undefined ? { timeoutInMs } : {}), ...(deadlineInMs !== undefined ? { deadlineInMs } : {}) }, 'pollFleet() options'),
  };
}

/** The sweep's units with their names: the given GUIDs, or the login's list (the last good one when listing fails). */
async function sweepUnits(client: WSV, p: Plan, signal: AbortSignal, last: Map<string, string | undefined>): Promise<Map<string, string | undefined>> {
  if (p.units) return new Map(p.units.map((guid) => [guid, undefined]));
  try {
    return new Map((await client.units({ ...p.call, signal })).map((u) => [u.unitGuid, u.name]));
  } catch (error) {
    if (signal.aborted || last.size === 0) throw error;
    return last;
  }
}

/** Completion order over `jobs`, at most `limit` at once; a rejection (only an abort) ends it. */
async function* inCompletionOrder<T>(jobs: readonly (() => Promise<T>)[], limit: number): AsyncGenerator<T> {
  const running = new Map<number, Promise<{ id: number; value: T }>>();
  let next = 0;
  while (next < jobs.length || running.size > 0) {
    while (running.size < limit && next < jobs.length) {
      const id = next++;
      const job = (jobs[id] as () => Promise<T>)().then((value) => ({ id, value }));
      job.catch(() => undefined);
      running.set(id, job);
    }
    const done = await Promise.race(running.values());
    running.delete(done.id);
    yield done.value;
  }
}

/**
 * Polls the units of `client`'s login sweep after sweep. Each sweep reports every unit exactly
 * once (a `unit` reading or an `error`), then a `sweep` summary. Units with active alarms, lost
 * communication or a failed last reading are polled first. A failing unit never stops the sweep;
 * `signal` (or leaving the loop) stops it, the signal with an AbortError.
 */
export async function* pollFleet(client: WSV, options?: FleetPollOptions): AsyncGenerator<FleetPollEvent, void, undefined> {
  const p = plan(options);
  const stop = new AbortController();
  const outer = p.call.signal;
  const onAbort = () => stop.abort(outer?.reason);
  outer?.addEventListener('abort', onAbort, { once: true });
  if (outer?.aborted) onAbort();
  const memory = new Map<string, UnitMemory>();
  let names = new Map<string, string | undefined>();
  try {
    for (let sweep = 1; sweep <= p.sweeps; sweep++) {
      const started = p.clock.now();
      names = await sweepUnits(client, p, stop.signal, names);
      for (const guid of memory.keys()) if (!names.has(guid)) memory.delete(guid);
      const summary: SweepEvent = { type: 'sweep', sweep, units: names.size, ok: 0, offline: 0, failed: 0, durationInMs: 0 };
      const jobs = pollOrder([...names.keys()], memory).map((guid) => () => pollOne(client, p, stop.signal, memory, { sweep, unitGuid: guid, name: names.get(guid) }));
      for await (const event of inCompletionOrder(jobs, p.concurrency)) {
        if (event.type === 'error') summary.failed += 1;
        else if (event.online) summary.ok += 1;
        else summary.offline += 1;
        yield event;
      }
      summary.durationInMs = p.clock.now() - started;
      yield summary;
      const wait = started + p.intervalInMs - p.clock.now();
      if (sweep < p.sweeps && wait > 0) await sleep(wait, stop.signal, p.clock);
    }
  } catch (error) {
    // Whatever noticed the abort first (a call, the wait between sweeps), the caller sees an AbortError.
    if (stop.signal.aborted && !isAbortError(error)) throw new AbortError(stop.signal.reason, 'the fleet poll was aborted');
    throw error;
  } finally {
    outer?.removeEventListener('abort', onAbort);
    stop.abort(new AbortError('the poller stopped'));
  }
}

async function pollOne(client: WSV, p: Plan, signal: AbortSignal, memory: Map<string, UnitMemory>, at: { sweep: number; unitGuid: string; name: string | undefined }): Promise<UnitPollEvent | UnitPollErrorEvent> {
  try {
    const values = await client.values(at.unitGuid, p.guids, { ...p.call, signal });
    const { reading, memory: next } = readUnit(values, memory.get(at.unitGuid), p.clock.now(), p.staleAfterInMs);
    memory.set(at.unitGuid, next);
    return { type: 'unit', ...at, ...reading };
  } catch (error) {
    if (signal.aborted) throw error;
    const known = memory.get(at.unitGuid);
    if (known) known.failed = true;
    return { type: 'error', ...at, error, category: errorCategory(error) };
  }
}
