import type { ClientOptionsBase } from '@x/http-core';
import type { PushSessionOptions } from './session-options.js';

/** ClientOptionsBase (logger, clock, random, dispatcher, tls, userAgent, retry, timeoutInMs, deadlineInMs) plus the account. */
export interface DeviceCloudClientOptions extends ClientOptionsBase {
  username: string;
  password: string;
  /** Scheme and host (and port) of the API; `/ws/` is appended. Default `https://remotemanager.digi.com`. */
  baseUrl?: string | URL;
  /** Trusted CA(s) for the REST API and push TLS (private or test CAs); same as `tls.ca`. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Defaults for push sessions (port, secure, reconnect …); the host defaults to the API host. */
  push?: Partial<Omit<PushSessionOptions, 'username' | 'password' | 'monitorId'>>;
}
