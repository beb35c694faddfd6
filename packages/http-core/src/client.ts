import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Agent, type Dispatcher } from 'undici';
import type { AuthProvider } from './auth.js';
import { backoffDelay } from './backoff.js';
import { type Clock, type RandomSource, assertDuration, systemClock } from './clock.js';
import {
  AbortError,
  type ErrorRequestInfo,
  HttpError,
  NetworkError,
  ParseError,
  SizeLimitError,
  TimeoutError,
  type VendorErrorInfo,
  isHttpError,
  isTimeoutError,
  isXError,
} from './errors.js';
import { type Logger, silentLogger } from './logger.js';
import type { RateLimiter, Release } from './rate-limiter.js';
import { PREVIEW_LIMIT, type RedactOptions, isSensitiveName, redactHeaders, redactJson, redactText, redactUrl, truncate } from './redact.js';
import {
  DEFAULT_RETRY_OPTIONS,
  type RetryOptions,
  RetryBudget,
  classifyError,
  isPreSendFailure,
  parseRetryAfter,
  resolveRetryOptions,
} from './retry.js';
import { CallScope, onAbort } from './call-scope.js';
import { errorChannel, requestChannel, responseChannel } from './diagnostics.js';
import { safeJoin, tempPathFor } from './files.js';
import { sleep } from './sleep.js';
import { DEFAULT_USER_AGENT } from './version.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';
export type ResponseType = 'json' | 'text' | 'bytes' | 'stream' | 'none';

type QueryValue = string | number | boolean | bigint | null | undefined;
/** Query parameters; `undefined`/`null` are skipped, arrays repeat the key. */
export type QueryParams = Record<string, QueryValue | readonly QueryValue[]> | URLSearchParams;

export interface TlsOptions {
  /** Trusted CA certificate(s), PEM (e.g. `testCertificate().ca`). */
  ca?: string | Buffer | readonly (string | Buffer)[];
  /** Client certificate / key (mutual TLS), PEM. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Default true. Only turn off against throw-away local simulators. */
  rejectUnauthorized?: boolean;
  servername?: string;
}

export interface HttpClientOptions {
  /** Request paths resolve against it (a leading `/` of a path is relative to it, too). */
  baseUrl?: string | URL;
  /** Default headers of every request. */
  headers?: Record<string, string>;
  /** Product token; ` node/<version>` is appended. Default `@x/http-core/<version>`. */
  userAgent?: string;
  auth?: AuthProvider;
  retry?: Partial<RetryOptions> | false;
  /** Per attempt: connect, then headers, then each body chunk (idle). Default 30 000 ms. */
  timeoutInMs?: number;
  /** Overall time budget of a call across attempts and waits. Default none. */
  deadlineInMs?: number;
  rateLimiter?: RateLimiter;
  /** Connections per origin. Default 64. */
  maxConnections?: number;
  logger?: Logger;
  /** Extra secret names (and extra printable headers). */
  redact?: RedactOptions;
  tls?: TlsOptions;
  clock?: Clock;
  random?: RandomSource;
  /** Use this undici dispatcher instead of a private Agent (not closed by `close()`). */
  dispatcher?: Dispatcher;
  /** Error bodies are read up to this size for the error (the rest is discarded). Default 1 MiB. */
  maxErrorBodyBytes?: number;
}

export interface RequestOptions {
  method?: HttpMethod;
  /** Relative to `baseUrl`, or an absolute URL. */
  path: string;
  query?: QueryParams;
  headers?: Record<string, string | undefined>;
  json?: unknown;
  form?: Record<string, string> | URLSearchParams;
  body?: string | Uint8Array | Readable;
  /** Default `json` (an empty body gives `undefined`). */
  responseType?: ResponseType;
  /** Retry this call even if its method is not idempotent (or, with false, never). */
  idempotent?: boolean;
  retry?: Partial<RetryOptions> | false;
  signal?: AbortSignal;
  timeoutInMs?: number;
  deadlineInMs?: number;
  /** Which statuses count as success. Default 2xx. */
  okStatus?: (status: number) => boolean;
  /** Extracts a vendor error code/message from an error body (parsed JSON, or text). */
  parseVendorError?: (body: unknown, status: number, headers: Record<string, string>) => VendorErrorInfo | undefined;
  /** false: do not apply the client's auth to this call. */
  auth?: false;
}

export interface HttpResponse<T = unknown> {
  status: number;
  /** Lower-case names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  body: T;
  attempts: number;
  /** Total time spent waiting between attempts. */
  retryDelayInMs: number;
  /** One id for the call, across attempts (also in log lines). */
  requestId: string;
  /** The redacted URL. */
  url: string;
}

export interface DownloadProgress {
  bytesDone: number;
  /** From Content-Length; undefined when the server did not say. */
  bytesTotal: number | undefined;
}

export interface DownloadOptions extends Omit<RequestOptions, 'responseType' | 'json' | 'form' | 'body'> {
  /** Folder to write into (with `fileName`). */
  dir?: string;
  /** Target file name inside `dir`; default the last segment of the URL path. */
  fileName?: string;
  /** Write into this stream instead of a file. */
  to?: NodeJS.WritableStream;
  /** Fail with a SizeLimitError beyond this many bytes. */
  maxBytes?: number;
  onProgress?: (progress: DownloadProgress) => void;
}

