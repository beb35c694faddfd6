/**
 * Typed errors of @x/http-core. Every instance carries a `Symbol.for` brand naming its family, and
 * the core classes answer `instanceof` by that brand (as undici's errors do), so `instanceof
 * HttpError` and the type guards both work when several copies of the package are loaded. A
 * subclass keeps its parent's `kind` (a vendor `class ComapError extends HttpError` is still an
 * HttpError) and may change `name`, `code` and `category` freely; `instanceof ComapError` stays an
 * ordinary prototype check.
 */

/** The error families; subclasses inherit their parent's kind. */
export type XErrorKind =
  | 'XError'
  | 'HttpError'
  | 'NetworkError'
  | 'TimeoutError'
  | 'AbortError'
  | 'ParseError'
  | 'ProtocolError'
  | 'SizeLimitError';

/** Sanitised request details attached (non-enumerable) to errors raised by the client. */
export interface ErrorRequestInfo {
  method: string;
  /** Redacted URL. */
  url: string;
  /** Redacted headers (allow-list). */
  headers: Record<string, string>;
}

/** Sanitised response details attached (non-enumerable) to HttpError and ParseError. */
export interface ErrorResponseInfo {
  status: number;
  headers: Record<string, string>;
}

/**
 * What a failure means to an app, whichever package raised it: decide by this, never by names.
 * `auth` (credentials refused or expired), `throttled` (slow down), `transient` (try again later),
 * `timeout`, `protocol` (the other side sent something unusable), `input` (the request itself is
 * wrong), `not-found`, `conflict`, `aborted` (the caller cancelled).
 */
export type ErrorCategory = 'auth' | 'throttled' | 'transient' | 'timeout' | 'protocol' | 'input' | 'not-found' | 'conflict' | 'aborted';

/** Every category, in a stable order. */
export const ERROR_CATEGORIES: readonly ErrorCategory[] = Object.freeze([
  'auth',
  'throttled',
  'transient',
  'timeout',
  'protocol',
  'input',
  'not-found',
  'conflict',
  'aborted',
] as const);

const CATEGORY_SET: ReadonlySet<unknown> = new Set<ErrorCategory>(ERROR_CATEGORIES);

/** True when `value` is one of {@link ERROR_CATEGORIES}. */
export function isErrorCategory(value: unknown): value is ErrorCategory {
  return CATEGORY_SET.has(value);
}

/** The statuses a retry may cure (the engineering spec's list). */
const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([408, 500, 502, 503, 504]);

/** The default category of an HTTP status the caller did not accept. */
export function httpStatusCategory(status: number): ErrorCategory {
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'throttled';
  if (status === 404 || status === 410) return 'not-found';
  if (status === 409 || status === 412) return 'conflict';
  if (TRANSIENT_STATUSES.has(status)) return 'transient';
  if (status >= 400 && status <= 499) return 'input';
  // The rest of 5xx (501 Not Implemented, 505 version, ...) answers the same on a retry, and
  // 1xx-3xx the call did not accept (a redirect, an unexpected 204) is unusable.
  return 'protocol';
}

// Certificate and TLS failures do not heal by retrying.
const TLS_TRUST_CODE = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|^ERR_TLS_/;

/** The default category of a NetworkError with this code: transient, or protocol for TLS trust failures. */
export function networkErrorCategory(code: string): ErrorCategory {
  return TLS_TRUST_CODE.test(code) ? 'protocol' : 'transient';
}

/** The second constructor argument of {@link XError}. */
export interface XErrorOptions {
  cause?: unknown;
  code?: string;
  /** Overrides the class's default category (e.g. a vendor "token expired" code is `auth`). */
  category?: ErrorCategory;
}

/** The brand every error of every copy of @x/http-core carries; its value is the error's kind. */
export const X_ERROR_BRAND: unique symbol = Symbol.for('@x/http-core.error') as never;

function defineHidden(target: object, key: PropertyKey, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: false, writable: true, configurable: true });
}

/** Base class of every error thrown by `@x` packages. */
export class XError extends Error {
  /** Stable family name used by the type guards. */
  declare readonly kind: XErrorKind;
  /** Machine-readable code (e.g. `HTTP_503`, `ECONNRESET`, `TIMEOUT_HEADERS`). */
  code: string;
  /** What the failure means; see ErrorCategory. */
  category: ErrorCategory;
  /** Set (not enumerable) on the error a client call ends with: attempts, request id, retry delay, status. */
  declare $metadata?: { attempts: number; requestId: string; totalRetryDelayInMs: number; status?: number };

