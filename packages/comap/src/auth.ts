/** How a WSV client gets its bearer token: a fixed string, a provider function, or an AuthProvider. */
import { bearerAuth, type AuthProvider, type BearerToken, type Clock } from '@x/http-core';
import type { TokenResponse } from './types.js';

/** Returns a token: a string, `{ token, expiresInMs }`, or the Identity API's TokenResponse. */
export type TokenProvider = (signal: AbortSignal) => Promise<string | BearerToken | TokenResponse>;

/** A fixed token (no refresh: a 401 is final), a provider (cached, refreshed, re-asked once on a 401), or an AuthProvider. */
export type TokenSource = string | TokenProvider | AuthProvider;

/** Refresh this long before `expires_in` runs out. */
export const REFRESH_BEFORE_EXPIRY_IN_MS = 60_000;

function toBearerToken(result: string | BearerToken | TokenResponse): BearerToken {
  if (typeof result === 'string') return { token: result };
  if (typeof result === 'object' && result !== null) {
    if ('access_token' in result && typeof result.access_token === 'string') {
      return typeof result.expires_in === 'number' ? { token: result.access_token, expiresInMs: result.expires_in * 1000 } : { token: result.access_token };
    }
    if ('token' in result && typeof result.token === 'string') return result;
  }
  throw new TypeError('the token provider must resolve to a string, { token, expiresInMs } or { access_token, expires_in }');
}

function isAuthProvider(v: unknown): v is AuthProvider {
  return typeof v === 'object' && v !== null && typeof (v as AuthProvider).apply === 'function' && typeof (v as AuthProvider).secrets === 'function';
}

/** Bearer auth for a token source; the key travels with it so it is scrubbed like the token. */
export function comapAuth(key: string, source: TokenSource, clock: Clock | undefined): AuthProvider {
  let inner: AuthProvider;
  if (typeof source === 'string') {
    if (source.trim() === '') throw new RangeError('token must not be empty');
    const header = `Bearer ${source}`;
    inner = {
      apply: (h) => {
        h.authorization = header;
      },
      secrets: () => [source],
    };
  } else if (typeof source === 'function') {
    inner = bearerAuth(async (signal) => toBearerToken(await source(signal)), { refreshBeforeExpiryInMs: REFRESH_BEFORE_EXPIRY_IN_MS, ...(clock ? { clock } : {}) });
  } else if (isAuthProvider(source)) {
    inner = source;
  } else {
    throw new TypeError('token must be a string, a token provider function or an AuthProvider');
  }
  const provider: AuthProvider = {
    async apply(headers, ctx) {
      headers['comap-key'] = key;
      await inner.apply(headers, ctx);
    },
    secrets: () => [key, ...inner.secrets()],
  };
  const onUnauthorized = inner.onUnauthorized?.bind(inner);
  if (onUnauthorized) provider.onUnauthorized = onUnauthorized;
  return provider;
}
