/** The ComAp Cloud Identity API: application credentials → bearer token. */
import { staticHeaders, type CallOptions, type HttpClient } from '@x/http-core';
import { classifyIdentityError } from './errors.js';
import { apiUrl, buildHttp, callOptions, checkHttpOptions, checkString, type IdentityOptions } from './options.js';
import { parseToken } from './parse.js';
import type { TokenResponse } from './types.js';

/**
 * `new Identity(key).authenticate(clientId, secret)` → `{ token_type, expires_in, ext_expires_in,
 * access_token }`. A refusal is an HttpError of category `auth` whose `vendor.message` is ComAp's
 * `errorMessage` (the Python package returned None instead). Mind the API's limit of 5 token
 * requests per 5 minutes: cache the token (ComapClient does).
 */
export class Identity {
  private readonly http: HttpClient;

  constructor(key: string, options?: IdentityOptions) {
    checkString(key, 'key');
    const checked = checkHttpOptions(options, 'Identity options');
    this.http = buildHttp(checked, {
      baseUrl: apiUrl(checked.baseUrl, 'identity/'),
      auth: staticHeaders({ 'comap-key': key }),
      rateLimiter: undefined,
      classify: classifyIdentityError,
    });
  }

  /**
   * Asks for a bearer token with the application's `clientId` and `secret`.
   * Throws TypeError/RangeError for a missing or empty argument, an HttpError (category `auth` when refused) when the request fails.
   */
  async authenticate(clientId: string, secret: string, options?: CallOptions): Promise<TokenResponse> {
    checkString(clientId, 'clientId');
    checkString(secret, 'secret');
    const call = callOptions(options, 'authenticate() options');
    const res = await this.http.request<unknown>({ method: 'POST', path: 'application/authenticate', json: { clientId, secret }, ...call });
    return parseToken(res.body);
  }

  /** Closes the connections. */
  close(): Promise<void> {
    return this.http.close();
  }
}
