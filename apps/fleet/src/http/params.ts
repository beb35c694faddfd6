// Query and body validation for the API: every failure names the parameter.
import { GRANULARITIES, isGranularity, parseTimeWindow, type Granularity } from '../average.js';
import { badRequest } from './errors.js';

const MAX_TEXT = 200;

/** ISO-8601 (with a time zone or date only) or epoch milliseconds. */
export function parseTime(param: string, text: string): number {
  if (/^-?\d{1,15}$/.test(text)) return Number(text);
  if (/^\d{4}-\d{2}-\d{2}(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) {
    const ms = Date.parse(text);
    if (Number.isFinite(ms)) return ms;
  }
  throw badRequest(param, `expected an ISO-8601 time or epoch milliseconds, got ${JSON.stringify(text.slice(0, 40))}`);
}

export class Query {
  readonly #params: URLSearchParams;
  readonly #known: Set<string>;

  constructor(params: URLSearchParams, known: readonly string[]) {
    this.#params = params;
    this.#known = new Set([...known, 'token']);
    for (const key of params.keys()) {
      if (!this.#known.has(key)) throw badRequest(key, `unknown query parameter (known: ${known.join(', ') || 'none'})`);
    }
  }

  text(name: string): string | undefined {
    const all = this.#params.getAll(name);
    if (all.length > 1) throw badRequest(name, 'given more than once');
    const v = all[0];
    if (v === undefined) return undefined;
    if (v.length === 0) throw badRequest(name, 'must not be empty');
    if (v.length > MAX_TEXT) throw badRequest(name, `longer than ${MAX_TEXT} characters`);
    return v;
  }

  time(name: string): number | undefined {
    const v = this.text(name);
    return v === undefined ? undefined : parseTime(name, v);
  }

  integer(name: string, min: number, max: number): number | undefined {
    const v = this.text(name);
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw badRequest(name, `expected an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
    return Number(v);
  }

  oneOf<T extends string>(name: string, values: readonly T[]): T | undefined {
    const v = this.text(name);
    if (v === undefined) return undefined;
    if (!(values as readonly string[]).includes(v)) throw badRequest(name, `expected one of ${values.join(', ')}, got ${JSON.stringify(v)}`);
    return v as T;
  }

  granularity(): Granularity {
    const v = this.text('granularity') ?? 'all';
    if (!isGranularity(v)) throw badRequest('granularity', `expected one of ${GRANULARITIES.join(', ')}, got ${JSON.stringify(v)}`);
    return v;
  }

  timeWindow(): number | undefined {
    const v = this.text('time_window');
    if (v === undefined) return undefined;
    try {
      return parseTimeWindow(v);
    } catch (err) {
      throw badRequest('time_window', (err as Error).message.replace(/^time_window /, ''));
    }
  }
}

/** `from`/`to` with defaults; `from` must not be after `to`. */
export function timeRange(q: Query, now: number, defaultSpanMs: number | 'epoch'): { from: number; to: number } {
  const to = q.time('to') ?? now;
  const from = q.time('from') ?? (defaultSpanMs === 'epoch' ? 0 : to - defaultSpanMs);
  if (from > to) throw badRequest('from', 'must not be after to');
  return { from, to };
}
