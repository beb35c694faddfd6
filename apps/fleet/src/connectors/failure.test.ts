// Failures are classified by @x/http-core's error category: real http-core errors of every
// category, vendor-style subclasses whose names say nothing, and the connector loop's state.
import { AbortError, HttpError, NetworkError, ParseError, TimeoutError, XError } from '@x/http-core';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log.js';
import { StateTracker } from '../status.js';
import { failureState, isAuthFailure } from './failure.js';
import { runLoop } from './loop.js';

const http = (status: number, category?: XError['category']): HttpError =>
  new HttpError({ status, method: 'GET', url: 'https://vendor.example/api', ...(category ? { category } : {}) });

/** A vendor error as the packages define them: an http-core subclass with its own name. */
class RefreshTokenRefused extends XError {
  constructor() {
    super('the refresh token was refused', { code: 'LG.OAUTH.INVALID_GRANT', category: 'auth' });
    this.name = 'ThinqRefreshError';
  }
}

describe('failureState', () => {
  it('maps every category of a real http-core error', () => {
    const cases: Array<[unknown, string, string]> = [
      [http(401), 'auth', 'unauthorised'],
      [http(403), 'auth', 'unauthorised'],
      [http(429), 'throttled', 'degraded'],
      [http(503), 'transient', 'degraded'],
      [http(400), 'input', 'degraded'],
      [http(404), 'not-found', 'degraded'],
      [http(409), 'conflict', 'degraded'],
      [new NetworkError({ code: 'ECONNREFUSED', method: 'GET', url: 'https://vendor.example/' }), 'transient', 'degraded'],
      [new TimeoutError({ phase: 'headers', timeoutInMs: 1000 }), 'timeout', 'degraded'],
      [new ParseError({ rawPreview: '<html>' }), 'protocol', 'degraded'],
      [new AbortError(), 'aborted', 'degraded'],
      [new RefreshTokenRefused(), 'auth', 'unauthorised'],
    ];
    for (const [error, category, state] of cases) {
      expect([(error as XError).category, failureState(error)]).toEqual([category, state]);
    }
  });

  it('decides by category, not by name or status', () => {
    // A vendor "token expired" code answered with HTTP 200/400 and categorised auth by its client.
    expect(failureState(http(400, 'auth'))).toBe('unauthorised');
    // A 401 the vendor package re-categorised (e.g. a rate-limit answer disguised as 401).
    expect(failureState(http(401, 'throttled'))).toBe('degraded');
    // Names that mention auth mean nothing without a category (the old regex said unauthorised).
    const named = new Error('AuthorizationPending');
    named.name = 'OAuthTemporaryError';
    expect(failureState(named)).toBe('degraded');
    // The category is found on a cause, as http-core's errorCategory follows it.
    expect(failureState(new Error('monitor failed', { cause: new RefreshTokenRefused() }))).toBe('unauthorised');
    expect(failureState('a string')).toBe('degraded');
    expect([isAuthFailure(new RefreshTokenRefused()), isAuthFailure(http(503)), isAuthFailure(undefined)]).toEqual([true, false, false]);
  });
});

describe('runLoop', () => {
  it('shows a refused refresh token as unauthorised, then connected once the step succeeds', async () => {
    const states: string[] = [];
    const tracker = new StateTracker('connecting', () => Date.now(), () => states.push(tracker.state));
    const controller = new AbortController();
    const failures: unknown[] = [new RefreshTokenRefused(), http(503)];
    await runLoop({
      name: 'thinq',
      tracker,
      logger: silentLogger,
      signal: controller.signal,
      intervalInMs: 1,
      retry: { initialDelayInMs: 1, maxDelayInMs: 2 },
      step: () => {
        const failure = failures.shift();
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- http-core errors and a plain value, as vendor code throws them
        if (failure !== undefined) return Promise.reject(failure);
        controller.abort();
        return Promise.resolve();
      },
    });
    expect(states).toEqual(['unauthorised', 'degraded', 'connected']);
    expect(tracker.snapshot().reason).toBeNull();
  });
});
