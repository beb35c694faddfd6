/**
 * The options of @x/comap's clients (all extend @x/http-core's `ClientOptionsBase`; every call
 * takes its `CallOptions`), and how they become an http-core client.
 */
import { createHash } from 'node:crypto';
import {
  createHttpClient,
  layerLogger,
  namespacedLogger,
  validateCallOptions,
  validateClientOptionsBase,
  type AuthProvider,
  type CallOptions,
  type ClientOptionsBase,
  type ErrorCategory,
  type HttpClient,
  type HttpClientOptions,
  type RateLimiter,
} from '@x/http-core';
import { parseComapError, type ComapItemError } from './errors.js';
import type { TokenStore } from './token-store.js';
import { USER_AGENT } from './version.js';

export type { CallOptions } from '@x/http-core';

/** The API's origin. */
export const DEFAULT_BASE_URL = 'https://api.websupervisor.net';
/** What the Python package uses per request. */
export const DEFAULT_TIMEOUT_IN_MS = 30_000;

/** Options of the Identity and WSV clients: the common ones, plus where the API is. */
export interface ComapHttpOptions extends ClientOptionsBase {
  /** Origin of the API (the simulator's `url` for tests). Default `https://api.websupervisor.net`. */
  baseUrl?: string | URL;
  /** Connections per origin. Default 64. */
  maxConnections?: number;
}

/** Options of `new Identity()`: the HTTP options shared by every ComAp client (base URL, timeouts, logger, ...). */
export type IdentityOptions = ComapHttpOptions;

export interface WsvOptions extends ComapHttpOptions {
  /**
   * Client-side rate limiting. Default: 1 request/s shared by every client in this process that
   * uses the same key (`getSharedRateLimiter('comap:' + fingerprint of the key)`). `false` turns
   * it off; a RateLimiter is used as given; an object sets a different (still shared) rate.
   */
  rateLimit?: false | RateLimiter | { requestsPerInterval?: number; intervalInMs?: number };
  /**
   * A malformed item of a list answer (a value with `timeStamp: null`, a unit with `name: null`)
   * fails the whole call. Default false: the item is skipped and reported to `onInvalidItem`.
   */
  strict?: boolean;
  /** Gets each skipped item's ComapItemError (`path`, `item`, `rawPreview`). Default: a warning on `logger`. */
  onInvalidItem?: (error: ComapItemError) => void;
}

export interface ComapClientOptions extends WsvOptions {
  /** The APIM subscription key (`Comap-Key`), from the developer portal profile. */
  key: string;
  /** The application registration's client id and secret (ComAp Cloud Identity). */
  clientId: string;
  secret: string;
  /** The WebSupervisor login (goes in the URL path). */
  loginId: string;
  /**
   * Limits token requests. Default: 5 per 5 minutes, shared by every client in this process using
   * the same key. A token request over the limit waits (abortable) instead of being sent.
   */
  tokenRateLimiter?: RateLimiter;
  /**
   * Share the token with the other clients of this identity in this process (same origin, key,
   * client id and secret). Default true; false: this client fetches and refreshes its own.
   */
  shareToken?: boolean;
  /** Keeps the token between processes (the CLI: a file in the user's cache directory). Default none. */
  tokenStore?: TokenStore;
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

/** Checks the options every client has (`owner` names them in messages: `WSV options.timeoutInMs …`). */
export function checkHttpOptions<T extends ComapHttpOptions>(options: T | undefined, owner: string): T {
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) throw new TypeError(`${owner} must be an object`);
  const checked = validateClientOptionsBase(options, owner);
  checkBaseUrl(checked.baseUrl, `${owner}.baseUrl`);
  const max = checked.maxConnections;
  if (max !== undefined && (typeof max !== 'number' || !Number.isInteger(max) || max < 1)) {
    throw new RangeError(`${owner}.maxConnections must be a positive integer, got ${String(max)}`);
  }
  return checked;
}

function checkBaseUrl(baseUrl: unknown, name: string): void {
  if (baseUrl === undefined) return;
  if (typeof baseUrl !== 'string' && !(baseUrl instanceof URL)) throw new TypeError(`${name} must be a string or a URL`);
  let url: URL;
  try {
    url = new URL(String(baseUrl));
  } catch {
    throw new TypeError(`${name} is not a valid URL: ${String(baseUrl).slice(0, 100)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`${name} must be an http: or https: URL`);
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

/** What differs between the Identity and the WSV client. */
export interface HttpSetup {
  baseUrl: string;
  auth: AuthProvider;
  rateLimiter: RateLimiter | undefined;
  classify: (error: unknown) => ErrorCategory | undefined;
}

/** The http-core client of a ComAp client: ComAp's error bodies and categories, log lines `[comap:http]`. */
export function buildHttp(options: ComapHttpOptions, setup: HttpSetup): HttpClient {
  const http: HttpClientOptions = {
    baseUrl: setup.baseUrl,
    userAgent: options.userAgent === undefined ? USER_AGENT : `${options.userAgent} ${USER_AGENT}`,
    auth: setup.auth,
    retry: options.retry ?? { maxAttempts: 4 },
    timeoutInMs: options.timeoutInMs ?? DEFAULT_TIMEOUT_IN_MS,
    redact: { headers: ['comap-key'], queryParams: ['comap-key'], allowHeaders: ['x-ratelimit-limit', 'x-ratelimit-remaining', 'request-context'] },
    parseVendorError: parseComapError,
    classify: setup.classify,
  };
  if (options.deadlineInMs !== undefined) http.deadlineInMs = options.deadlineInMs;
  if (setup.rateLimiter) http.rateLimiter = setup.rateLimiter;
  if (options.clock) http.clock = options.clock;
  if (options.random) http.random = options.random;
  if (options.logger) http.logger = layerLogger(namespacedLogger(options.logger, 'comap'), 'http');
  if (options.maxConnections !== undefined) http.maxConnections = options.maxConnections;
  if (options.dispatcher) http.dispatcher = options.dispatcher;
  if (options.tls) http.tls = options.tls;
  return createHttpClient(http);
}

/** The request options of one call (signal, timeout, deadline), checked; `where` names the method. */
export function callOptions(options: CallOptions | undefined, where: string): CallOptions {
  const checked = validateCallOptions(options, where);
  const out: CallOptions = {};
  if (checked.signal !== undefined) out.signal = checked.signal;
  if (checked.timeoutInMs !== undefined) out.timeoutInMs = checked.timeoutInMs;
  if (checked.deadlineInMs !== undefined) out.deadlineInMs = checked.deadlineInMs;
  return out;
}
