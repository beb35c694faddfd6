/** Where a ComapClient may keep its token between processes (the CLI keeps it in a file). */

/** A token as stored: the bearer text and when it expires (epoch ms). */
export interface StoredToken {
  /** The bearer token (a secret). */
  accessToken: string;
  /** When it expires, epoch milliseconds. */
  expiresAt: number;
}

/**
 * Asked before a token request (a stored token that is still good for more than the refresh
 * margin is used instead) and told about every new token. Errors of `save` are logged, not thrown.
 */
export interface TokenStore {
  /** The stored token, or undefined (none, unreadable or not trusted). */
  load(): Promise<StoredToken | undefined>;
  /** Stores a newly fetched token. */
  save(token: StoredToken): Promise<void>;
}

/** Whether `value` has the `load` and `save` of a TokenStore. */
export function isTokenStore(value: unknown): value is TokenStore {
  return typeof value === 'object' && value !== null && typeof (value as TokenStore).load === 'function' && typeof (value as TokenStore).save === 'function';
}
