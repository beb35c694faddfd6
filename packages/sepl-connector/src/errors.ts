import { ProtocolError, XError, rawPreview, type ErrorCategory } from '@x/http-core';

/** Longest raw text kept on an error (characters). */
export const MAX_PREVIEW = 2048;

/** A bounded, redacted preview of raw data for error objects (the one @x/http-core rawPreview). */
export function preview(raw: unknown): string {
  if (typeof raw === 'string' || raw instanceof Uint8Array) return rawPreview(raw, { maxLength: MAX_PREVIEW });
  let text: string;
  try {
    text = JSON.stringify(raw) ?? String(raw);
  } catch {
    text = String(raw);
  }
  return rawPreview(text, { maxLength: MAX_PREVIEW });
}

/**
 * Base of every error this package throws (an `@x/http-core` XError, so `errorCategory()` and the
 * cross-copy `instanceof` work); recognise subclasses by `category`, or the guards.
 */
export class SeplError extends XError {
  constructor(message: string, code: string, options: { cause?: unknown; category?: ErrorCategory } = {}) {
    super(message, { code, cause: options.cause, category: options.category ?? 'protocol' });
    this.name = 'SeplError';
  }
}

function guard<T extends Error>(name: string) {
  return (err: unknown): err is T =>
    typeof err === 'object' && err !== null && (err as { name?: unknown }).name === name;
}

/**
 * The G3 platform published an error for this hub (`error`) or one of its devices
 * (`error/device/{id}`); reported as a session `error`, the session goes on.
 */
export class SeplPlatformError extends SeplError {
  readonly topic: string;
  readonly deviceId: string | undefined;
  constructor(topic: string, deviceId: string | undefined, text: string) {
    super(`platform error on ${topic}: ${text.slice(0, 300)}`, 'SEPL_PLATFORM_ERROR', { category: 'protocol' });
    this.name = 'SeplPlatformError';
    this.topic = topic;
    this.deviceId = deviceId;
  }
}
/** Whether `err` is a SeplPlatformError (by `name`, so it also works across package copies). */
export const isSeplPlatformError = guard<SeplPlatformError>('SeplPlatformError');

/** The platform rejected the credentials; the connector stops and does not retry. */
export class SeplAuthError extends SeplError {
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message, 'SEPL_AUTH', { category: 'auth' });
    this.name = 'SeplAuthError';
    this.status = status;
  }
}
/** Whether `err` is a SeplAuthError (by `name`, so it also works across package copies). */
export const isSeplAuthError = guard<SeplAuthError>('SeplAuthError');

/** A G2 answer status as a category: 400 bad input, 401/403 auth, 404 not found, 429 throttled, 5xx transient. */
function requestCategory(status: number): ErrorCategory {
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not-found';
  if (status === 409) return 'conflict';
  if (status === 429) return 'throttled';
  if (status >= 500) return 'transient';
  return 'input';
}

/** The platform answered a G2 request with a status other than 200. */
export class SeplRequestError extends SeplError {
  readonly status: number;
  readonly handler: string;
  readonly token: string;
  /** The answer's payload (bounded). */
  readonly payloadPreview: string;
  constructor(handler: string, token: string, status: number, payload: unknown) {
    const text = preview(payload);
    super(`${handler} request failed with status ${status}: ${text.slice(0, 200)}`, 'SEPL_REQUEST_FAILED', { category: requestCategory(status) });
    this.name = 'SeplRequestError';
    this.status = status;
    this.handler = handler;
    this.token = token;
    this.payloadPreview = text;
  }
}
/** Whether `err` is a SeplRequestError (by `name`, so it also works across package copies). */
export const isSeplRequestError = guard<SeplRequestError>('SeplRequestError');

/** No answer to a G2 request within its timeout (or to the credentials frame). */
export class SeplTimeoutError extends SeplError {
  readonly handler: string;
  readonly timeoutInMs: number;
  constructor(handler: string, timeoutInMs: number) {
    super(`no answer to the ${handler} request within ${timeoutInMs} ms`, 'SEPL_TIMEOUT', { category: 'timeout' });
    this.name = 'SeplTimeoutError';
    this.handler = handler;
    this.timeoutInMs = timeoutInMs;
  }
}
/** Whether `err` is a SeplTimeoutError (by `name`, so it also works across package copies). */
export const isSeplTimeoutError = guard<SeplTimeoutError>('SeplTimeoutError');

/** The operation needs a live session and there is none (or it was lost while waiting). */
export class SeplNotConnectedError extends SeplError {
  constructor(message = 'the connector is not connected', options: { cause?: unknown } = {}) {
    super(message, 'SEPL_NOT_CONNECTED', { category: 'transient', ...options });
    this.name = 'SeplNotConnectedError';
  }
}
/** Whether `err` is a SeplNotConnectedError (by `name`, so it also works across package copies). */
export const isSeplNotConnectedError = guard<SeplNotConnectedError>('SeplNotConnectedError');

/** The operation does not exist in the chosen protocol generation. */
export class SeplUnsupportedError extends SeplError {
  constructor(message: string) {
    super(message, 'SEPL_UNSUPPORTED', { category: 'input' });
    this.name = 'SeplUnsupportedError';
  }
}
/** Whether `err` is a SeplUnsupportedError (by `name`, so it also works across package copies). */
export const isSeplUnsupportedError = guard<SeplUnsupportedError>('SeplUnsupportedError');

/** The server sent data that does not fit the protocol (an http-core ProtocolError). */
export class SeplProtocolError extends ProtocolError {
  constructor(message: string, raw: unknown) {
    super(message, preview(raw), { code: 'SEPL_PROTOCOL' });
    this.name = 'SeplProtocolError';
  }
}
/** Whether `err` is a SeplProtocolError (by `name`, so it also works across package copies). */
export const isSeplProtocolError = guard<SeplProtocolError>('SeplProtocolError');

/**
 * @deprecated Not thrown or emitted any more: the connector never drops a command; a full
 * buffer pauses reading instead (backpressure). Kept so that code checking for it still compiles.
 */
export class SeplOverflowError extends SeplError {
  readonly taskId: string;
  constructor(taskId: string, limit: number) {
    super(`command ${taskId} dropped: more than ${limit} commands buffered`, 'SEPL_OVERFLOW', { category: 'throttled' });
    this.name = 'SeplOverflowError';
    this.taskId = taskId;
  }
}
/** Whether `err` is a SeplOverflowError (by `name`, so it also works across package copies). */
export const isSeplOverflowError = guard<SeplOverflowError>('SeplOverflowError');

/** A file store could not be read. */
export class SeplStoreError extends SeplError {
  readonly rawPreview: string;
  /** The store file, when the store is a file. */
  readonly path: string | undefined;
  /** The file's content is unusable (not a lock or I/O problem): retrying cannot help, `start()` fails with it. */
  readonly corrupt: boolean;
  constructor(message: string, raw: string, options: { path?: string; corrupt?: boolean } = {}) {
    super(message, 'SEPL_STORE');
    this.name = 'SeplStoreError';
    this.rawPreview = preview(raw);
    this.path = options.path;
    this.corrupt = options.corrupt ?? false;
  }
}
/** Whether `err` is a SeplStoreError (by `name`, so it also works across package copies). */
export const isSeplStoreError = guard<SeplStoreError>('SeplStoreError');
