import { backoffDelay } from './backoff.js';
import { type Clock, type RandomSource, systemClock } from './clock.js';
import { AbortError, TimeoutError, isTimeoutError } from './errors.js';
import { classifyError } from './retry.js';
import { sleep } from './sleep.js';

/** Context given to an auth provider for one attempt. */
export interface AuthContext {
  signal?: AbortSignal;
  /** The (lower-case) headers the attempt is being sent with (for `onUnauthorized`: the ones that got the 401). */
  headers?: Readonly<Record<string, string>>;
  /** The attempt's `timeoutInMs` (the call's, else the client's), for a provider that bounds its own waits by it. */
  timeoutInMs?: number;
}

/** Adds credentials to a request. Applied again on every attempt. */
export interface AuthProvider {
  /** Sets credential headers (lower-case names) on `headers`. */
  apply(headers: Record<string, string>, ctx: AuthContext): void | Promise<void>;
  /** The server answered 401: refresh credentials; true → replay the request once. */
  onUnauthorized?(ctx: AuthContext): Promise<boolean>;
  /** Raw secret values, scrubbed from every error and log text. */
  secrets(): string[];
}

/** Static credential headers (API keys …). Names are sent lower-case; values are treated as secrets. */
export function staticHeaders(headers: Record<string, string>): AuthProvider {
  if (typeof headers !== 'object' || headers === null) throw new TypeError('staticHeaders: headers must be an object');
  const entries = Object.entries(headers).map(([name, value]): [string, string] => {
    if (typeof value !== 'string') throw new TypeError(`staticHeaders: header ${name} must be a string`);
    return [name.toLowerCase(), value];
  });
  return {
    apply(target) {
      for (const [name, value] of entries) target[name] = value;
    },
    secrets: () => entries.map(([, value]) => value),
  };
}

/** HTTP Basic authentication. */
export function basicAuth(username: string, password: string): AuthProvider {
  if (typeof username !== 'string') throw new TypeError('basicAuth: username must be a string');
  if (typeof password !== 'string') throw new TypeError('basicAuth: password must be a string');
  if (username.includes(':')) throw new RangeError('basicAuth: username must not contain ":"');
  const encoded = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
  const value = `Basic ${encoded}`;
  return {
    apply(target) {
      target.authorization = value;
    },
    secrets: () => [password, encoded],
  };
}

/** What a bearer token provider returns. */
export interface BearerToken {
  token: string;
  /** Lifetime from now; omitted → valid until a 401 says otherwise. */
  expiresInMs?: number;
}

/**
 * Fetches a fresh token; called single-flight by {@link bearerAuth} (never twice at once). Honour
 * `signal`: it fires when the refresh times out (`refreshTimeoutInMs`) or the call is aborted.
 */
export type BearerTokenProvider = (signal: AbortSignal) => Promise<BearerToken>;

/** Options of {@link bearerAuth}. */
export interface BearerAuthOptions {
  /** Refresh this long before the token expires. Default 60 000 ms. */
  refreshBeforeExpiryInMs?: number;
  /** Time of expiry checks and of the retry backoff waits (tests). Default the system clock. */
  clock?: Clock;
  /** Jitter of the retry backoff (tests). Default `Math.random`. */
  random?: RandomSource;
  /** Header name. Default `authorization`. */
  headerName?: string;
  /** Value prefix. Default `Bearer `. */
  scheme?: string;
  /** A token provider call that takes longer is aborted and fails (the next call tries again). Default 30 000 ms. */
  refreshTimeoutInMs?: number;
  /**
   * A transient failure of the token provider (5xx, 429, network error) is
   * retried with full-jitter backoff before every waiting call fails. Default 3 attempts, base
   * 200 ms; `false`: one attempt.
   */
  retry?: { maxAttempts?: number; baseDelayInMs?: number } | false;
  /**
   * true: each call waits for a token at most its own `timeoutInMs` (`AuthContext.timeoutInMs`),
   * then fails with a `TimeoutError` naming `tokenRequestName`, while the shared token request goes
   * on for the other calls. Default false: a call waits as long as the shared request takes (at
   * most `refreshTimeoutInMs` per attempt), bounded only by its signal and deadline.
   */
  waitWithinCallTimeout?: boolean;
  /** What the token request is, in that TimeoutError's message. Default `the token request`. */
  tokenRequestName?: string;
}

