import { assertDuration } from '../clock.js';
import type { HttpClientOptions, RequestOptions } from './types.js';

export const METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const RESPONSE_TYPES: ReadonlySet<string> = new Set(['json', 'text', 'bytes', 'stream', 'none']);
const RELEASE_ON: ReadonlySet<unknown> = new Set(['headers', 'body']);

/** A duration option: > 0 (or >= 0), at most what a timer holds; `Infinity` only where it means "none". */
export function checkDuration(name: string, value: unknown, allowZero = false, infinityIsNone = false): void {
  if (value === undefined || (infinityIsNone && value === Number.POSITIVE_INFINITY)) return;
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || (!allowZero && value === 0)) {
    throw new RangeError(`${name} must be a number ${allowZero ? '>= 0' : '> 0'}, got ${typeof value === 'number' ? value : typeof value}`);
  }
  // Durations end in a timer: past what one holds it would fire after 1 ms.
  assertDuration(name, value);
}

/** A byte limit: a number > 0 (`Infinity` allowed: no limit). */
export function checkByteLimit(name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || Number.isNaN(value) || value <= 0) {
    throw new RangeError(`${name} must be a number > 0, got ${typeof value === 'number' ? value : typeof value}`);
  }
}

function checkObject(name: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'object' || value === null)) throw new TypeError(`${name} must be an object`);
}

function checkFunction(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') throw new TypeError(`${name} must be a function`);
}

function checkReleaseOn(value: unknown): void {
  if (value !== undefined && !RELEASE_ON.has(value)) throw new RangeError(`releaseSlotOn must be 'headers' or 'body', got ${typeof value === 'string' ? value : typeof value}`);
}

/** `value` (when given) must be an object with these methods. */
function checkMethods(name: string, value: unknown, methods: readonly string[]): void {
  if (value === undefined) return;
  checkObject(name, value);
  for (const method of methods) {
    if (typeof (value as Record<string, unknown>)[method] !== 'function') throw new TypeError(`${name}.${method} must be a function`);
  }
}

/** Checks the client options (the base URL and headers are checked where they are parsed). */
export function validateClientOptions(options: HttpClientOptions): void {
  checkDuration('timeoutInMs', options.timeoutInMs);
  checkDuration('deadlineInMs', options.deadlineInMs, false, true);
  if (options.maxConnections !== undefined && (!Number.isInteger(options.maxConnections) || options.maxConnections < 1)) {
    throw new RangeError(`maxConnections must be an integer >= 1, got ${String(options.maxConnections)}`);
  }
  if (options.userAgent !== undefined && typeof options.userAgent !== 'string') throw new TypeError('userAgent must be a string');
  if (options.auth !== undefined && (typeof options.auth !== 'object' || typeof options.auth.apply !== 'function')) {
    throw new TypeError('auth must be an AuthProvider');
  }
  if (options.rateLimiter !== undefined && typeof options.rateLimiter.acquire !== 'function') throw new TypeError('rateLimiter must be a RateLimiter');
  checkReleaseOn(options.releaseSlotOn);
  checkByteLimit('maxErrorBodyBytes', options.maxErrorBodyBytes);
  checkByteLimit('maxResponseBytes', options.maxResponseBytes);
  checkMethods('logger', options.logger, ['debug', 'info', 'warn', 'error']);
  checkMethods('clock', options.clock, ['now', 'setTimeout', 'clearTimeout']);
  checkMethods('dispatcher', options.dispatcher, ['dispatch', 'close']);
  if (options.random !== undefined && typeof options.random !== 'function') throw new TypeError('random must be a function returning a number in [0, 1)');
  checkFunction('parseVendorError', options.parseVendorError);
  checkFunction('classify', options.classify);
  checkFunction('isUnauthorized', options.isUnauthorized);
  checkObject('tls', options.tls);
  checkObject('redact', options.redact);
  for (const key of ['headers', 'queryParams', 'bodyKeys', 'allowHeaders'] as const) {
    const names: unknown = options.redact?.[key];
    if (names !== undefined && (!Array.isArray(names) || !names.every((n) => typeof n === 'string'))) {
      throw new TypeError(`redact.${key} must be an array of strings`);
    }
  }
}

/** Checks one call's options; returns its upper-case method. */
export function validateCall(call: RequestOptions): string {
  const method = call.method === undefined ? 'GET' : String(call.method).toUpperCase();
  if (!METHODS.has(method)) throw new RangeError(`method must be one of ${[...METHODS].join(', ')}, got ${String(call.method)}`);
  if (typeof call.path !== 'string') throw new TypeError('path must be a string');
  if (call.responseType !== undefined && !RESPONSE_TYPES.has(call.responseType)) throw new RangeError(`responseType must be one of ${[...RESPONSE_TYPES].join(', ')}`);
  checkDuration('timeoutInMs', call.timeoutInMs);
  checkDuration('deadlineInMs', call.deadlineInMs, true, true);
  if (call.signal !== undefined && !(call.signal instanceof AbortSignal)) throw new TypeError('signal must be an AbortSignal');
  checkFunction('okStatus', call.okStatus);
  checkFunction('parseVendorError', call.parseVendorError);
  if (call.idempotent !== undefined && typeof call.idempotent !== 'boolean') throw new TypeError('idempotent must be a boolean');
  if (call.auth !== undefined && call.auth !== false) throw new TypeError('auth must be false or left out');
  checkByteLimit('maxResponseBytes', call.maxResponseBytes);
  checkReleaseOn(call.releaseSlotOn);
  return method;
}
