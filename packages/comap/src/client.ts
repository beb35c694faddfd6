/** ComapClient: the WSV API with a token it manages (Identity + cache + refresh + request limit), shared per identity. */
import type { Identity } from './identity.js';
import { callOptions, checkHttpOptions, checkString, type CallOptions, type ComapClientOptions } from './options.js';
import { acquireToken, type SharedToken } from './shared-token.js';
import { isTokenStore } from './token-store.js';
import type { TokenResponse } from './types.js';
import { WSV } from './wsv.js';

export { TOKEN_REQUEST_LIMIT } from './shared-token.js';

/**
 * `new ComapClient({ key, clientId, secret, loginId })` has every WSV method and manages the
 * token itself: fetched on first use, cached, refreshed single-flight about 60 s before
 * `expires_in` runs out, fetched again once when the API answers 401, and never requested more
 * than 5 times per 5 minutes. Clients of the same identity in this process (same origin, key,
 * client id and secret; any login) share one token. The token is in no enumerable property: it
 * never shows in `util.inspect(client)` or `JSON.stringify(client)`.
 */
export class ComapClient extends WSV {
  readonly #shared: SharedToken;

  constructor(options: ComapClientOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('ComapClient options must be an object');
    checkHttpOptions(options, 'ComapClient options');
    checkString(options.key, 'ComapClient options.key');
    checkString(options.clientId, 'ComapClient options.clientId');
    checkString(options.secret, 'ComapClient options.secret');
    checkString(options.loginId, 'ComapClient options.loginId');
    if (options.shareToken !== undefined && typeof options.shareToken !== 'boolean') throw new TypeError('ComapClient options.shareToken must be a boolean');
    if (options.tokenStore !== undefined && !isTokenStore(options.tokenStore)) throw new TypeError('ComapClient options.tokenStore must have load() and save()');
    const shared = acquireToken(options);
    try {
      super(options.loginId, options.key, shared.auth, options);
    } catch (error) {
      void shared.release();
      throw error;
    }
    this.#shared = shared;
  }

  /** The Identity client (shared by the clients of this identity). */
  get identity(): Identity {
    return this.#shared.identity;
  }

  /** How many token requests this client's identity has made in this process. */
  get tokenRequests(): number {
    return this.#shared.auth.refreshCount;
  }

  /** The last token response (its `access_token` is a secret: never log it). */
  get token(): TokenResponse | undefined {
    return this.#shared.last();
  }

  /**
   * The current token: the cached one while it is good, else fetched (single-flight, within the
   * token limit). A secret: never log it.
   */
  async getToken(options?: CallOptions): Promise<TokenResponse> {
    const call = callOptions(options, 'getToken() options');
    await this.#shared.auth.apply({}, call.signal ? { signal: call.signal } : {});
    const token = this.#shared.last();
    if (!token) throw new TypeError('the token provider returned no token');
    return token;
  }

  /** Forgets the cached token (of every client of this identity); the next call fetches a new one. */
  invalidateToken(): void {
    this.#shared.auth.invalidate();
  }

  override async close(): Promise<void> {
    await Promise.all([super.close(), this.#shared.release()]);
  }
}