  /**
   * A core class (of any loaded copy) recognises instances by brand; a subclass declared elsewhere
   * (a vendor's `ComapError`) inherits this method and gets the ordinary prototype check.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    const kind = CORE_KINDS.get(this);
    if (kind !== undefined && hasBrand(value, kind)) return true;
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }

  constructor(message: string, options: XErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    // Built-in classes pin their name on the prototype (bundlers may rename classes); a
    // subclass without its own pinned name is named after its constructor.
    const proto = new.target.prototype as { name?: unknown };
    this.name = Object.hasOwn(proto, 'name') && typeof proto.name === 'string' ? proto.name : new.target.name;
    this.code = options.code ?? 'X_ERROR';
    if (options.category !== undefined && !isErrorCategory(options.category)) {
      throw new TypeError(`category must be one of ${ERROR_CATEGORIES.join(', ')}, got ${String(options.category)}`);
    }
    // An XError that is none of the families below: the exchange produced something unusable.
    this.category = options.category ?? 'protocol';
    this.setKind('XError');
  }

  /** Subclasses call this to set their family once; later subclasses do not override it. */
  protected setKind(kind: XErrorKind): void {
    defineHidden(this, 'kind', kind);
    defineHidden(this, X_ERROR_BRAND, kind);
  }
}

function hasBrand(value: unknown, kind: XErrorKind): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const brand = (value as { [X_ERROR_BRAND]?: unknown })[X_ERROR_BRAND];
  return kind === 'XError' ? KINDS.has(brand) : brand === kind;
}

/**
 * Fields of a new {@link HttpError}. Pass values that are already sanitised: `url` redacted,
 * `headers` allow-listed, `bodyPreview` bounded and redacted (the constructor copies them as given).
 * The default message is `HTTP <status> <statusText>: <method> <url>`, the default code `HTTP_<status>`.
 */
export interface HttpErrorInit {
  status: number;
  statusText?: string;
  headers?: Record<string, string>;
  bodyPreview?: string;
  body?: unknown;
  vendor?: VendorErrorInfo;
  method: string;
  url: string;
  attempts?: number;
  retryAfterInMs?: number;
  request?: ErrorRequestInfo;
  response?: ErrorResponseInfo;
  message?: string;
  code?: string;
  /** Default by status: see `httpStatusCategory`. */
  category?: ErrorCategory;
  cause?: unknown;
}

/** What a vendor-specific error body means, as extracted by `parseVendorError`. */
export interface VendorErrorInfo {
  code?: string;
  message?: string;
}

/** The server answered with a status the caller did not accept. */
export class HttpError extends XError {
  status: number;
  /** Response headers after the allow-list sanitiser (lower-case names). */
  headers: Record<string, string>;
  /** At most 2 KiB of the response body, redacted. */
  bodyPreview: string;
  /** The parsed JSON body (with secret-looking fields redacted), if the body was JSON. */
  body: unknown;
  // Optional fields are `declare`d so that an unset one is absent, not an own `undefined` property.
  declare vendor?: VendorErrorInfo;
  method: string;
  /** Redacted URL. */
  url: string;
  attempts: number;
  /** A server-given Retry-After, in milliseconds, when there was one. */
  declare retryAfterInMs?: number;
  declare request?: ErrorRequestInfo;
  declare response?: ErrorResponseInfo;

  constructor(init: HttpErrorInit) {
    const vendorText = init.vendor?.message ?? init.vendor?.code;
    super(
      init.message ??
        `HTTP ${init.status}${init.statusText ? ` ${init.statusText}` : ''}: ${init.method} ${init.url}${vendorText ? ` (${vendorText})` : ''}`,
      { code: init.code ?? `HTTP_${init.status}`, cause: init.cause, category: init.category ?? httpStatusCategory(init.status) },
    );
    this.setKind('HttpError');
    this.status = init.status;
    this.headers = init.headers ?? {};
    this.bodyPreview = init.bodyPreview ?? '';
    this.body = init.body;
    if (init.vendor) this.vendor = init.vendor;
    this.method = init.method;
    this.url = init.url;
    this.attempts = init.attempts ?? 1;
    if (init.retryAfterInMs !== undefined) this.retryAfterInMs = init.retryAfterInMs;
    defineHidden(this, 'request', init.request);
    defineHidden(this, 'response', init.response);
  }
}