function tokenRetry(retry: BearerAuthOptions['retry']): TokenRetry {
  if (retry === false) return { maxAttempts: 1, baseDelayInMs: 0 };
  if (retry !== undefined && (typeof retry !== 'object' || retry === null)) throw new TypeError('bearerAuth: retry must be an object or false');
  const maxAttempts = retry?.maxAttempts ?? 3;
  const baseDelayInMs = retry?.baseDelayInMs ?? 200;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError(`bearerAuth: retry.maxAttempts must be an integer >= 1, got ${String(maxAttempts)}`);
  if (typeof baseDelayInMs !== 'number' || !(baseDelayInMs >= 0)) throw new RangeError(`bearerAuth: retry.baseDelayInMs must be a number >= 0, got ${String(baseDelayInMs)}`);
  return { maxAttempts, baseDelayInMs };
}

/** One call of the provider, aborted (and failed) after `timeoutInMs`. */
async function fetchToken(provider: BearerTokenProvider, timeoutInMs: number): Promise<BearerToken> {
  const controller = new AbortController();
  // Real time on purpose: a stuck provider must not block every later call forever.
  const timer = setTimeout(() => {
    controller.abort(new TimeoutError({ phase: 'headers', timeoutInMs, message: `bearerAuth: the token provider did not answer within ${timeoutInMs} ms` }));
  }, timeoutInMs);
  const aborted = new Promise<never>((_resolve, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error), { once: true });
  });
  aborted.catch(() => undefined);
  try {
    return await Promise.race([provider(controller.signal), aborted]);
  } finally {
    clearTimeout(timer);
  }
}

interface TokenRetry {
  maxAttempts: number;
  baseDelayInMs: number;
}

/** The provider's answer, retried (with backoff on `clock`) while its failures are transient. */
async function fetchWithRetries(provider: BearerTokenProvider, timeoutInMs: number, retry: TokenRetry, random: RandomSource, clock: Clock): Promise<BearerToken> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetchToken(provider, timeoutInMs);
    } catch (error) {
      const kind = classifyError(error);
      // A provider that ran past refreshTimeoutInMs is stuck, not flaky: waiting again would only multiply the wait.
      if (attempt >= retry.maxAttempts || isTimeoutError(error) || (kind !== 'transient' && kind !== 'throttled')) throw error;
      await sleep(backoffDelay(attempt, retry.baseDelayInMs, 5_000, random), undefined, clock);
    }
  }
}

/** How long one caller waits for the shared refresh: its signal, and its timeout when bounded by it. */
interface CallerWait {
  signal: AbortSignal | undefined;
  /** Finite and > 0, else the wait is not timed. */
  timeoutInMs: number | undefined;
  tokenRequestName: string;
}

/**
 * `promise` for one caller: an AbortError as soon as its signal aborts, a TimeoutError once its
 * time is up (real time, as the client's own per-attempt timeouts); the shared promise runs on.
 */
async function waitAsCaller<T>(promise: Promise<T>, wait: CallerWait): Promise<T> {
  const { signal, timeoutInMs } = wait;
  const timed = timeoutInMs !== undefined && Number.isFinite(timeoutInMs) && timeoutInMs > 0;
  if (!signal && !timed) return promise;
  if (signal?.aborted) throw new AbortError(signal.reason);
  let onAbort: (() => void) | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const cut = new Promise<never>((_resolve, reject) => {
    if (signal) {
      onAbort = () => reject(new AbortError(signal.reason));
      signal.addEventListener('abort', onAbort, { once: true });
    }
    if (timed) {
      const message = `bearerAuth: ${wait.tokenRequestName} did not answer within the call's timeoutInMs of ${timeoutInMs} ms (it goes on for the other calls)`;
      timer = setTimeout(() => reject(new TimeoutError({ phase: 'headers', timeoutInMs, message })), timeoutInMs);
    }
  });
  try {
    return await Promise.race([promise, cut]);
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    if (timer !== undefined) clearTimeout(timer);
  }
}

export interface BearerAuthProvider extends AuthProvider {
  onUnauthorized(ctx: AuthContext): Promise<boolean>;
  /** Forgets the cached token; the next request fetches a new one. */
  invalidate(): void;
  /** How many times the token provider has been called. */
  readonly refreshCount: number;
}

