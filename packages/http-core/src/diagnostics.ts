import { channel } from 'node:diagnostics_channel';

/**
 * `diagnostics_channel` names the client publishes to (only when someone subscribes). Messages
 * carry redacted values only: `{ requestId, method, url, attempt }` on request, plus `status` and
 * `durationInMs` on response, plus `error` (the typed error) on error.
 */
export const DIAGNOSTICS_CHANNELS = Object.freeze({
  request: '@x/http-core:request',
  response: '@x/http-core:response',
  error: '@x/http-core:error',
});

export const requestChannel = channel(DIAGNOSTICS_CHANNELS.request);
export const responseChannel = channel(DIAGNOSTICS_CHANNELS.response);
export const errorChannel = channel(DIAGNOSTICS_CHANNELS.error);
