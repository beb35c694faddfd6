/**
 * Turns untrusted JSON from the API into the typed shapes of `types.ts`. Unknown extra fields
 * are ignored; a missing or mistyped documented field throws a ComapResponseError with a bounded
 * preview of what the server sent.
 */
import { parseComapTimestamp } from './dates.js';
import { ComapItemError, ComapResponseError, isComapResponseError } from './errors.js';
import { decodeHtmlEntities } from './html.js';
import type {
  Comment,
  ComapValue,
  HistoryPoint,
  HistoryValue,
  Permission,
  TokenResponse,
  Unit,
  UnitFile,
  UnitInfo,
  UnitPermissions,
  UnitValue,
} from './types.js';

type Obj = Record<string, unknown>;

/** How list answers treat a malformed item: skip and report it (default), or fail the call (`strict`). */
export interface ParseMode {
  strict: boolean;
  onInvalidItem: (error: ComapItemError) => void;
}

/** Every malformed item fails the call (token, tests, and `strict: true`). */
export const STRICT: ParseMode = Object.freeze({
  strict: true,
  onInvalidItem: () => undefined,
});

/** Reads fields of one JSON object, reporting failures against the whole response. */
class Reader {
  constructor(
    readonly obj: Obj,
    readonly where: string,
    readonly root: unknown,
  ) {}

  fail(field: string, expected: string): never {
    throw new ComapResponseError(`${this.where}.${field}: expected ${expected}`, this.root);
  }

  str(field: string): string {
    const v = this.obj[field];
    if (typeof v !== 'string') this.fail(field, 'a string');
    return v;
  }

  optStr(field: string, fallback = ''): string {
    const v = this.obj[field];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'string') this.fail(field, 'a string');
    return v;
  }

  num(field: string, fallback?: number): number {
    const v = this.obj[field];
    if ((v === undefined || v === null) && fallback !== undefined) return fallback;
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
    return this.fail(field, 'a number');
  }

  numOrNull(field: string): number | null {
    const v = this.obj[field];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
    return null;
  }

  bool(field: string, fallback = false): boolean {
    const v = this.obj[field];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') this.fail(field, 'a boolean');
    return v;
  }

  date(field: string): Date {
    const v = this.obj[field];
    const d = typeof v === 'string' ? parseComapTimestamp(v) : undefined;
    if (!d) this.fail(field, 'an ISO 8601 timestamp');
    return d;
  }

  optDate(field: string): Date | undefined {
    const v = this.obj[field];
    if (v === undefined || v === null) return undefined;
    return this.date(field);
  }

  value(field: string): ComapValue {
    const v = this.obj[field];
    if (v === undefined || v === null) return null;
    if (typeof v === 'string' || typeof v === 'number' || Array.isArray(v)) return v as ComapValue;
    if (typeof v === 'boolean') return String(v);
    return this.fail(field, 'a string, a number or a list');
  }

  /**
   * The items of a list, each mapped by `map`; a malformed one is skipped and reported (its
   * ComapItemError carries the item), or fails the whole answer in strict mode.
   */
  items<T>(field: string, mode: ParseMode, map: (item: Reader) => T): T[] {
    const v = this.obj[field];
    if (!Array.isArray(v)) this.fail(field, 'a list');
    const out: T[] = [];
    v.forEach((item: unknown, i) => {
      const where = `${this.where}.${field}[${i}]`;
      try {
        if (!isObj(item)) this.fail(`${field}[${i}]`, 'an object');
        out.push(map(new Reader(item, where, this.root)));
      } catch (error) {
        if (mode.strict || !isComapResponseError(error) || error instanceof ComapItemError) throw error;
        mode.onInvalidItem(new ComapItemError(error.message, where, item));
      }
    });
    return out;
  }

  child(field: string): Reader {
    const v = this.obj[field];
    return new Reader(isObj(v) ? v : {}, `${this.where}.${field}`, this.root);
  }
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function root(body: unknown, what: string): Reader {
  if (!isObj(body)) throw new ComapResponseError(`${what}: expected a JSON object`, body);
  return new Reader(body, what, body);
}

export function parseToken(body: unknown): TokenResponse {
  const r = root(body, 'token');
  const token = r.str('access_token');
  if (token === '') r.fail('access_token', 'a non-empty string');
  const expires = r.num('expires_in');
  if (expires <= 0) r.fail('expires_in', 'a positive number of seconds');
  return { token_type: r.optStr('token_type', 'Bearer'), expires_in: expires, ext_expires_in: r.num('ext_expires_in', expires), access_token: token };
}

