import { bearerAuth, createHttpClient, layerLogger, namespacedLogger, systemClock, type BearerAuthProvider, type ClientOptionsBase, type HttpClient } from '@x/http-core';
import { OpenIdTokenProvider, type OpenIdCredentials } from './g3-openid.js';
import { USER_AGENT } from './version.js';

/** The HTTP side of a G3 connector: one http-core client with OpenID bearer auth. */
export interface G3Http {
  http: HttpClient;
  tokens: OpenIdTokenProvider;
  auth: BearerAuthProvider;
}

/** `the OpenID token request (POST <origin and path>)`: no query or user info, which may hold secrets. */
function tokenRequestName(tokenUrl: string): string {
  try {
    const url = new URL(tokenUrl);
    return `the OpenID token request (POST ${url.origin}${url.pathname})`;
  } catch {
    return 'the OpenID token request'; // the provider rejects the URL with its own error
  }
}

/**
 * An http-core client whose requests carry the OpenID access token (token requests themselves go
 * out without auth). A 401 from the hub or device REST refreshes once and replays (http-core).
 */
export function createG3Http(options: ClientOptionsBase, credentials: OpenIdCredentials): G3Http {
  const clock = options.clock ?? systemClock;
  // the token provider posts through the same client (without auth), so it is bound after creation
  const bound: { tokens?: OpenIdTokenProvider } = {};
  const auth = bearerAuth((signal) => (bound.tokens as OpenIdTokenProvider).provider(signal), {
    clock,
    ...(options.random ? { random: options.random } : {}),
    // Keycloak's tokens live 300 s by default: refresh a little before that
    refreshBeforeExpiryInMs: 30_000,
    // a call's timeoutInMs bounds its own wait for the (shared) token request too
    waitWithinCallTimeout: true,
    tokenRequestName: tokenRequestName(credentials.tokenUrl),
  });
  const http = createHttpClient({
    auth,
    clock,
    ...(options.random ? { random: options.random } : {}),
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
    ...(options.retry !== undefined ? { retry: options.retry } : {}),
    ...(options.deadlineInMs !== undefined ? { deadlineInMs: options.deadlineInMs } : {}),
    timeoutInMs: options.timeoutInMs ?? 10_000,
    userAgent: options.userAgent ? `${options.userAgent} ${USER_AGENT}` : USER_AGENT,
    headers: { Accept: 'application/json' },
    ...(options.logger ? { logger: layerLogger(namespacedLogger(options.logger, 'sepl-connector'), 'http') } : {}),
  });
  const tokens = new OpenIdTokenProvider(http, credentials, clock);
  bound.tokens = tokens;
  return { http, tokens, auth };
}