export interface DownloadResult {
  /** The final file path (file downloads only). */
  path?: string;
  bytes: number;
}

export interface HttpClient {
  request<T = unknown>(options: RequestOptions): Promise<HttpResponse<T>>;
  download(options: DownloadOptions): Promise<DownloadResult>;
  /** Closes the client's connections; pending calls finish first. */
  close(): Promise<void>;
  /** The normalised base URL (with a trailing slash), if any. */
  readonly baseUrl: string | undefined;
}

const METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
const RESPONSE_TYPES: ReadonlySet<string> = new Set(['json', 'text', 'bytes', 'stream', 'none']);
const ABSOLUTE_URL = /^[a-z][a-z0-9+.-]*:\/\//i;
/** Relative paths the URL parser would keep byte for byte (no query, fragment, spaces, backslashes …). */
const SIMPLE_RELATIVE_PATH = /^[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;
const DOT_SEGMENT = /(^|\/)\.{1,2}(\/|$)|%2e/i;
const defaultOk = (status: number): boolean => status >= 200 && status < 300;
/** Errors thrown by an auth provider's `apply` (never retried by the client). */
const authFailures = new WeakSet<object>();

function checkDuration(name: string, value: unknown, allowZero = false): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || (!allowZero && value === 0)) {
    throw new RangeError(`${name} must be a number ${allowZero ? '>= 0' : '> 0'}, got ${typeof value === 'number' ? value : typeof value}`);
  }
  // Durations end in a timer: past what one holds it would fire after 1 ms.
  assertDuration(name, value);
}

function checkByteLimit(name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || Number.isNaN(value) || value <= 0) {
    throw new RangeError(`${name} must be a number > 0, got ${typeof value === 'number' ? value : typeof value}`);
  }
}

function checkObject(name: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'object' || value === null)) throw new TypeError(`${name} must be an object`);
}

/** `value` (when given) must be an object with these methods. */
function checkMethods(name: string, value: unknown, methods: readonly string[]): void {
  if (value === undefined) return;
  checkObject(name, value);
  for (const method of methods) {
    if (typeof (value as Record<string, unknown>)[method] !== 'function') throw new TypeError(`${name}.${method} must be a function`);
  }
}

