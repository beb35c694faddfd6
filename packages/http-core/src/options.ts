/**
 * The one options shape of every @x client (`ClientOptionsBase`, extended by each vendor's
 * options) and of every call (`CallOptions`, the last parameter of every public method), with
 * validators that name the offending parameter.
 */
import type { Dispatcher } from 'undici';
import { type Clock, type RandomSource, assertDuration } from './clock.js';
import { isLogger, type Logger } from './logger.js';
import { DEFAULT_RETRY_OPTIONS, type RetryOptions, resolveRetryOptions } from './retry.js';

/** TLS settings of a client's connections (`key` is the PEM private key of `cert`; `servername` the SNI name). */
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

/** What every client's options have in common. */
export interface ClientOptionsBase {
  /** Default silent. */
  logger?: Logger;
  /** Injectable time (tests). Default the system clock. */
  clock?: Clock;
  /** Injectable randomness for jitter (tests). Default `Math.random`. */
  random?: RandomSource;
  /** An undici dispatcher to send through instead of the client's own pool. */
  dispatcher?: Dispatcher;
  tls?: TlsOptions;
  /** Product token of the application, e.g. `my-app/1.2.0`. */
  userAgent?: string;
  retry?: Partial<RetryOptions> | false;
  /** Per attempt (connect, headers, body idle). */
  timeoutInMs?: number;
  /** Overall budget of one call across attempts and waits. */
  deadlineInMs?: number;
}

/** The last parameter of every public method of every client. */
export interface CallOptions {
  signal?: AbortSignal;
  /** Per attempt; overrides the client's. */
  timeoutInMs?: number;
  /** Overall budget of this call; overrides the client's. */
  deadlineInMs?: number;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasMethods(value: unknown, methods: readonly string[]): boolean {
  return isPlainObject(value) && methods.every((m) => typeof value[m] === 'function');
}

function isPem(value: unknown): boolean {
  return typeof value === 'string' || Buffer.isBuffer(value);
}

function validateTls(tls: unknown, label: string): void {
  if (tls === undefined) return;
  if (!isPlainObject(tls)) throw new TypeError(`${label} must be an object`);
  const { ca, cert, key, rejectUnauthorized, servername } = tls;
  if (ca !== undefined && !isPem(ca) && !(Array.isArray(ca) && ca.every(isPem))) {
    throw new TypeError(`${label}.ca must be a PEM string or Buffer, or an array of them`);
  }
  if (cert !== undefined && !isPem(cert)) throw new TypeError(`${label}.cert must be a PEM string or Buffer`);
  if (key !== undefined && !isPem(key)) throw new TypeError(`${label}.key must be a PEM string or Buffer`);
  if (rejectUnauthorized !== undefined && typeof rejectUnauthorized !== 'boolean') throw new TypeError(`${label}.rejectUnauthorized must be a boolean`);
  if (servername !== undefined && typeof servername !== 'string') throw new TypeError(`${label}.servername must be a string`);
}

function validateUserAgent(userAgent: unknown, label: string): void {
  if (userAgent === undefined) return;
  if (typeof userAgent !== 'string') throw new TypeError(`${label} must be a string, got ${typeof userAgent}`);
  // It becomes a header value: no line breaks or other control characters.
  // eslint-disable-next-line no-control-regex
  if (userAgent.trim() === '' || /[\u0000-\u001f\u007f]/.test(userAgent)) {
    throw new RangeError(`${label} must be a non-empty header value without control characters`);
  }
}

function validateRetry(retry: unknown, label: string): void {
  if (retry === undefined || retry === false) return;
  if (!isPlainObject(retry)) throw new TypeError(`${label} must be an object or false`);
  if (retry.classify !== undefined && typeof retry.classify !== 'function') throw new TypeError(`${label}.classify must be a function`);
  if (retry.respectRetryAfter !== undefined && typeof retry.respectRetryAfter !== 'boolean') {
    throw new TypeError(`${label}.respectRetryAfter must be a boolean`);
  }
  resolveRetryOptions(DEFAULT_RETRY_OPTIONS, retry, label);
}

/**
 * Checks the common client options (unknown keys are left to the caller). `owner` prefixes every
 * parameter name: `validateClientOptionsBase(options, 'ComapClient options')` throws e.g.
 * `RangeError: ComapClient options.timeoutInMs must be from 0 to 2147483647 ms …`.
 * Returns the options (`{}` for undefined).
 */
export function validateClientOptionsBase<T extends ClientOptionsBase>(options: T | undefined, owner: string): T {
  if (options === undefined) return {} as T;
  if (!isPlainObject(options)) throw new TypeError(`${owner} must be an object`);
  if (options.logger !== undefined && !isLogger(options.logger)) {
    throw new TypeError(`${owner}.logger must have debug, info, warn and error methods`);
  }
  if (options.clock !== undefined && !hasMethods(options.clock, ['now', 'setTimeout', 'clearTimeout'])) {
    throw new TypeError(`${owner}.clock must have now, setTimeout and clearTimeout methods`);
  }
  if (options.random !== undefined && typeof options.random !== 'function') throw new TypeError(`${owner}.random must be a function`);
  if (options.dispatcher !== undefined && !hasMethods(options.dispatcher, ['dispatch'])) {
    throw new TypeError(`${owner}.dispatcher must be an undici Dispatcher`);
  }
  validateTls(options.tls, `${owner}.tls`);
  validateUserAgent(options.userAgent, `${owner}.userAgent`);
  validateRetry(options.retry, `${owner}.retry`);
  assertDuration(`${owner}.timeoutInMs`, options.timeoutInMs);
  assertDuration(`${owner}.deadlineInMs`, options.deadlineInMs);
  return options;
}

function isAbortSignal(value: unknown): value is AbortSignal {
  if (value instanceof AbortSignal) return true;
  // A signal of another realm or polyfill.
  const candidate = value as { aborted?: unknown; addEventListener?: unknown; removeEventListener?: unknown } | null;
  return (
    typeof value === 'object' &&
    candidate !== null &&
    typeof candidate.aborted === 'boolean' &&
    typeof candidate.addEventListener === 'function' &&
    typeof candidate.removeEventListener === 'function'
  );
}

/**
 * Checks per-call options; `where` prefixes every parameter name:
 * `validateCallOptions(options, 'getUnit() options')` throws e.g.
 * `TypeError: getUnit() options.signal must be an AbortSignal`. Returns the options (`{}` for undefined).
 */
export function validateCallOptions<T extends CallOptions>(options: T | undefined, where: string): T {
  if (options === undefined) return {} as T;
  if (!isPlainObject(options)) throw new TypeError(`${where} must be an object`);
  if (options.signal !== undefined && !isAbortSignal(options.signal)) throw new TypeError(`${where}.signal must be an AbortSignal`);
  assertDuration(`${where}.timeoutInMs`, options.timeoutInMs);
  assertDuration(`${where}.deadlineInMs`, options.deadlineInMs);
  return options;
}