/** Fields of a new {@link NetworkError}; `code` is the system or undici code (`ECONNREFUSED` …), `url` redacted. */
export interface NetworkErrorInit {
  code: string;
  method: string;
  url: string;
  attempts?: number;
  message?: string;
  /** Default transient (protocol for TLS trust failures). */
  category?: ErrorCategory;
  cause?: unknown;
  request?: ErrorRequestInfo;
}

/** The connection failed (refused, reset, DNS, TLS …). */
export class NetworkError extends XError {
  method: string;
  url: string;
  attempts: number;
  declare request?: ErrorRequestInfo;

  constructor(init: NetworkErrorInit) {
    super(init.message ?? `Network error ${init.code}: ${init.method} ${init.url}`, {
      code: init.code,
      cause: init.cause,
      category: init.category ?? networkErrorCategory(init.code),
    });
    this.setKind('NetworkError');
    this.method = init.method;
    this.url = init.url;
    this.attempts = init.attempts ?? 1;
    defineHidden(this, 'request', init.request);
  }
}

/** Which part of an exchange ran out of time. */
export type TimeoutPhase = 'connect' | 'headers' | 'body' | 'deadline';

/** Fields of a new {@link TimeoutError}; `timeoutInMs` is the limit that expired, `url` redacted. */
export interface TimeoutErrorInit {
  phase: TimeoutPhase;
  timeoutInMs?: number;
  method?: string;
  url?: string;
  attempts?: number;
  message?: string;
  /** Default timeout. */
  category?: ErrorCategory;
  cause?: unknown;
  request?: ErrorRequestInfo;
}

/** A per-attempt timeout (connect / headers / body idle) or the overall deadline expired. */
export class TimeoutError extends XError {
  phase: TimeoutPhase;
  declare timeoutInMs?: number;
  declare method?: string;
  declare url?: string;
  attempts: number;
  declare request?: ErrorRequestInfo;

  constructor(init: TimeoutErrorInit) {
    const target = init.method && init.url ? `: ${init.method} ${init.url}` : '';
    const after = init.timeoutInMs === undefined ? '' : ` after ${init.timeoutInMs} ms`;
    super(init.message ?? `Timed out (${init.phase})${after}${target}`, {
      code: `TIMEOUT_${init.phase.toUpperCase()}`,
      cause: init.cause,
      category: init.category ?? 'timeout',
    });
    this.setKind('TimeoutError');
    this.phase = init.phase;
    if (init.timeoutInMs !== undefined) this.timeoutInMs = init.timeoutInMs;
    if (init.method !== undefined) this.method = init.method;
    if (init.url !== undefined) this.url = init.url;
    this.attempts = init.attempts ?? 1;
    defineHidden(this, 'request', init.request);
  }
}

/** The caller's AbortSignal fired; `cause` is the signal's reason. */
export class AbortError extends XError {
  constructor(reason?: unknown, message = 'The operation was aborted', options: Pick<XErrorOptions, 'category'> = {}) {
    super(message, { code: 'ABORTED', cause: reason, category: options.category ?? 'aborted' });
    this.setKind('AbortError');
    // Keep `cause` even when the reason is undefined, as the contract promises.
    if (reason === undefined) defineHidden(this, 'cause', undefined);
  }
}

/** Fields of a new {@link ParseError}; `rawPreview` is a bounded, redacted preview of the bytes (see {@link rawPreview}). */
export interface ParseErrorInit {
  message?: string;
  rawPreview: string;
  /** Default protocol. */
  category?: ErrorCategory;
  cause?: unknown;
  method?: string;
  url?: string;
  response?: ErrorResponseInfo;
}

/** A body the client was asked to parse (JSON …) could not be parsed. */
export class ParseError extends XError {
  /** At most 2 KiB of the raw text, redacted. */
  rawPreview: string;
  declare method?: string;
  declare url?: string;
  declare response?: ErrorResponseInfo;

