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
  /** @deprecated Use `retry.maxAttempts` (this plus one). Retries after a rate-limit answer (1306/1314) or a transient failure. Default 3. */
  maxRateLimitRetries?: number;
  /** @deprecated Use `retry.throttledBaseDelayInMs` / `retry.maxDelayInMs`. Default 2 s doubling up to 60 s, full jitter. */
  rateLimitBackoff?: { initialDelayInMs?: number; maxDelayInMs?: number };
  /** @deprecated Extra @x/http-core options; use the ClientOptionsBase fields (tls, dispatcher, timeoutInMs…). */
  http?: Omit<HttpClientOptions, 'baseUrl' | 'auth' | 'retry'>;
}