function lowerCaseHeaders(name: string, headers: Record<string, string | undefined> | undefined, into: Record<string, string>): void {
  if (headers === undefined) return;
  if (typeof headers !== 'object' || headers === null) throw new TypeError(`${name} must be an object`);
  for (const key of Object.keys(headers)) {
    const value = headers[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw new TypeError(`${name}.${key} must be a string`);
    into[key.toLowerCase()] = value;
  }
}

/** `url` with the query appended (`?` or `&`); with `url === ''` just the `?…` part (or ''). */
function appendQuery(url: string, query: QueryParams | undefined): string {
  if (query === undefined) return url;
  if (typeof query !== 'object' || query === null) throw new TypeError('query must be an object or URLSearchParams');
  const params = new URLSearchParams();
  if (query instanceof URLSearchParams) {
    for (const [k, v] of query) params.append(k, v);
  } else {
    for (const key of Object.keys(query)) {
      const value = query[key];
      const list: readonly QueryValue[] = Array.isArray(value) ? (value as readonly QueryValue[]) : [value as QueryValue];
      for (const item of list) {
        if (item === undefined || item === null) continue;
        if (typeof item === 'object' || typeof item === 'function' || typeof item === 'symbol') {
          throw new TypeError(`query.${key} must be a string, number, boolean or an array of them`);
        }
        params.append(key, String(item));
      }
    }
  }
  const search = params.toString();
  if (search === '') return url;
  const hash = url.indexOf('#');
  const head = hash === -1 ? url : url.slice(0, hash);
  return `${head}${head.includes('?') ? '&' : '?'}${search}`;
}

/** A client's base URL, normalised to end in `/`. */
export interface BaseUrl {
  href: string;
  origin: string;
  path: string;
}

export interface RequestTarget {
  /** The full URL as sent (normalised like the WHATWG URL parser would). */
  url: string;
  origin: string;
  pathAndQuery: string;
  /** An absolute URL on another origin than the base URL. */
  otherOrigin: boolean;
}

/**
 * Resolves a request path (relative to `base`, a leading `/` included, or absolute) plus query
 * parameters. Relative paths the URL parser would keep byte for byte skip the parser.
 */
export function resolveTarget(base: BaseUrl | undefined, path: string, query: QueryParams | undefined, extraParams: readonly string[] = []): RequestTarget {
  const absolute = ABSOLUTE_URL.test(path);
  if (!absolute && base === undefined) throw new TypeError('path must be an absolute URL when the client has no baseUrl');
  const relative = absolute ? '' : path.replace(/^\/+/, '');
  if (base !== undefined && !absolute && SIMPLE_RELATIVE_PATH.test(relative) && !DOT_SEGMENT.test(relative)) {
    const search = appendQuery('', query);
    return { url: `${base.href}${relative}${search}`, origin: base.origin, pathAndQuery: `${base.path}${relative}${search}`, otherOrigin: false };
  }
  const joined = appendQuery(absolute ? path : `${base?.href ?? ''}${relative}`, query);
  let parsed: URL;
  try {
    parsed = new URL(joined);
  } catch {
    throw new TypeError(`path does not form a valid URL: ${redactUrl(joined, extraParams)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new TypeError('path must be an http: or https: URL');
  return {
    url: parsed.href,
    origin: parsed.origin,
    pathAndQuery: `${parsed.pathname}${parsed.search}`,
    otherOrigin: absolute && parsed.origin !== base?.origin,
  };
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(headers)) {
    const value = headers[key];
    if (value === undefined) continue;
    out[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

interface EncodedBody {
  body: string | Uint8Array | Readable | undefined;
  contentType: string | undefined;
  replayable: boolean;
}

function encodeBody(options: RequestOptions): EncodedBody {
  const given = (options.json !== undefined ? 1 : 0) + (options.form !== undefined ? 1 : 0) + (options.body !== undefined ? 1 : 0);
  if (given > 1) throw new TypeError('Pass only one of json, form and body');
  if (options.json !== undefined) {
    return { body: JSON.stringify(options.json), contentType: 'application/json', replayable: true };
  }
  if (options.form !== undefined) {
    const form = options.form;
    if (typeof form !== 'object' || form === null) throw new TypeError('form must be an object or URLSearchParams');
    const params = form instanceof URLSearchParams ? form : new URLSearchParams(form);
    return { body: params.toString(), contentType: 'application/x-www-form-urlencoded', replayable: true };
  }
  const body = options.body;
  if (body === undefined) return { body: undefined, contentType: undefined, replayable: true };
  if (typeof body === 'string' || body instanceof Uint8Array) return { body, contentType: undefined, replayable: true };
  if (body instanceof Readable) return { body, contentType: undefined, replayable: false };
  throw new TypeError('body must be a string, a Uint8Array or a Readable stream');
}

/** Raw values of secret-looking fields of a JSON body or form (scrubbed from error texts). */
function collectBodySecrets(options: RequestOptions, extraKeys: ReadonlySet<string>, out: string[]): void {
  const visit = (value: unknown, depth: number): void => {
    if (typeof value !== 'object' || value === null || depth > 16) return;
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (isSensitiveName(key) || extraKeys.has(key.toLowerCase())) {
        if (typeof item === 'string') out.push(item);
        else if (typeof item === 'number') out.push(String(item));
      } else visit(item, depth + 1);
    }
  };
  if (options.json !== undefined) visit(options.json, 0);
  if (options.form !== undefined) {
    const entries = options.form instanceof URLSearchParams ? [...options.form] : Object.entries(options.form);
    for (const [key, value] of entries) if (isSensitiveName(key) || extraKeys.has(key.toLowerCase())) out.push(value);
  }
}

/** Reads at most `limit` bytes of a body (discarding the rest) as UTF-8 text. */
async function readBounded(body: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (size + chunk.length > limit) {
      chunks.push(chunk.subarray(0, limit - size));
      size = limit;
      break; // leaving the loop destroys the rest of the body
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

const UNDICI_TIMEOUT_PHASE: Readonly<Record<string, 'connect' | 'headers' | 'body'>> = {
  UND_ERR_CONNECT_TIMEOUT: 'connect',
  UND_ERR_HEADERS_TIMEOUT: 'headers',
  UND_ERR_BODY_TIMEOUT: 'body',
};

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** A successful response; the redacted URL is computed when first read. */
class ClientResponse<T> implements HttpResponse<T> {
  #url: string | undefined;
  readonly #makeUrl: () => string;

  constructor(
    readonly status: number,
    readonly headers: Record<string, string>,
    readonly body: T,
    readonly attempts: number,
    readonly retryDelayInMs: number,
    readonly requestId: string,
    makeUrl: () => string,
  ) {
    this.#makeUrl = makeUrl;
  }

  get url(): string {
    this.#url ??= this.#makeUrl();
    return this.#url;
  }

  toJSON(): Record<string, unknown> {
    return {
      status: this.status,
      headers: this.headers,
      ...(this.body instanceof Readable ? {} : { body: this.body }),
      attempts: this.attempts,
      retryDelayInMs: this.retryDelayInMs,
      requestId: this.requestId,
      url: this.url,
    };
  }
}

interface CallContext {
  method: string;
  url: string;
  options: RequestOptions;
  scope: CallScope;
  timeoutInMs: number;
  deadlineInMs: number | undefined;
  headers: Record<string, string>;
  attempt: number;
  requestId: string;
}

/** Counts calls in flight so that `close()` can wait for them. */
class CallCounter {
  #count = 0;
  #waiters: (() => void)[] = [];

  started(): void {
    this.#count += 1;
  }

  settled(): void {
    this.#count -= 1;
    if (this.#count === 0) for (const wake of this.#waiters.splice(0)) wake();
  }

  /** Resolves once no call is in flight. */
  idle(): Promise<void> {
    return this.#count === 0 ? Promise.resolve() : new Promise((resolve) => this.#waiters.push(resolve));
  }
}

/** Creates a client with its own connection pool. */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  let base: BaseUrl | undefined;
  if (options.baseUrl !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(String(options.baseUrl));
    } catch {
      throw new TypeError(`baseUrl must be an absolute URL, got ${redactUrl(String(options.baseUrl))}`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new TypeError('baseUrl must be an http: or https: URL');
    parsed.search = '';
    parsed.hash = '';
    base = {
      href: parsed.href.endsWith('/') ? parsed.href : `${parsed.href}/`,
      origin: parsed.origin,
      path: parsed.pathname.endsWith('/') ? parsed.pathname : `${parsed.pathname}/`,
    };
  }
  checkDuration('timeoutInMs', options.timeoutInMs);
  checkDuration('deadlineInMs', options.deadlineInMs);
  if (options.maxConnections !== undefined && (!Number.isInteger(options.maxConnections) || options.maxConnections < 1)) {
    throw new RangeError(`maxConnections must be an integer >= 1, got ${String(options.maxConnections)}`);
  }
  if (options.userAgent !== undefined && typeof options.userAgent !== 'string') throw new TypeError('userAgent must be a string');
  if (options.auth !== undefined && (typeof options.auth !== 'object' || typeof options.auth.apply !== 'function')) {
    throw new TypeError('auth must be an AuthProvider');
  }
  if (options.rateLimiter !== undefined && typeof options.rateLimiter.acquire !== 'function') {
    throw new TypeError('rateLimiter must be a RateLimiter');
  }
  checkByteLimit('maxErrorBodyBytes', options.maxErrorBodyBytes);
  checkMethods('logger', options.logger, ['debug', 'info', 'warn', 'error']);
  checkMethods('clock', options.clock, ['now', 'setTimeout', 'clearTimeout']);
  checkMethods('dispatcher', options.dispatcher, ['request', 'close']);
  if (options.random !== undefined && typeof options.random !== 'function') throw new TypeError('random must be a function returning a number in [0, 1)');
  checkObject('tls', options.tls);
  checkObject('redact', options.redact);
  for (const key of ['headers', 'queryParams', 'bodyKeys', 'allowHeaders'] as const) {
    const names: unknown = options.redact?.[key];
    if (names !== undefined && (!Array.isArray(names) || !names.every((n) => typeof n === 'string'))) {
      throw new TypeError(`redact.${key} must be an array of strings`);
    }
  }

  const clientRetry = resolveRetryOptions(DEFAULT_RETRY_OPTIONS, options.retry, 'retry');
  const budget = new RetryBudget(clientRetry.retryBudget);
  const timeoutInMs = options.timeoutInMs ?? 30_000;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const logger = options.logger ?? silentLogger;
  const logging = logger !== silentLogger;
  const auth = options.auth;
  const limiter = options.rateLimiter;
  const maxErrorBody = options.maxErrorBodyBytes ?? 1024 * 1024;
  const redactOptions = options.redact ?? {};
  const extraHeaderNames = [...(redactOptions.headers ?? [])];
  const extraParams = [...(redactOptions.queryParams ?? [])];
  const extraBodyKeys = [...(redactOptions.bodyKeys ?? [])];
  const extraBodyKeySet: ReadonlySet<string> = new Set(extraBodyKeys.map((k) => k.toLowerCase()));
  const allowHeaders = [...(redactOptions.allowHeaders ?? [])];
  const extraHeaderSet: ReadonlySet<string> = new Set(extraHeaderNames.map((k) => k.toLowerCase()));
  const extraParamSet: ReadonlySet<string> = new Set(extraParams.map((k) => k.toLowerCase()));

  const defaultHeaders: Record<string, string> = {
    'user-agent': options.userAgent === undefined ? DEFAULT_USER_AGENT : `${options.userAgent} node/${process.versions.node}`,
  };
  lowerCaseHeaders('headers', options.headers, defaultHeaders);

  const ownsDispatcher = options.dispatcher === undefined;
  const tls = options.tls;
  const dispatcher: Dispatcher =
    options.dispatcher ??
    new Agent({
      connections: options.maxConnections ?? 64,
      connect: {
        timeout: timeoutInMs,
        ...(tls?.ca !== undefined ? { ca: tls.ca as string | Buffer | (string | Buffer)[] } : {}),
        ...(tls?.cert !== undefined ? { cert: tls.cert } : {}),
        ...(tls?.key !== undefined ? { key: tls.key } : {}),
        ...(tls?.rejectUnauthorized !== undefined ? { rejectUnauthorized: tls.rejectUnauthorized } : {}),
        ...(tls?.servername !== undefined ? { servername: tls.servername } : {}),
      },
    });
  /** Set by `close()`: later calls are refused. */
  let closing: Promise<void> | undefined;
  const calls = new CallCounter();

  /** Every raw secret value relevant to a call (for scrubbing texts). */
  const secretsOf = (ctx: CallContext): string[] => {
    const out: string[] = auth ? [...auth.secrets()] : [];
    for (const [name, value] of Object.entries(ctx.headers)) {
      if (!/^(accept|content-type|content-length|user-agent|idempotency-key)$/.test(name)) {
        if (isSensitiveName(name) || extraHeaderSet.has(name)) {
          out.push(value);
          const space = value.indexOf(' ');
          if (space !== -1) out.push(value.slice(space + 1));
        }
      }
    }
    const q = ctx.url.indexOf('?');
    if (q !== -1) {
      for (const [name, value] of new URLSearchParams(ctx.url.slice(q + 1))) {
        if (isSensitiveName(name) || extraParamSet.has(name.toLowerCase())) out.push(value);
      }
    }
    collectBodySecrets(ctx.options, extraBodyKeySet, out);
    return out;
  };

  const redactedUrl = (ctx: CallContext, secrets: readonly string[]): string => redactUrl(ctx.url, extraParams, secrets);

  const requestInfo = (ctx: CallContext, secrets: readonly string[]): ErrorRequestInfo => ({
    method: ctx.method,
    url: redactedUrl(ctx, secrets),
    headers: redactHeaders(ctx.headers, extraHeaderNames, secrets, allowHeaders),
  });

  /** Turns whatever undici threw into one of our typed errors. */
  const mapError = (error: unknown, ctx: CallContext): Error => {
    if (ctx.scope.userAborted) return new AbortError(ctx.scope.userSignal?.reason);
    const secrets = secretsOf(ctx);
    const url = redactedUrl(ctx, secrets);
    if (ctx.scope.deadlineHit) {
      return new TimeoutError({
        phase: 'deadline',
        timeoutInMs: ctx.deadlineInMs,
        method: ctx.method,
        url,
        attempts: ctx.attempt,
        request: requestInfo(ctx, secrets),
        cause: error,
      });
    }
    if (isXError(error)) return error;
    const code = errorCode(error);
    const phase = code === undefined ? undefined : UNDICI_TIMEOUT_PHASE[code];
    if (phase !== undefined) {
      return new TimeoutError({
        phase,
        timeoutInMs: ctx.timeoutInMs,
        method: ctx.method,
        url,
        attempts: ctx.attempt,
        request: requestInfo(ctx, secrets),
        cause: error,
      });
    }
    if (code === 'UND_ERR_INVALID_ARG' || code === 'ERR_INVALID_ARG_TYPE' || code === 'ERR_INVALID_ARG_VALUE' || code === 'ERR_INVALID_URL') {
      const message = error instanceof Error ? error.message : String(error);
      return new TypeError(redactText(`Invalid request: ${message}`, secrets));
    }
    const causeCode = errorCode((error as { cause?: unknown } | undefined)?.cause);
    const netCode =
      code === 'UND_ERR_SOCKET' && causeCode ? causeCode : code ?? (error instanceof Error ? error.name.toUpperCase() : 'UNKNOWN');
    const detail = error instanceof Error && error.message ? ` (${redactText(error.message, secrets)})` : '';
    return new NetworkError({
      code: netCode,
      method: ctx.method,
      url,
      attempts: ctx.attempt,
      message: `Network error ${netCode}: ${ctx.method} ${url}${truncate(detail, 300)}`,
      request: requestInfo(ctx, secrets),
      cause: error,
    });
  };

  const httpError = async (ctx: CallContext, res: Dispatcher.ResponseData, headers: Record<string, string>): Promise<HttpError> => {
    let text = '';
    try {
      text = ctx.method === 'HEAD' ? '' : await readBounded(res.body, maxErrorBody);
    } catch (error) {
      // The status is what matters; a broken error body only loses the preview.
      if (ctx.scope.userAborted || ctx.scope.deadlineHit) throw mapError(error, ctx);
    }
    let parsed: unknown;
    let isJson = false;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
        isJson = true;
      } catch {
        parsed = undefined;
      }
    }
    let vendor: VendorErrorInfo | undefined;
    if (ctx.options.parseVendorError) {
      try {
        vendor = ctx.options.parseVendorError(isJson ? parsed : text, res.statusCode, headers);
      } catch {
        vendor = undefined;
      }
    }
    const secrets = secretsOf(ctx);
    if (vendor) {
      vendor = {
        ...(vendor.code !== undefined ? { code: redactText(String(vendor.code), secrets) } : {}),
        ...(vendor.message !== undefined ? { message: truncate(redactText(String(vendor.message), secrets), 500) } : {}),
      };
    }
    const body = isJson ? redactJson(parsed, extraBodyKeys, secrets) : undefined;
    const bodyPreview = truncate(isJson ? JSON.stringify(body) : redactText(text, secrets), PREVIEW_LIMIT);
    const retryAfterInMs = parseRetryAfter(headers['retry-after'], clock.now());
    const safeHeaders = redactHeaders(headers, extraHeaderNames, secrets, allowHeaders);
    return new HttpError({
      status: res.statusCode,
      statusText: statusText(res.statusCode),
      headers: safeHeaders,
      bodyPreview,
      body,
      ...(vendor ? { vendor } : {}),
      method: ctx.method,
      url: redactedUrl(ctx, secrets),
      attempts: ctx.attempt,
      ...(retryAfterInMs !== undefined ? { retryAfterInMs } : {}),
      request: requestInfo(ctx, secrets),
      response: { status: res.statusCode, headers: safeHeaders },
    });
  };

  const parseBody = async (ctx: CallContext, res: Dispatcher.ResponseData, responseType: ResponseType): Promise<unknown> => {
    switch (responseType) {
      case 'none':
        await res.body.dump();
        return undefined;
      case 'text':
        return res.body.text();
      case 'bytes':
        return new Uint8Array(await res.body.arrayBuffer());
      case 'stream':
        return res.body;
      case 'json': {
        const text = await res.body.text();
        if (text.length === 0) return undefined;
        try {
          return JSON.parse(text) as unknown;
        } catch (error) {
          const secrets = secretsOf(ctx);
          throw new ParseError({
            message: `Response body is not valid JSON: ${ctx.method} ${redactedUrl(ctx, secrets)} (HTTP ${res.statusCode})`,
            rawPreview: truncate(redactText(text, secrets), PREVIEW_LIMIT),
            method: ctx.method,
            url: redactedUrl(ctx, secrets),
            response: { status: res.statusCode, headers: redactHeaders(flattenHeaders(res.headers), extraHeaderNames, secrets, allowHeaders) },
            cause: error,
          });
        }
      }
    }
  };

  const attachAttempts = (error: unknown, attempts: number): void => {
    if (isXError(error) && 'attempts' in error) (error as { attempts: number }).attempts = attempts;
  };

  const request = async <T>(call: RequestOptions): Promise<HttpResponse<T>> => {
    if (typeof call !== 'object' || call === null) throw new TypeError('options must be an object');
    if (closing !== undefined) throw new TypeError('The client is closed');
    const method = call.method === undefined ? 'GET' : String(call.method).toUpperCase();
    if (!METHODS.has(method)) throw new RangeError(`method must be one of ${[...METHODS].join(', ')}, got ${String(call.method)}`);
    if (typeof call.path !== 'string') throw new TypeError('path must be a string');
    const responseType = call.responseType ?? 'json';
    if (!RESPONSE_TYPES.has(responseType)) throw new RangeError(`responseType must be one of ${[...RESPONSE_TYPES].join(', ')}`);
    checkDuration('timeoutInMs', call.timeoutInMs);
    checkDuration('deadlineInMs', call.deadlineInMs, true);
    if (call.signal !== undefined && !(call.signal instanceof AbortSignal)) throw new TypeError('signal must be an AbortSignal');
    if (call.okStatus !== undefined && typeof call.okStatus !== 'function') throw new TypeError('okStatus must be a function');
    if (call.parseVendorError !== undefined && typeof call.parseVendorError !== 'function') throw new TypeError('parseVendorError must be a function');
    if (call.idempotent !== undefined && typeof call.idempotent !== 'boolean') throw new TypeError('idempotent must be a boolean');
    if (call.auth !== undefined && call.auth !== false) throw new TypeError('auth must be false or left out');

    const target = resolveTarget(base, call.path, call.query, extraParams);
    const { origin, pathAndQuery } = target;
    const url = target.url;
    const absolute = target.otherOrigin;
    // Credentials only go to the base URL's origin (or anywhere when there is no base URL).
    const useAuth = auth !== undefined && call.auth !== false && (!absolute || base === undefined);

    const encoded = encodeBody(call);
    const headers: Record<string, string> = { ...defaultHeaders };
    lowerCaseHeaders('headers', call.headers, headers);
    if (encoded.contentType !== undefined && headers['content-type'] === undefined) headers['content-type'] = encoded.contentType;
    if (responseType === 'json' && headers.accept === undefined) headers.accept = 'application/json';

    const retry = resolveRetryOptions(clientRetry, call.retry, 'retry');
    const mayRetryAnyFailure =
      call.idempotent ?? (IDEMPOTENT_METHODS.has(method) || headers['idempotency-key'] !== undefined);
    const deadlineInMs = call.deadlineInMs ?? options.deadlineInMs;
    const startedAt = clock.now();
    const deadlineAt = deadlineInMs === undefined ? Number.POSITIVE_INFINITY : startedAt + deadlineInMs;
    const scope = new CallScope(call.signal, deadlineInMs);
    const ok = call.okStatus ?? defaultOk;
    const ctx: CallContext = {
      method,
      url,
      options: call,
      scope,
      timeoutInMs: call.timeoutInMs ?? timeoutInMs,
      deadlineInMs,
      headers,
      attempt: 0,
      requestId: randomUUID(),
    };
    const state = { retryDelayInMs: 0 };
    let retries = 0;
    let replayedAfter401 = false;
    let keepScope = false;

    const attemptOnce = async (): Promise<HttpResponse<T>> => {
      ctx.attempt += 1;
      if (scope.signal?.aborted) throw mapError(scope.signal.reason, ctx);
      if (clock.now() >= deadlineAt) {
        // Already out of time (e.g. deadlineInMs: 0): do not send at all.
        scope.deadlineHit = true;
        throw mapError(undefined, ctx);
      }
      let attemptHeaders = headers;
      if (useAuth) {
        attemptHeaders = { ...headers };
        try {
          await auth.apply(attemptHeaders, scope.signal ? { signal: scope.signal } : {});
        } catch (error) {
          if (scope.signal?.aborted) throw mapError(error, ctx);
          // The provider has its own policy (often its own client): its failures are not retried here.
          if (typeof error === 'object' && error !== null) authFailures.add(error);
          throw error;
        }
      }
      ctx.headers = attemptHeaders;
      let release: Release | undefined;
      if (limiter) {
        try {
          release = await limiter.acquire(scope.signal);
        } catch (error) {
          throw mapError(error, ctx);
        }
      }
      const observed = logging || requestChannel.hasSubscribers || responseChannel.hasSubscribers;
      const attemptStart = observed ? clock.now() : 0;
      if (logging) logger.debug('http request', logFields(ctx));
      if (requestChannel.hasSubscribers) requestChannel.publish(logFields(ctx));
      let res: Dispatcher.ResponseData | undefined;
      try {
        try {
          res = await dispatcher.request({
            origin,
            path: pathAndQuery,
            method,
            headers: attemptHeaders,
            body: encoded.body,
            headersTimeout: ctx.timeoutInMs,
            bodyTimeout: ctx.timeoutInMs,
            signal: scope.signal,
          });
        } catch (error) {
          throw mapError(error, ctx);
        }
        const responseHeaders = flattenHeaders(res.headers);
        if (observed) {
          const fields = { ...logFields(ctx), status: res.statusCode, durationInMs: clock.now() - attemptStart };
          if (logging) logger.debug('http response', fields);
          if (responseChannel.hasSubscribers) responseChannel.publish(fields);
        }
        if (!ok(res.statusCode)) throw await httpError(ctx, res, responseHeaders);
        let body: unknown;
        try {
          body = await parseBody(ctx, res, method === 'HEAD' && responseType !== 'stream' ? 'none' : responseType);
        } catch (error) {
          throw mapError(error, ctx);
        }
        if (responseType === 'stream') {
          // Hand out a stream whose errors are already typed (TimeoutError, NetworkError, AbortError).
          const source = body as Readable;
          const typed = new PassThrough();
          source.once('error', (error) => typed.destroy(mapError(error, ctx)));
          typed.once('close', () => {
            if (!source.destroyed && !source.readableEnded) source.destroy();
          });
          source.pipe(typed);
          body = typed;
          if (release !== undefined) {
            typed.once('close', release);
            release = undefined;
          }
          if (scope.signal !== call.signal) {
            keepScope = true;
            typed.once('close', () => scope.dispose());
          }
        }
        return new ClientResponse<T>(res.statusCode, responseHeaders, body as T, ctx.attempt, state.retryDelayInMs, ctx.requestId, () =>
          url.includes('?') || url.includes('@') ? redactedUrl(ctx, secretsOf(ctx)) : url,
        );
      } catch (error) {
        if (res !== undefined && !res.body.destroyed && !res.body.readableEnded && responseType !== 'stream') res.body.destroy();
        else if (res !== undefined && responseType === 'stream' && !res.body.readableEnded) res.body.destroy();
        throw error;
      } finally {
        release?.();
      }
    };

    calls.started();
    try {
      for (;;) {
        try {
          const response = await attemptOnce();
          budget.refund();
          return response;
        } catch (error) {
          if (typeof error === 'object' && error !== null && authFailures.has(error)) throw error;
          attachAttempts(error, ctx.attempt);
          if (errorChannel.hasSubscribers) errorChannel.publish({ ...logFields(ctx), error });
          // 401 with a provider that can refresh: refresh once and replay once.
          if (
            isHttpError(error) &&
            error.status === 401 &&
            useAuth &&
            auth.onUnauthorized &&
            !replayedAfter401 &&
            encoded.replayable
          ) {
            replayedAfter401 = true;
            let replay = false;
            try {
              replay = await auth.onUnauthorized({ ...(scope.signal ? { signal: scope.signal } : {}), headers: ctx.headers });
            } catch (refreshError) {
              throw scope.signal?.aborted ? mapError(refreshError, ctx) : refreshError;
            }
            if (replay) {
              if (logging) logger.info('http unauthorized: credentials refreshed, replaying', logFields(ctx));
              continue;
            }
            throw error;
          }
          const errorClass = retry.classify?.(error) ?? classifyError(error);
          if (errorClass === 'client' || errorClass === 'aborted') throw error;
          if (ctx.attempt >= retry.maxAttempts) throw error;
          if (!encoded.replayable) throw error;
          if (!mayRetryAnyFailure && !isPreSendFailure(error)) throw error;
          const retryAfter = isHttpError(error) && retry.respectRetryAfter ? error.retryAfterInMs : undefined;
          if (retryAfter !== undefined && retryAfter > retry.maxRetryAfterInMs) throw error;
          const delay =
            retryAfter ??
            backoffDelay(
              retries + 1,
              errorClass === 'throttled' ? retry.throttledBaseDelayInMs : retry.baseDelayInMs,
              retry.maxDelayInMs,
              random,
            );
          // Never wait past the deadline: fail now, with the server's hint attached.
          if (clock.now() + delay > deadlineAt) throw error;
          if (!budget.tryAcquire(isTimeoutError(error))) {
            if (logging) logger.warn('http retry budget exhausted', logFields(ctx));
            throw error;
          }
          if (limiter && retryAfter !== undefined && isHttpError(error) && error.status === 429) limiter.pause(retryAfter);
          if (logging) {
            logger.warn('http retry', {
              ...logFields(ctx),
              reason: errorClass,
              code: isXError(error) ? error.code : undefined,
              delayInMs: delay,
            });
          }
          retries += 1;
          await sleep(delay, scope.signal, clock).catch((sleepError: unknown) => Promise.reject(mapError(sleepError, ctx)));
          state.retryDelayInMs += delay;
        }
      }
    } catch (error) {
      if (logging) {
        const message = error instanceof Error ? error.message : String(error);
        logger.debug('http call failed', {
          ...logFields(ctx),
          code: isXError(error) ? error.code : undefined,
          message: truncate(redactText(message, secretsOf(ctx)), 500),
        });
      }
      throw error;
    } finally {
      if (!keepScope) scope.dispose();
      calls.settled();
    }
  };

  async function download(call: DownloadOptions): Promise<DownloadResult> {
    if (typeof call !== 'object' || call === null) throw new TypeError('options must be an object');
    const { dir, fileName, to, maxBytes, onProgress, ...rest } = call;
    if ((dir === undefined) === (to === undefined)) throw new TypeError('Pass exactly one of dir and to');
    if (to !== undefined && (typeof to !== 'object' || to === null || typeof to.write !== 'function')) throw new TypeError('to must be a writable stream');
    if (maxBytes !== undefined && (typeof maxBytes !== 'number' || !Number.isInteger(maxBytes) || maxBytes < 0)) {
      throw new RangeError(`maxBytes must be an integer >= 0, got ${String(maxBytes)}`);
    }
    if (onProgress !== undefined && typeof onProgress !== 'function') throw new TypeError('onProgress must be a function');
    let target: string | undefined;
    if (dir !== undefined) {
      const name = fileName ?? lastPathSegment(call.path);
      target = safeJoin(dir, name);
    }
    const res = await request<Readable>({ ...rest, responseType: 'stream' });
    const lengthHeader = res.headers['content-length'];
    const bytesTotal = lengthHeader !== undefined && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
    if (maxBytes !== undefined && bytesTotal !== undefined && bytesTotal > maxBytes) {
      res.body.destroy();
      throw new SizeLimitError(maxBytes, bytesTotal, `Download of ${res.url} is ${bytesTotal} bytes, over maxBytes ${maxBytes}`);
    }
    let bytesDone = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytesDone += chunk.length;
        if (maxBytes !== undefined && bytesDone > maxBytes) {
          callback(new SizeLimitError(maxBytes, bytesDone, `Download of ${res.url} exceeds maxBytes ${maxBytes}`));
          return;
        }
        try {
          onProgress?.({ bytesDone, bytesTotal });
        } catch (error) {
          callback(error as Error);
          return;
        }
        callback(null, chunk);
      },
    });
    const signal = call.signal;
    // The pipeline gets a signal of its own, fed through the one shared listener on the caller's.
    const stop = new AbortController();
    const unsubscribe = signal === undefined ? undefined : onAbort(signal, () => stop.abort(signal.reason));
    if (signal?.aborted) stop.abort(signal.reason);
    const finalPath = target as string;
    const temp = to === undefined ? tempPathFor(finalPath) : undefined;
    try {
      await pipeline(res.body, counter, to ?? createWriteStream(temp as string, { flags: 'wx' }), { signal: stop.signal });
      if (temp !== undefined) await rename(temp, finalPath);
    } catch (error) {
      res.body.destroy();
      if (temp !== undefined) await rm(temp, { force: true });
      throw signal?.aborted ? new AbortError(signal.reason) : error;
    } finally {
      unsubscribe?.();
    }
    if (to !== undefined) return { bytes: bytesDone };
    if (logging) logger.info('http download complete', { url: res.url, bytes: bytesDone, requestId: res.requestId });
    return { path: finalPath, bytes: bytesDone };
  }

  function logFields(c: CallContext): Record<string, unknown> {
    return { requestId: c.requestId, method: c.method, url: redactedUrl(c, secretsOf(c)), attempt: c.attempt };
  }

  return {
    request,
    download,
    close() {
      if (closing === undefined) {
        // Calls in flight (also those waiting to retry) finish on the open pool first; undici then
        // waits for response bodies still being read.
        closing = calls.idle().then(() => (ownsDispatcher ? dispatcher.close() : undefined));
      }
      return closing;
    },
    baseUrl: base?.href,
  };
}

function lastPathSegment(path: string): string {
  const withoutQuery = path.split(/[?#]/)[0] ?? '';
  const segment = withoutQuery.split('/').pop() ?? '';
  let name = segment;
  try {
    name = decodeURIComponent(segment);
  } catch {
    // keep the raw segment
  }
  if (name === '') throw new TypeError('fileName is required when the path does not end in a file name');
  return name;
}

function statusText(status: number): string {
  return STATUS_TEXT[status] ?? '';
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

