/** ComapClient: the WSV API with a token it owns (Identity + cache + refresh + request limit). */
import { bearerAuth, createRateLimiter, getSharedRateLimiter, type BearerAuthProvider, type RateLimiter } from '@x/http-core';
import { REFRESH_BEFORE_EXPIRY_IN_MS } from './auth.js';
import { Identity } from './identity.js';
import { DEFAULT_TIMEOUT_IN_MS, checkHttpOptions, checkString, keyFingerprint, type ComapClientOptions } from './options.js';
import type { TokenResponse } from './types.js';
import { WSV } from './wsv.js';

/** The Identity API's limit: 5 token requests per 5 minutes. */
export const TOKEN_REQUEST_LIMIT = Object.freeze({ requests: 5, intervalInMs: 300_000 });

function tokenLimiter(options: ComapClientOptions): RateLimiter {
  if (options.tokenRateLimiter !== undefined) {
    if (typeof options.tokenRateLimiter !== 'object' || typeof options.tokenRateLimiter.schedule !== 'function') {
      throw new TypeError('ComapClient options.tokenRateLimiter must be a RateLimiter');
    }
    return options.tokenRateLimiter;
  }
  const limits = { tokensPerInterval: TOKEN_REQUEST_LIMIT.requests, intervalInMs: TOKEN_REQUEST_LIMIT.intervalInMs };
  // A test clock gets its own limiter: the shared one runs on real time.
  return options.clock ? createRateLimiter({ ...limits, clock: options.clock }) : getSharedRateLimiter(`comap-identity:${keyFingerprint(options.key)}`, limits);
}

/**
 * `new ComapClient({ key, clientId, secret, loginId })` has every WSV method and manages the
 * token itself: fetched on first use, cached, refreshed single-flight about 60 s before
 * `expires_in` runs out, fetched again once when the API answers 401, and never requested more
 * than 5 times per 5 minutes.
 */
export class ComapClient extends WSV {
  readonly identity: Identity;
  private readonly tokenAuth: BearerAuthProvider;
  private lastToken: TokenResponse | undefined;

  constructor(options: ComapClientOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('ComapClient options must be an object');
    checkHttpOptions(options, 'ComapClient options');
    checkString(options.key, 'ComapClient options.key');
    checkString(options.clientId, 'ComapClient options.clientId');
    checkString(options.secret, 'ComapClient options.secret');
    checkString(options.loginId, 'ComapClient options.loginId');
    const identity = new Identity(options.key, options);
    const limiter = tokenLimiter(options);
    const state: { client?: ComapClient } = {};
    const auth = bearerAuth(
      async (signal) => {
        // `signal` is the shared refresh's own (never one caller's): one caller giving up does not fail the others.
        const token = await limiter.schedule(() => identity.authenticate(options.clientId, options.secret, { signal }), signal);
        if (state.client) state.client.lastToken = token;
        return { token: token.access_token, expiresInMs: token.expires_in * 1000 };
      },
      {
        refreshBeforeExpiryInMs: REFRESH_BEFORE_EXPIRY_IN_MS,
        // A token request over the limit waits for the limiter (up to its 5 minutes) before it is
        // sent: the refresh must not time out meanwhile (http-core's default is 30 s).
        refreshTimeoutInMs: TOKEN_REQUEST_LIMIT.intervalInMs + 2 * (options.timeoutInMs ?? DEFAULT_TIMEOUT_IN_MS),
        ...(options.clock ? { clock: options.clock } : {}),
      },
    );
    super(options.loginId, options.key, auth, options);
    state.client = this;
    this.identity = identity;
    this.tokenAuth = auth;
  }

  /** How many token requests this client has made. */
  get tokenRequests(): number {
    return this.tokenAuth.refreshCount;
  }

  /** The last token response (its `access_token` is a secret: never log it). */
  get token(): TokenResponse | undefined {
    return this.lastToken;
  }

  /** Forgets the cached token; the next call fetches a new one. */
  invalidateToken(): void {
    this.tokenAuth.invalidate();
  }

  override async close(): Promise<void> {
    await Promise.all([super.close(), this.identity.close()]);
  }
}
