import { createHttpClient, isAbortError, sleep, type HttpClient, type Logger } from '@x/http-core';
import { USER_AGENT } from './version.js';

/** The seed's `http_lib` as a small typed helper: every HTTP status is a result, not an error. */
export interface HttpLibResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** The body decoded as UTF-8 (empty for HEAD). */
  body: string;
}

/** Options of `createHttpLib`. */
export interface HttpLibOptions {
  /** Per attempt. Default 3000 ms (the seed's `timeout=3`). */
  timeoutInMs?: number;
  /** Extra attempts after a network failure, a timeout or a 5xx/429 answer. Default 0. */
  retries?: number;
  /** Wait after each failed attempt. Default 500 ms. */
  retryDelayInMs?: number;
  logger?: Logger;
  /** TLS settings (e.g. a test CA). */
  tls?: { ca?: string | Buffer; rejectUnauthorized?: boolean };
}

/** Per-request options of the `HttpLib` methods. */
export interface HttpLibRequestOptions {
  /** Replaces the URL's query. */
  query?: Record<string, string | number | boolean>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * The helper `createHttpLib` returns. Every method resolves with any HTTP status; it throws
 * TypeError for a relative URL or a non-string body, and the network error (or abort) of the last attempt.
 */
export interface HttpLib {
  /** `GET url`. */
  get(url: string | URL, options?: HttpLibRequestOptions): Promise<HttpLibResponse>;
  /** `POST url` with a text body. */
  post(url: string | URL, body: string, options?: HttpLibRequestOptions): Promise<HttpLibResponse>;
  /** `PUT url` with a text body. */
  put(url: string | URL, body: string, options?: HttpLibRequestOptions): Promise<HttpLibResponse>;
  /** `DELETE url`. */
  delete(url: string | URL, options?: HttpLibRequestOptions): Promise<HttpLibResponse>;
  /** A real `HEAD` request (the seed sent a method literally named `HEADER`). */
  head(url: string | URL, options?: HttpLibRequestOptions): Promise<HttpLibResponse>;
  /** Closes the underlying HTTP client (its connection pool). */
  close(): Promise<void>;
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';

function checkCount(value: number, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number >= 0`);
  return value;
}

/**
 * Creates the helper. Retries are fixed-delay, like the seed's (`1 + retries` attempts). Not
 * @x/http-core's retry: that one retries thrown errors, so the last 5xx would end as an HttpError
 * with a 2 KiB redacted body and filtered headers instead of the full answer this helper returns;
 * its waits are exponential with full jitter (no fixed delay) and spend a client-wide budget.
 */
export function createHttpLib(options: HttpLibOptions = {}): HttpLib {
  const timeoutInMs = options.timeoutInMs ?? 3000;
  if (typeof timeoutInMs !== 'number' || !(timeoutInMs > 0)) throw new RangeError('options.timeoutInMs must be a number > 0');
  const retries = checkCount(options.retries ?? 0, 'options.retries');
  const retryDelayInMs = checkCount(options.retryDelayInMs ?? 500, 'options.retryDelayInMs');
  const http: HttpClient = createHttpClient({
    userAgent: USER_AGENT,
    retry: false,
    timeoutInMs,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
  });

  async function call(method: Method, url: string | URL, body: string | undefined, opts: HttpLibRequestOptions = {}): Promise<HttpLibResponse> {
    let target: URL;
    try {
      target = new URL(String(url));
    } catch {
      throw new TypeError('url must be an absolute URL');
    }
    if (body !== undefined && typeof body !== 'string') throw new TypeError('body must be a string');
    if (opts.query !== undefined) target.search = '';
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await http.request<Uint8Array | undefined>({
          method,
          path: target.href,
          ...(opts.query ? { query: opts.query } : {}),
          ...(opts.headers ? { headers: opts.headers } : {}),
          ...(body !== undefined ? { body } : {}),
          responseType: method === 'HEAD' ? 'none' : 'bytes',
          okStatus: () => true,
          ...(opts.signal ? { signal: opts.signal } : {}),
        });
        const retryable = res.status >= 500 || res.status === 429;
        if (!retryable || attempt >= retries) {
          return { status: res.status, headers: res.headers, body: res.body ? Buffer.from(res.body).toString('utf8') : '' };
        }
      } catch (err) {
        if (attempt >= retries || isAbortError(err)) throw err;
      }
      await sleep(retryDelayInMs, opts.signal);
    }
  }

  return {
    get: (url, opts) => call('GET', url, undefined, opts),
    post: (url, body, opts) => call('POST', url, body, opts),
    put: (url, body, opts) => call('PUT', url, body, opts),
    delete: (url, opts) => call('DELETE', url, undefined, opts),
    head: (url, opts) => call('HEAD', url, undefined, opts),
    close: () => http.close(),
  };
}