/**
 * Bearer tokens from an async provider: cached, refreshed single-flight before expiry, and on a
 * 401 refreshed once (shared by all calls that saw the same stale token) and the request replayed.
 */
export function bearerAuth(provider: BearerTokenProvider, options: BearerAuthOptions = {}): BearerAuthProvider {
  if (typeof provider !== 'function') throw new TypeError('bearerAuth: provider must be a function');
  const clock = options.clock ?? systemClock;
  if (options.random !== undefined && typeof options.random !== 'function') throw new TypeError('bearerAuth: random must be a function returning a number in [0, 1)');
  const random = options.random ?? Math.random;
  const refreshBefore = options.refreshBeforeExpiryInMs ?? 60_000;
  if (typeof refreshBefore !== 'number' || !(refreshBefore >= 0)) {
    throw new RangeError('bearerAuth: refreshBeforeExpiryInMs must be a number >= 0');
  }
  const refreshTimeout = options.refreshTimeoutInMs ?? 30_000;
  if (typeof refreshTimeout !== 'number' || !(refreshTimeout > 0)) {
    throw new RangeError('bearerAuth: refreshTimeoutInMs must be a number > 0');
  }
  const waitWithinCallTimeout = options.waitWithinCallTimeout ?? false;
  if (typeof waitWithinCallTimeout !== 'boolean') throw new TypeError('bearerAuth: waitWithinCallTimeout must be a boolean');
  const tokenRequestName = options.tokenRequestName ?? 'the token request';
  if (typeof tokenRequestName !== 'string' || tokenRequestName === '') throw new TypeError('bearerAuth: tokenRequestName must be a non-empty string');
  const headerName = (options.headerName ?? 'authorization').toLowerCase();
  const scheme = options.scheme ?? 'Bearer ';
  let token: string | undefined;
  let expiresAt = Number.POSITIVE_INFINITY;
  let inFlight: Promise<string> | undefined;
  let refreshCount = 0;
  const previous: string[] = [];

  const retry = tokenRetry(options.retry);

  const refresh = (): Promise<string> => {
    if (inFlight) return inFlight;
    refreshCount += 1;
    // Not tied to any one caller: each caller races its own signal against the shared refresh.
    const started = clock.now();
    inFlight = (async () => {
      try {
        const result = await fetchWithRetries(provider, refreshTimeout, retry, random, clock);
        if (!result || typeof result.token !== 'string' || result.token === '') {
          throw new TypeError('bearerAuth: the token provider must resolve to { token: non-empty string }');
        }
        if (token !== undefined) {
          previous.push(token);
          if (previous.length > 4) previous.shift();
        }
        token = result.token;
        expiresAt =
          typeof result.expiresInMs === 'number' && Number.isFinite(result.expiresInMs)
            ? started + result.expiresInMs
            : Number.POSITIVE_INFINITY;
        return token;
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  };

  const current = (): string | undefined =>
    token !== undefined && clock.now() < expiresAt - refreshBefore ? token : undefined;

  /** The shared refresh, as long as this caller may wait for it. */
  const awaitRefresh = (ctx: AuthContext): Promise<string> =>
    waitAsCaller(refresh(), { signal: ctx.signal, timeoutInMs: waitWithinCallTimeout ? ctx.timeoutInMs : undefined, tokenRequestName });

  return {
    async apply(headers, ctx) {
      const valid = current() ?? (await awaitRefresh(ctx));
      headers[headerName] = `${scheme}${valid}`;
    },
    async onUnauthorized(ctx) {
      const sent = ctx.headers?.[headerName];
      const sentToken = sent?.startsWith(scheme) ? sent.slice(scheme.length) : undefined;
      // Another call already replaced the token that got the 401: just replay.
      if (token !== undefined && sentToken !== undefined && sentToken !== token && !inFlight) return true;
      // Mark the cached token stale so concurrent applies wait for the refresh too.
      expiresAt = Number.NEGATIVE_INFINITY;
      await awaitRefresh(ctx);
      return true;
    },
    invalidate() {
      token = undefined;
      expiresAt = Number.POSITIVE_INFINITY;
    },
    secrets: () => (token === undefined ? [...previous] : [token, ...previous]),
    get refreshCount() {
      return refreshCount;
    },
  };
}