  constructor(init: ParseErrorInit) {
    super(init.message ?? `Could not parse the response body${init.url ? ` of ${init.method ?? 'GET'} ${init.url}` : ''}`, {
      code: 'PARSE_ERROR',
      cause: init.cause,
      category: init.category ?? 'protocol',
    });
    this.setKind('ParseError');
    this.rawPreview = init.rawPreview;
    if (init.method !== undefined) this.method = init.method;
    if (init.url !== undefined) this.url = init.url;
    defineHidden(this, 'response', init.response);
  }
}

/** Bad data on a non-HTTP channel (socket, websocket, MQTT), with a bounded raw preview. */
export class ProtocolError extends XError {
  rawPreview: string;

  constructor(message: string, rawPreview = '', options: XErrorOptions = {}) {
    super(message, { code: options.code ?? 'PROTOCOL_ERROR', cause: options.cause, category: options.category ?? 'protocol' });
    this.setKind('ProtocolError');
    this.rawPreview = rawPreview;
  }
}

/** A body exceeded a caller-given size limit (e.g. `download({ maxBytes })`). */
export class SizeLimitError extends XError {
  limitInBytes: number;
  /** Bytes seen (or announced by Content-Length) when the limit was hit. */
  bytes: number;

  constructor(limitInBytes: number, bytes: number, message?: string, options: Pick<XErrorOptions, 'category' | 'cause'> = {}) {
    super(message ?? `Body exceeds the limit of ${limitInBytes} bytes (${bytes} bytes)`, {
      code: 'SIZE_LIMIT',
      cause: options.cause,
      category: options.category ?? 'protocol',
    });
    this.setKind('SizeLimitError');
    this.limitInBytes = limitInBytes;
    this.bytes = bytes;
  }
}

function kindOf(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  return (value as { kind?: unknown }).kind;
}

const KINDS: ReadonlySet<unknown> = new Set<XErrorKind>([
  'XError',
  'HttpError',
  'NetworkError',
  'TimeoutError',
  'AbortError',
  'ParseError',
  'ProtocolError',
  'SizeLimitError',
]);

/** True for an error of any `@x` family, from any copy of `@x/http-core` (checked by brand, not prototype). */
export function isXError(value: unknown): value is XError {
  return value instanceof Error && KINDS.has(kindOf(value));
}

/** A type guard for one error family (by `kind`, so it works across copies of the package). */
function guardFor<T extends XError>(kind: XErrorKind): (value: unknown) => value is T {
  return (value: unknown): value is T => value instanceof Error && kindOf(value) === kind;
}

/** True for an {@link HttpError} (or subclass) from any copy of the package. */
export const isHttpError = guardFor<HttpError>('HttpError');
/** True for a {@link NetworkError} (or subclass) from any copy of the package. */
export const isNetworkError = guardFor<NetworkError>('NetworkError');
/** True for a {@link TimeoutError} (or subclass) from any copy of the package. */
export const isTimeoutError = guardFor<TimeoutError>('TimeoutError');
/** True for an {@link AbortError} (or subclass) from any copy of the package. */
export const isAbortError = guardFor<AbortError>('AbortError');
/** True for a {@link ParseError} (or subclass) from any copy of the package. */
export const isParseError = guardFor<ParseError>('ParseError');
/** True for a {@link ProtocolError} (or subclass) from any copy of the package. */
export const isProtocolError = guardFor<ProtocolError>('ProtocolError');
/** True for a {@link SizeLimitError} (or subclass) from any copy of the package. */
export const isSizeLimitError = guardFor<SizeLimitError>('SizeLimitError');

/** The core classes of this copy and their kinds (read by `XError[Symbol.hasInstance]`). */
const CORE_KINDS = new Map<unknown, XErrorKind>();

for (const [ctor, name] of [
  [XError, 'XError'],
  [HttpError, 'HttpError'],
  [NetworkError, 'NetworkError'],
  [TimeoutError, 'TimeoutError'],
  [AbortError, 'AbortError'],
  [ParseError, 'ParseError'],
  [ProtocolError, 'ProtocolError'],
  [SizeLimitError, 'SizeLimitError'],
] as const) {
  Object.defineProperty(ctor.prototype, 'name', { value: name, writable: true, configurable: true, enumerable: false });
  CORE_KINDS.set(ctor, name);
}
