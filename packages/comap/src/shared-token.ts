/**
 * One token per identity in this process: every ComapClient with the same API origin, key, client
 * id and secret (several WebSupervisor logins of one Cloud Identity, or the same login twice) uses
 * one single-flight token, so the Identity API's 5 tokens per 5 minutes are spent once, not per
 * client. The entry lives while a client holds it.
 */
import { createHash } from 'node:crypto';
import { bearerAuth, createRateLimiter, getSharedRateLimiter, type BearerAuthProvider, type RateLimiter } from '@x/http-core';
import { REFRESH_BEFORE_EXPIRY_IN_MS } from './auth.js';
import { Identity } from './identity.js';
import { DEFAULT_TIMEOUT_IN_MS, keyFingerprint, type ComapClientOptions } from './options.js';
import type { StoredToken, TokenStore } from './token-store.js';
import type { TokenResponse } from './types.js';

/** The Identity API's limit: 5 token requests per 5 minutes. */
export const TOKEN_REQUEST_LIMIT = Object.freeze({ requests: 5, intervalInMs: 300_000 });

/** What the clients of one identity share. */
export interface SharedToken {
  readonly identity: Identity;
  readonly auth: BearerAuthProvider;
  /** The last token response (a secret: never log it). */
  last(): TokenResponse | undefined;
  /** Gives the token up; the last holder closes the Identity client. */
  release(): Promise<void>;
}

interface Entry {
  identity: Identity;
  auth: BearerAuthProvider;
  last: TokenResponse | undefined;
  holders: number;
}

const entries = new Map<string, Entry>();
const objectIds = new WeakMap<object, number>();
let nextObjectId = 1;

/** Objects that change how the token is fetched (a test clock, a dispatcher, a limiter) get their own entry. */
function objectId(value: object | undefined): string {
  if (value === undefined) return '-';
  let id = objectIds.get(value);
  if (id === undefined) {
    id = nextObjectId++;
    objectIds.set(value, id);
  }
  return String(id);
}

function identityKey(options: ComapClientOptions): string {
  const secretPart = createHash('sha256').update(`${String(options.baseUrl ?? '')}\n${options.key}\n${options.clientId}\n${options.secret}`).digest('hex');
  return [secretPart, objectId(options.clock), objectId(options.dispatcher), objectId(options.tokenRateLimiter), objectId(options.tls), objectId(options.tokenStore)].join(':');
}

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

/** A store that cannot be written costs a token request next time, never this call. */
async function saveQuietly(store: TokenStore, token: StoredToken, options: ComapClientOptions): Promise<void> {
  try {
    await store.save(token);
  } catch (error) {
    options.logger?.warn(`[comap] could not store the token: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function createEntry(options: ComapClientOptions): Entry {
  const identity = new Identity(options.key, options);
  const limiter = tokenLimiter(options);
  const entry: Partial<Entry> & { holders: number; last: TokenResponse | undefined } = { identity, holders: 0, last: undefined };
  const now = () => (options.clock ?? Date).now();
  const store = options.tokenStore;
  // The stored token last handed out: asked again means it is due or was refused, so fetch anew.
  let fromStore: string | undefined;
  entry.auth = bearerAuth(
    async (signal) => {
      const stored = store ? await store.load() : undefined;
      if (stored && stored.accessToken !== fromStore && stored.expiresAt - REFRESH_BEFORE_EXPIRY_IN_MS > now()) {
        fromStore = stored.accessToken;
        const seconds = Math.floor((stored.expiresAt - now()) / 1000);
        entry.last = { token_type: 'Bearer', expires_in: seconds, ext_expires_in: seconds, access_token: stored.accessToken };
        return { token: stored.accessToken, expiresInMs: stored.expiresAt - now() };
      }
      // `signal` is the shared refresh's own (never one caller's): one caller giving up does not fail the others.
      const token = await limiter.schedule(() => identity.authenticate(options.clientId, options.secret, { signal }), signal);
      entry.last = token;
      if (store) await saveQuietly(store, { accessToken: token.access_token, expiresAt: now() + token.expires_in * 1000 }, options);
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
  return entry as Entry;
}

/** The token of `options`' identity: shared with every other holder unless `shareToken` is false. */
export function acquireToken(options: ComapClientOptions): SharedToken {
  const share = options.shareToken !== false;
  const key = identityKey(options);
  let entry = share ? entries.get(key) : undefined;
  if (!entry) {
    entry = createEntry(options);
    if (share) entries.set(key, entry);
  }
  entry.holders += 1;
  const held = entry;
  let released = false;
  return {
    identity: held.identity,
    auth: held.auth,
    last: () => held.last,
    release: async () => {
      if (released) return;
      released = true;
      held.holders -= 1;
      if (held.holders > 0) return;
      if (entries.get(key) === held) entries.delete(key);
      await held.identity.close();
    },
  };
}
