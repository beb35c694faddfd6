import { isHttpError, type BearerToken, type BearerTokenProvider, type Clock, type HttpClient } from '@x/http-core';
import { SeplAuthError, SeplProtocolError } from './errors.js';

/** The account and client of the OpenID (Keycloak) password grant. */
export interface OpenIdCredentials {
  /** The Keycloak token endpoint (`auth_endpt`), e.g. `https://auth.example/auth/realms/master/protocol/openid-connect/token`. */
  tokenUrl: string;
  clientId: string;
  user: string;
  password: string;
}

/** The parts of a token answer the client keeps (Keycloak also sends token_type, session_state, …). */
interface TokenSet {
  access: string;
  refresh: string;
  /** When the refresh token stops being accepted, on `clock`. */
  refreshUntilMs: number;
}

function parseTokenAnswer(body: unknown, issuedAtMs: number): { set: TokenSet; expiresInMs: number } {
  const b = body as Record<string, unknown> | null;
  const ok = typeof b === 'object' && b !== null;
  const access = ok ? b['access_token'] : undefined;
  const refresh = ok ? b['refresh_token'] : undefined;
  const expiresIn = ok ? b['expires_in'] : undefined;
  const refreshExpiresIn = ok ? b['refresh_expires_in'] : undefined;
  if (typeof access !== 'string' || access === '' || typeof refresh !== 'string' || typeof expiresIn !== 'number' || typeof refreshExpiresIn !== 'number') {
    // never the body itself: it holds the tokens
    throw new SeplProtocolError('token answer lacks access_token, refresh_token, expires_in or refresh_expires_in', '(token answer withheld)');
  }
  return { set: { access, refresh, refreshUntilMs: issuedAtMs + refreshExpiresIn * 1000 }, expiresInMs: expiresIn * 1000 };
}

/**
 * OpenID tokens as the SENERGY client gets them: a password grant first, a refresh grant while the
 * refresh token lives, a new password grant once it has expired or was refused. Use it as the
 * provider of http-core's `bearerAuth`, which caches the access token by `expires_in` and asks again
 * before expiry or after a 401. Tokens and the password never reach logs or errors.
 */
export class OpenIdTokenProvider {
  readonly #http: HttpClient;
  readonly #credentials: OpenIdCredentials;
  readonly #clock: Clock;
  #tokens: TokenSet | undefined;
  #passwordGrants = 0;
  #refreshGrants = 0;

  constructor(http: HttpClient, credentials: OpenIdCredentials, clock: Clock) {
    for (const key of ['tokenUrl', 'clientId', 'user', 'password'] as const) {
      if (typeof credentials[key] !== 'string' || credentials[key] === '') throw new TypeError(`credentials.${key} must be a non-empty string`);
    }
    this.#http = http;
    this.#credentials = { ...credentials };
    this.#clock = clock;
  }

  /** How many password and refresh grants were sent (for tests and diagnostics). */
  get grants(): { password: number; refresh: number } {
    return { password: this.#passwordGrants, refresh: this.#refreshGrants };
  }

  /** The current access and refresh tokens (for a redactor), never logged. */
  secrets(): string[] {
    return this.#tokens ? [this.#tokens.access, this.#tokens.refresh] : [];
  }

  /** Forgets the tokens: the next call logs in with the password. */
  forget(): void {
    this.#tokens = undefined;
  }

  /** The provider for `bearerAuth`. */
  readonly provider: BearerTokenProvider = (signal) => this.#token(signal);

  async #token(signal: AbortSignal): Promise<BearerToken> {
    const tokens = this.#tokens;
    if (tokens !== undefined && this.#clock.now() < tokens.refreshUntilMs) {
      try {
        this.#refreshGrants += 1;
        return await this.#grant({ grant_type: 'refresh_token', client_id: this.#credentials.clientId, refresh_token: tokens.refresh }, signal);
      } catch (err) {
        // a refused refresh token (revoked session, server restart) means: log in again
        if (!(err instanceof SeplAuthError)) throw err;
      }
    }
    this.#passwordGrants += 1;
    return this.#grant(
      { grant_type: 'password', username: this.#credentials.user, password: this.#credentials.password, client_id: this.#credentials.clientId },
      signal,
    );
  }

  async #grant(form: Record<string, string>, signal: AbortSignal): Promise<BearerToken> {
    const issuedAtMs = this.#clock.now();
    let body: unknown;
    try {
      const res = await this.#http.request<unknown>({ method: 'POST', path: this.#credentials.tokenUrl, form, auth: false, responseType: 'json', signal });
      body = res.body;
    } catch (err) {
      // Keycloak answers a bad password or a dead refresh token with 400/401 invalid_grant
      if (isHttpError(err) && (err.status === 400 || err.status === 401)) {
        this.#tokens = undefined;
        throw new SeplAuthError(`${form['grant_type']} grant refused by the token endpoint`, err.status);
      }
      throw err;
    }
    const { set, expiresInMs } = parseTokenAnswer(body, issuedAtMs);
    this.#tokens = set;
    return { token: set.access, expiresInMs };
  }
}
