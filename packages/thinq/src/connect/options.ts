/** Options of `ConnectClient`. */
import type { ClientOptionsBase, HttpClientOptions } from '@x/http-core';

/** Options of `ConnectClient`. */
export interface ConnectClientOptions extends ClientOptionsBase {
  /** Personal access token (https://connect-pat.lgthinq.com). */
  pat: string;
  /** Account country (ISO alpha-2); picks the region. */
  country: string;
  /** Stable id of this installation (a random UUID is recommended; persist it). */
  clientId: string;
  /** Override the regional base URL (e.g. the simulator's `connectUrl`). */
  baseUrl?: string;
  /** Retries after a rate-limit answer (1306/1314). Default 3. */
  maxRateLimitRetries?: number;
  /** Backoff of those retries: default 2 s doubling up to 60 s, full jitter; a Retry-After wins, capped at `maxDelayInMs`. */
  rateLimitBackoff?: { initialDelayInMs?: number; maxDelayInMs?: number };
  /** @deprecated Extra @x/http-core options; use the ClientOptionsBase fields (tls, dispatcher, timeoutInMs…). */
  http?: Omit<HttpClientOptions, 'baseUrl' | 'auth' | 'retry'>;
}


