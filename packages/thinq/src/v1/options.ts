/** Options of `V1Client`. */
import type { ClientOptionsBase, HttpClientOptions } from '@x/http-core';

/** Options of `V1Client`: the @x/http-core client base (timeouts, TLS, logger…) plus account and retry settings. */
export interface V1ClientOptions extends ClientOptionsBase {
  /** Account country, upper case (e.g. `US`). Default `US`. */
  country?: string;
  /** Language tag (e.g. `en-US`). Default `en-US`. */
  language?: string;
  /** Gateway discovery URL (point it at a simulator). Default LG's. */
  gatewayUrl?: string;
  /** @deprecated Extra @x/http-core client options; use the ClientOptionsBase fields (tls, dispatcher, timeoutInMs…). */
  http?: Omit<HttpClientOptions, 'auth' | 'baseUrl' | 'retry'>;
  /** Retries of safe calls on 502/503/504. Default 5 (wideq's). */
  maxRetries?: number;
  /** Base delay of those retries. Default 500 ms. */
  retryBaseDelayInMs?: number;
  /** Non-fatal oddities (unknown device types, unknown enum codes). */
  onWarning?: (message: string) => void;
}