export function parseUnits(body: unknown, mode: ParseMode = STRICT): Unit[] {
  return root(body, 'units').items('units', mode, (u) => ({ name: u.str('name'), unitGuid: u.str('unitGuid'), url: u.optStr('url') }));
}

export function parseValues(body: unknown, mode: ParseMode = STRICT): UnitValue[] {
  return root(body, 'values').items('values', mode, (v) => ({
      name: v.str('name'),
      valueGuid: v.str('valueGuid'),
      value: v.value('value'),
      unit: v.optStr('unit'),
      highLimit: v.num('highLimit', 0),
      lowLimit: v.num('lowLimit', 0),
      decimalPlaces: v.num('decimalPlaces', 0),
      timeStamp: v.date('timeStamp'),
    }));
}

export function parseInfo(body: unknown): UnitInfo {
  const r = root(body, 'info');
  const c = r.child('connection');
  const p = r.child('position');
  return {
    name: r.str('name'),
    unitGuid: r.str('unitGuid'),
    ownerLoginId: r.optStr('ownerLoginId'),
    applicationType: r.optStr('applicationType'),
    timezone: r.optStr('timezone'),
    connection: {
      enabled: c.bool('enabled'),
      airGateId: c.optStr('airGateId'),
      ipAddress: c.optStr('ipAddress'),
      port: c.numOrNull('port'),
      controllerAddress: c.numOrNull('controllerAddress'),
    },
    position: { positionType: p.optStr('positionType'), latitude: p.numOrNull('latitude'), longitude: p.numOrNull('longitude') },
  };
}

export function parsePermissions(body: unknown, mode: ParseMode = STRICT): UnitPermissions {
  const r = root(body, 'permissions');
  return {
    name: r.optStr('name'),
    unitGuid: r.str('unitGuid'),
    permissions: r.items(
      'permissions',
      mode,
      (p): Permission => ({
        loginId: p.str('loginId'),
        read: p.bool('read'),
        control: p.bool('control'),
        modify: p.bool('modify'),
        shutdownNote: p.bool('shutdownNote'),
        allAlarmsNote: p.bool('allAlarmsNote'),
      }),
    ),
  };
}

export function parseComments(body: unknown, mode: ParseMode = STRICT): Comment[] {
  return root(body, 'comments').items('comments', mode, (c): Comment => {
      const rawId = c.obj.id;
      const id = typeof rawId === 'number' || typeof rawId === 'string' ? rawId : c.fail('id', 'a number or a string');
      // `author` (live API) wins; the documented misspelling `auhtor` is read when it is absent or null.
      const author = decodeHtmlEntities(c.obj.author !== undefined && c.obj.author !== null ? c.optStr('author') : c.optStr('auhtor'));
      return { id, author, date: c.date('date'), text: decodeHtmlEntities(c.optStr('text')), active: c.bool('active', true) };
    });
}

export function parseFiles(body: unknown, mode: ParseMode = STRICT): UnitFile[] {
  return root(body, 'files').items('files', mode, (f) => ({ fileName: f.str('fileName'), fileType: f.optStr('fileType'), generated: f.date('generated') }));
}

/** One page of history: its values and the offset of the next page (null when done). */
export interface HistoryPage {
  values: HistoryValue[];
  nextOffset: number | null;
}

export function parseHistoryPage(body: unknown, mode: ParseMode = STRICT): HistoryPage {
  const r = root(body, 'history');
  const next = r.obj.nextOffset;
  let nextOffset: number | null = null;
  if (next !== undefined && next !== null) {
    nextOffset = r.num('nextOffset');
    if (!Number.isSafeInteger(nextOffset) || nextOffset < 0) r.fail('nextOffset', 'a non-negative integer or null');
  }
  const values = r.items('values', mode, (v): HistoryValue => {
    const out: HistoryValue = {
      name: v.optStr('name'),
      valueGuid: v.str('valueGuid'),
      history: v.items('history', mode, (h): HistoryPoint => {
        const point: HistoryPoint = { value: h.value('value'), validTo: h.date('validTo') };
        const from = h.optDate('validFrom');
        if (from) point.validFrom = from;
        return point;
      }),
    };
    if (typeof v.obj.unit === 'string') out.unit = v.obj.unit;
    if (v.obj.decimalPlaces !== undefined && v.obj.decimalPlaces !== null) out.decimalPlaces = v.num('decimalPlaces');
    return out;
  });
  return { values, nextOffset };
}
