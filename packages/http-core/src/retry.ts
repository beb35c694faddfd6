import { isAbortError, isHttpError, isNetworkError, isParseError, isTimeoutError } from './errors.js';

/** How a failure is treated by the retry loop. */
export type ErrorClass = 'throttled' | 'transient' | 'client' | 'aborted';

/** How a client retries; every field defaults to {@link DEFAULT_RETRY_OPTIONS}. */
export interface RetryOptions {
  /** Total attempts including the first. Default 3. */
  maxAttempts: number;
  /** Base of the exponential backoff for transient failures. Default 200 ms. */
  baseDelayInMs: number;
  /** Base of the exponential backoff for throttled failures (429) without Retry-After. Default 1000 ms. */
  throttledBaseDelayInMs: number;
  /** Cap of the computed backoff. Default 20 000 ms. */
  maxDelayInMs: number;
  /** Capacity of the client's retry budget in tokens (a retry costs 5, after a timeout 10; a success refunds 1). Default 500. */
  retryBudget: number;
  /** Wait as long as the server's Retry-After says (seconds or HTTP date). Default true. */
  respectRetryAfter: boolean;
  /** A Retry-After longer than this fails at once (with `retryAfterInMs` on the error). Default 60 000 ms. */
  maxRetryAfterInMs: number;
  /**
   * Retry a throttled answer (429, or a vendor code classified throttled) whatever the method: for
   * APIs whose rate limiter refuses a request before acting on it, so a POST cannot run twice.
   * Default false (only idempotent calls are retried after the server saw them).
   */
  retryThrottledAnyMethod?: boolean;
  /** Override the classification of a failure (return undefined to keep the built-in one). */
  classify?: (error: unknown) => ErrorClass | undefined;
}

/** The retry defaults: 3 attempts, 200 ms base (1 s when throttled), 20 s cap, budget 500, Retry-After honoured up to 60 s. */
export const DEFAULT_RETRY_OPTIONS: Readonly<RetryOptions> = Object.freeze({
  maxAttempts: 3,
  baseDelayInMs: 200,
  throttledBaseDelayInMs: 1000,
  maxDelayInMs: 20_000,
  retryBudget: 500,
  respectRetryAfter: true,
  maxRetryAfterInMs: 60_000,
});

/** Retry budget costs (AWS smithy's standard strategy). */
export const RETRY_COST = 5;
export const TIMEOUT_RETRY_COST = 10;
export const SUCCESS_REFUND = 1;

const TRANSIENT_STATUS: ReadonlySet<number> = new Set([408, 500, 502, 503, 504]);

/** Connection error codes that mean no byte of the request reached the server. */
const PRE_SEND_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

const TLS_TRUST_CODE = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|^ERR_TLS_/;

/**
 * Throttled (429), transient (408/500/502/503/504, network failures except TLS trust failures, per-attempt timeouts),
 * aborted (caller abort, overall deadline) or client (everything else: never retried).
 */
export function classifyError(error: unknown): ErrorClass {
  if (isHttpError(error)) {
    if (error.status === 429) return 'throttled';
    return TRANSIENT_STATUS.has(error.status) ? 'transient' : 'client';
  }
  if (isAbortError(error)) return 'aborted';
  if (isTimeoutError(error)) return error.phase === 'deadline' ? 'aborted' : 'transient';
  // A certificate the client does not trust will not become trusted by retrying.
  if (isNetworkError(error)) return TLS_TRUST_CODE.test(error.code) ? 'client' : 'transient';
  if (isParseError(error)) return 'client';
  return 'client';
}

/** True when the failure happened before any byte of the request was sent (safe to retry any method). */
export function isPreSendFailure(error: unknown): boolean {
  if (isTimeoutError(error)) return error.phase === 'connect';
  if (isNetworkError(error)) return PRE_SEND_CODES.has(error.code);
  return false;
}

/**
 * Parses a Retry-After value (delta seconds or an HTTP date) into milliseconds from `now`.
 * Returns undefined for missing or malformed values; dates in the past give 0.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  if (/^\d+\.\d+$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date) || !/[a-z]/i.test(trimmed)) return undefined;
  return Math.max(0, date - now);
}

/** A token bucket that stops retries when too many of them fail in a row (an outage). */
export class RetryBudget {
  readonly capacity: number;
  #tokens: number;

  constructor(capacity: number) {
    if (typeof capacity !== 'number' || !(capacity >= 0)) {
      throw new RangeError(`retry.retryBudget must be a number >= 0, got ${String(capacity)}`);
    }
    this.capacity = capacity;
    this.#tokens = capacity;
  }

  get tokens(): number {
    return this.#tokens;
  }

  /** Takes the cost of one retry; false when the budget cannot pay it. */
  tryAcquire(afterTimeout: boolean): boolean {
    if (this.capacity === Number.POSITIVE_INFINITY) return true;
    const cost = afterTimeout ? TIMEOUT_RETRY_COST : RETRY_COST;
    if (this.#tokens < cost) return false;
    this.#tokens -= cost;
    return true;
  }

  /** A request succeeded: give back a token. */
  refund(): void {
    if (this.#tokens < this.capacity) this.#tokens = Math.min(this.capacity, this.#tokens + SUCCESS_REFUND);
  }
}

/** Merges per-client and per-call retry options over the defaults; validates them. */
export function resolveRetryOptions(
  base: Readonly<RetryOptions>,
  override: Partial<RetryOptions> | false | undefined,
  label: string,
): RetryOptions {
  if (override === false) return { ...base, maxAttempts: 1 };
  if (override === undefined) return base;
  if (typeof override !== 'object' || override === null) {
    throw new TypeError(`${label} must be an object or false`);
  }
  const merged: RetryOptions = { ...base, ...stripUndefined(override) };
  for (const key of ['maxAttempts', 'baseDelayInMs', 'throttledBaseDelayInMs', 'maxDelayInMs', 'retryBudget', 'maxRetryAfterInMs'] as const) {
    const v = merged[key];
    if (typeof v !== 'number' || Number.isNaN(v) || v < 0) throw new RangeError(`${label}.${key} must be a number >= 0, got ${String(v)}`);
  }
  if (merged.retryThrottledAnyMethod !== undefined && typeof merged.retryThrottledAnyMethod !== 'boolean') {
    throw new TypeError(`${label}.retryThrottledAnyMethod must be a boolean, got ${typeof merged.retryThrottledAnyMethod}`);
  }
  if (merged.maxAttempts < 1 || !Number.isInteger(merged.maxAttempts)) {
    throw new RangeError(`${label}.maxAttempts must be an integer >= 1, got ${String(merged.maxAttempts)}`);
  }
  return merged;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
