/**
 * Errors of @x/comap; every one is an @x/http-core error with a `category` (decide by
 * `errorCategory(error)`, never by names):
 *
 * - HTTP failures are http-core's `HttpError`, whose `vendor.message` is ComAp's `errorMessage`
 *   (or the API gateway's `message`). A refused token request is category `auth`; ComAp's
 *   rate-limit answer is `throttled`; the rest follow the status (`httpStatusCategory`).
 * - `NetworkError`, `TimeoutError`, `AbortError` as http-core throws them.
 * - `ComapResponseError` (`protocol`): a 2xx answer whose data does not have the documented shape.
 * - `ComapNotFoundError` (`not-found`): a unit name that matches no unit.
 */
import type { Unit } from './types.js';
import { ProtocolError, XError, isHttpError, rawPreview, type ErrorCategory, type VendorErrorInfo } from '@x/http-core';

/**
 * The server answered 2xx with data that does not have the documented shape (guard:
 * `isComapResponseError`; it is also a ProtocolError for `isProtocolError`). `rawPreview` holds at
 * most 2 KiB of what was sent, secrets redacted.
 */
export class ComapResponseError extends ProtocolError {
  constructor(message: string, raw: unknown, code = 'COMAP_BAD_RESPONSE') {
    super(message, rawPreview(raw), { code, category: 'protocol' });
  }
}
Object.defineProperty(ComapResponseError.prototype, 'name', { value: 'ComapResponseError', writable: true, configurable: true, enumerable: false });

/** True for a ComapResponseError or ComapItemError (also across copies of the package: checks `name` and `code`, not the class). */
export function isComapResponseError(e: unknown): e is ComapResponseError {
  const code = (e as { code?: unknown } | null)?.code;
  return e instanceof Error && (e.name === 'ComapResponseError' || e.name === 'ComapItemError') && (code === 'COMAP_BAD_RESPONSE' || code === 'COMAP_BAD_ITEM');
}

/**
 * One item of a list answer (a unit, a value, a history entry, ...) without the documented shape.
 * The client skips it and reports it (`onInvalidItem`) instead of failing the whole call, unless
 * `strict` is set. `path` says where (`values.values[3].timeStamp`); `item` is the item as
 * received (non-enumerable), `rawPreview` a bounded, redacted preview of it.
 */
export class ComapItemError extends ComapResponseError {
  /** Where the item is in the answer, e.g. `values.values[3]`. */
  declare readonly path: string;
  /** The item as received (non-enumerable, so logging the error does not print it twice). */
  declare readonly item: unknown;
  constructor(message: string, path: string, item: unknown) {
    super(message, item, 'COMAP_BAD_ITEM');
    Object.defineProperty(this, 'path', { value: path, enumerable: true });
    Object.defineProperty(this, 'item', { value: item, enumerable: false });
  }
}
Object.defineProperty(ComapItemError.prototype, 'name', { value: 'ComapItemError', writable: true, configurable: true, enumerable: false });

/** Nothing of that name exists (e.g. no unit name contains the text the CLI was given). */
export class ComapNotFoundError extends XError {
  constructor(message: string) {
    super(message, { code: 'COMAP_NOT_FOUND', category: 'not-found' });
  }
}
Object.defineProperty(ComapNotFoundError.prototype, 'name', { value: 'ComapNotFoundError', writable: true, configurable: true, enumerable: false });

/**
 * A unit name that does not single out one unit (several names start with it, or none does but
 * some contain it). Nothing was sent; `candidates` are the units it could mean.
 */
export class ComapAmbiguousUnitError extends XError {
  /** The units the name could mean (all of them; the message shows at most ten). */
  declare readonly candidates: readonly Unit[];
  constructor(message: string, candidates: readonly Unit[]) {
    super(message, { code: 'COMAP_AMBIGUOUS_UNIT', category: 'input' });
    Object.defineProperty(this, 'candidates', { value: Object.freeze([...candidates]), enumerable: true });
  }
}
Object.defineProperty(ComapAmbiguousUnitError.prototype, 'name', { value: 'ComapAmbiguousUnitError', writable: true, configurable: true, enumerable: false });

/**
 * A command was not sent because the unit's own data rules it out: a mode it does not offer
 * (`input`) or a login without the `control` permission (`auth`).
 */
export class ComapCommandRefusedError extends XError {
  constructor(message: string, category: 'input' | 'auth') {
    super(message, { code: 'COMAP_COMMAND_REFUSED', category });
  }
}
Object.defineProperty(ComapCommandRefusedError.prototype, 'name', { value: 'ComapCommandRefusedError', writable: true, configurable: true, enumerable: false });

/**
 * A command was sent but its answer never came (connection lost, timeout, 502/504): the unit may
 * or may not have executed it. Not retried; read the unit (`waitForEffect`) before sending it
 * again. Category `conflict`, so no retry policy that decides by category sends it twice;
 * `cause` is the transport error.
 */
export class ComapCommandOutcomeUnknownError extends XError {
  constructor(message: string, cause: unknown) {
    super(message, { code: 'COMAP_COMMAND_OUTCOME_UNKNOWN', category: 'conflict', cause });
  }
}
Object.defineProperty(ComapCommandOutcomeUnknownError.prototype, 'name', { value: 'ComapCommandOutcomeUnknownError', writable: true, configurable: true, enumerable: false });

/**
 * Reads ComAp's error bodies: `{ "errorMessage": "..." }` from the API and the Identity service,
 * `{ "statusCode": 401, "message": "..." }` from the API gateway. The clients' `parseVendorError`.
 */
export function parseComapError(body: unknown): VendorErrorInfo | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as { errorMessage?: unknown; message?: unknown; statusCode?: unknown };
  if (typeof b.errorMessage === 'string') return { message: b.errorMessage };
  if (typeof b.message === 'string') return typeof b.statusCode === 'number' ? { code: String(b.statusCode), message: b.message } : { message: b.message };
  return undefined;
}

// The gateway's answers over the limit: "Rate limit exceeded. Retry after 1 second/s.",
// "Rate limit is exceeded. Try again in 12 seconds.", "Out of call volume quota. …".
const RATE_LIMIT_TEXT = /rate limit (is )?exceeded|out of call volume quota/i;

/** The WSV client's `classify`: ComAp's rate-limit answer is throttled whatever its status. */
export function classifyWsvError(error: unknown): ErrorCategory | undefined {
  if (!isHttpError(error)) return undefined;
  return RATE_LIMIT_TEXT.test(error.vendor?.message ?? '') ? 'throttled' : undefined;
}

/**
 * The Identity client's `classify`: its rate-limit answer is throttled; any other 4xx to a token
 * request (ComAp answers wrong credentials with a 400) is a refusal of the credentials, `auth`.
 */
export function classifyIdentityError(error: unknown): ErrorCategory | undefined {
  if (!isHttpError(error)) return undefined;
  if (error.status === 429 || RATE_LIMIT_TEXT.test(error.vendor?.message ?? '')) return 'throttled';
  if (error.status >= 400 && error.status <= 499 && error.status !== 404 && error.status !== 408) return 'auth';
  return undefined;
}
