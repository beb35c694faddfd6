/** The ComAp Cloud Identity API: application credentials → bearer token. */
import { staticHeaders, type HttpClient } from '@x/http-core';
import { parseComapError } from './errors.js';
import { apiUrl, buildHttp, callOptions, checkBaseUrl, checkString, type CallOptions, type ComapHttpOptions } from './options.js';
import { parseToken } from './parse.js';
import type { TokenResponse } from './types.js';

export type IdentityOptions = ComapHttpOptions;

/**
 * `new Identity(key).authenticate(clientId, secret)` → `{ token_type, expires_in, ext_expires_in,
 * access_token }`. A refusal is an HttpError whose `vendor.message` is ComAp's `errorMessage`
 * (the Python package returned None instead). Mind the API's limit of 5 token requests per 5
 * minutes: cache the token (ComapClient does).
 */
export class Identity {
  private readonly http: HttpClient;

  constructor(key: string, options: IdentityOptions = {}) {
    checkString(key, 'key');
    if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
    checkBaseUrl(options.baseUrl);
    this.http = buildHttp(apiUrl(options.baseUrl, 'identity/'), options, staticHeaders({ 'comap-key': key }), undefined);
  }

  async authenticate(clientId: string, secret: string, options?: CallOptions): Promise<TokenResponse> {
    checkString(clientId, 'clientId');
    checkString(secret, 'secret');
    const res = await this.http.request<unknown>({
      method: 'POST',
      path: 'application/authenticate',
      json: { clientId, secret },
      parseVendorError: parseComapError,
      ...callOptions(options),
    });
    return parseToken(res.body);
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
