/** Options shared by the Identity and WSV clients, and how they become an http-core client. */
import { createHash } from 'node:crypto';
import { createHttpClient, type AuthProvider, type Clock, type HttpClient, type HttpClientOptions, type Logger, type RandomSource, type RateLimiter, type RetryOptions } from '@x/http-core';
import { USER_AGENT } from './version.js';

/** The API's origin. */
export const DEFAULT_BASE_URL = 'https://api.websupervisor.net';
/** What the Python package uses per request. */
export const DEFAULT_TIMEOUT_IN_MS = 30_000;

/** Options of every call. */
export interface CallOptions {
  signal?: AbortSignal;
  /** Per attempt (connect, headers, body idle). */
  timeoutInMs?: number;
}

export interface ComapHttpOptions {
  /** Origin of the API (the simulator's `url` for tests). Default `https://api.websupervisor.net`. */
  baseUrl?: string | URL;
  /** Per attempt. Default 30 000 ms. */
  timeoutInMs?: number;
  /** Overall budget of one call across retries. Default none. */
  deadlineInMs?: number;
  /** Retries of idempotent calls (commands are never retried). Default 4 attempts. */
  retry?: Partial<RetryOptions> | false;
  clock?: Clock;
  random?: RandomSource;
  logger?: Logger;
  maxConnections?: number;
  /** An undici dispatcher to use instead of a private one. */
  dispatcher?: HttpClientOptions['dispatcher'];
}

/** Resolves `relative` against the base URL, keeping any path prefix of the base. */
export function apiUrl(baseUrl: string | URL | undefined, relative: string): string {
  const base = new URL(String(baseUrl ?? DEFAULT_BASE_URL));
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new TypeError('baseUrl must be an http: or https: URL');
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  base.search = '';
  base.hash = '';
  return new URL(relative, base).toString();
}

export function checkBaseUrl(baseUrl: unknown): void {
  if (baseUrl === undefined) return;
  if (typeof baseUrl !== 'string' && !(baseUrl instanceof URL)) throw new TypeError('baseUrl must be a string or a URL');
  try {
    apiUrl(baseUrl, '');
  } catch (error) {
    throw error instanceof TypeError && error.message.startsWith('baseUrl') ? error : new TypeError(`baseUrl is not a valid URL: ${String(baseUrl).slice(0, 100)}`);
  }
}

export function checkString(value: unknown, name: string): string {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string`);
  if (value.trim() === '') throw new RangeError(`${name} must not be empty`);
  return value;
}

/** Names a key in ids that outlive a call (shared limiters): a fingerprint, never the key itself. */
export function keyFingerprint(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

export function buildHttp(baseUrl: string, options: ComapHttpOptions, auth: AuthProvider, rateLimiter: RateLimiter | undefined): HttpClient {
  const http: HttpClientOptions = {
    baseUrl,
    userAgent: USER_AGENT,
    auth,
    retry: options.retry ?? { maxAttempts: 4 },
    timeoutInMs: options.timeoutInMs ?? DEFAULT_TIMEOUT_IN_MS,
    redact: { headers: ['comap-key'], queryParams: ['comap-key'], allowHeaders: ['x-ratelimit-limit', 'x-ratelimit-remaining', 'request-context'] },
  };
  if (options.deadlineInMs !== undefined) http.deadlineInMs = options.deadlineInMs;
  if (rateLimiter) http.rateLimiter = rateLimiter;
  if (options.clock) http.clock = options.clock;
  if (options.random) http.random = options.random;
  if (options.logger) http.logger = options.logger;
  if (options.maxConnections !== undefined) http.maxConnections = options.maxConnections;
  if (options.dispatcher) http.dispatcher = options.dispatcher;
  return createHttpClient(http);
}

/** Request options common to every call (signal, timeout). */
export function callOptions(options: CallOptions | undefined): { signal?: AbortSignal; timeoutInMs?: number } {
  const out: { signal?: AbortSignal; timeoutInMs?: number } = {};
  if (options === undefined) return out;
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  if (options.signal !== undefined) {
    if (!(options.signal instanceof AbortSignal)) throw new TypeError('options.signal must be an AbortSignal');
    out.signal = options.signal;
  }
  if (options.timeoutInMs !== undefined) out.timeoutInMs = options.timeoutInMs;
  return out;
}
