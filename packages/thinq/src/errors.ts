/**
 * Errors of @x/thinq, built on @x/http-core's error families. They are recognised by `name` through the
 * type guards below rather than with `instanceof`, so that several loaded copies of the package agree.
 * ThinQ errors are `XError`s, Connect API errors are also `HttpError`s, malformed server data is a
 * `ParseError`.
 */
import { HttpError, ParseError, XError, isXError, type HttpErrorInit } from '@x/http-core';

const PREVIEW_LIMIT = 512;

/** A bounded printable preview of raw server data (strings are cut, bytes shown as hex). */
export function rawPreview(raw: unknown, limit: number = PREVIEW_LIMIT): string {
  let text: string;
  if (raw instanceof Uint8Array) text = Buffer.from(raw.subarray(0, limit)).toString('hex');
  else if (typeof raw === 'string') text = raw;
  else {
    try {
      text = JSON.stringify(raw) ?? String(raw);
    } catch {
      text = String(raw);
    }
  }
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
}

/** Base class of the ThinQ protocol errors (an `XError`; `code` is the vendor or library code, e.g. `"0102"`). */
export class ThinqError extends XError {
  override name = 'ThinqError';
  constructor(message: string, code: string, options?: { cause?: unknown }) {
    super(message, { code, cause: options?.cause });
  }
}

/** ThinQ v1 `returnCd` error (`lgedmRoot.returnCd != "0000"`). `code` is the returned code as a string. */
export class ThinqApiError extends ThinqError {
  override name = 'ThinqApiError';
  /** `returnMsg` from the server, if any. */
  readonly serverMessage: string | undefined;
  constructor(code: string, serverMessage: string | undefined, message?: string) {
    super(message ?? `ThinQ API error ${code}${serverMessage ? `: ${serverMessage}` : ''}`, code);
    this.serverMessage = serverMessage;
  }
}

/** `0102` / `9003`: the session or access token expired, log in again (the client refreshes once). */
export class NotLoggedInError extends ThinqApiError {
  override name = 'NotLoggedInError';
}
/** `0106` (and `0111`): the device is not connected to the cloud. */
export class NotConnectedError extends ThinqApiError {
  override name = 'NotConnectedError';
}
/** `0100`: the request failed, e.g. a control the device does not support. */
export class FailedRequestError extends ThinqApiError {
  override name = 'FailedRequestError';
}
/** `0110`: the account must accept new terms of use in the LG ThinQ app. */
export class TermsNotAgreedError extends ThinqApiError {
  override name = 'TermsNotAgreedError';
}
/** `9000`: the request was rejected as invalid. */
export class InvalidRequestError extends ThinqApiError {
  override name = 'InvalidRequestError';
}
/** `0101`: no such device on this account. */
export class DeviceNotFoundError extends ThinqApiError {
  override name = 'DeviceNotFoundError';
}

/** Token refresh failed (`status != 1` or a refused refresh token). */
export class TokenError extends ThinqError {
  override name = 'TokenError';
  constructor(message = 'token refresh was refused') {
    super(message, 'TOKEN');
  }
}

/** A monitor poll answered with a `returnCode` other than `"0000"`. */
export class MonitorError extends ThinqError {
  override name = 'MonitorError';
  readonly deviceId: string;
  constructor(deviceId: string, code: string) {
    super(`monitor of device ${deviceId} failed with code ${code}`, code);
    this.deviceId = deviceId;
  }
}

/** The server sent data we cannot interpret (a `ParseError`). `rawPreview` is bounded. */
export class MalformedResponseError extends ParseError {
  override name = 'MalformedResponseError';
  constructor(message: string, raw: unknown, options?: { cause?: unknown }) {
    super({ message, rawPreview: rawPreview(raw), cause: options?.cause });
    this.code = 'MALFORMED';
  }
}

/** A model JSON `Value` entry has a type this library cannot interpret. Message worded as wideq words it. */
export class UnsupportedValueTypeError extends ThinqError {
  override name = 'UnsupportedValueTypeError';
  constructor(message: string) {
    super(message, 'UNSUPPORTED_VALUE');
  }
}

/** What a Connect error carries besides the HTTP details. */
export interface ConnectErrorInit extends Partial<HttpErrorInit> {
  code: string;
  errorName: string;
  status: number;
  serverMessage?: string | undefined;
}

/**
 * A ThinQ Connect API error (`{"error":{"code","message"}}`), an `HttpError` whose `code` is LG's
 * 4-digit code.
 */
export class ConnectApiError extends HttpError {
  override name = 'ConnectApiError';
  /** Symbolic name of the code (e.g. `EXCEEDED_API_CALLS`), `UNKNOWN_ERROR` when unknown. */
  readonly errorName: string;
  readonly serverMessage: string | undefined;
  constructor(init: ConnectErrorInit, options?: { cause?: unknown }) {
    super({
      method: 'GET',
      url: '',
      ...init,
      vendor: { code: init.code, ...(init.serverMessage === undefined ? {} : { message: init.serverMessage }) },
      message: `ThinQ Connect error ${init.code} ${init.errorName} (HTTP ${init.status})${init.serverMessage ? `: ${init.serverMessage}` : ''}`,
      cause: options?.cause ?? init.cause,
    });
    this.errorName = init.errorName;
    this.serverMessage = init.serverMessage;
  }
}

/** `1306` / `1314`: too many API calls; the client backs off and may retry. */
export class RateLimitedError extends ConnectApiError {
  override name = 'RateLimitedError';
}

/** A control payload was rejected by local validation against the device profile; nothing was sent. */
export class ControlValidationError extends ThinqError {
  override name = 'ControlValidationError';
  /** `resource.property` that failed. */
  readonly property: string;
  constructor(property: string, message: string) {
    super(`${property}: ${message}`, 'INVALID_CONTROL');
    this.property = property;
  }
}

function hasKind(err: unknown, names: readonly string[]): boolean {
  return err instanceof Error && names.includes(err.name);
}

const THINQ_ERRORS = [
  'ThinqError',
  'ThinqApiError',
  'NotLoggedInError',
  'NotConnectedError',
  'FailedRequestError',
  'TermsNotAgreedError',
  'InvalidRequestError',
  'DeviceNotFoundError',
  'TokenError',
  'MonitorError',
  'MalformedResponseError',
  'UnsupportedValueTypeError',
  'ConnectApiError',
  'RateLimitedError',
  'ControlValidationError',
];

/** Any error raised by @x/thinq for a protocol reason (all are `XError`s). */
export const isThinqError = (err: unknown): err is XError => isXError(err) && THINQ_ERRORS.includes(err.name);
export const isThinqApiError = (err: unknown): err is ThinqApiError =>
  isThinqError(err) &&
  hasKind(err, [
    'ThinqApiError',
    'NotLoggedInError',
    'NotConnectedError',
    'FailedRequestError',
    'TermsNotAgreedError',
    'InvalidRequestError',
    'DeviceNotFoundError',
  ]);
export const isNotLoggedInError = (err: unknown): err is NotLoggedInError => isThinqError(err) && err.name === 'NotLoggedInError';
export const isNotConnectedError = (err: unknown): err is NotConnectedError => isThinqError(err) && err.name === 'NotConnectedError';
export const isMonitorError = (err: unknown): err is MonitorError => isThinqError(err) && err.name === 'MonitorError';
export const isFailedRequestError = (err: unknown): err is FailedRequestError => isThinqError(err) && err.name === 'FailedRequestError';
export const isInvalidRequestError = (err: unknown): err is InvalidRequestError => isThinqError(err) && err.name === 'InvalidRequestError';
export const isTokenError = (err: unknown): err is TokenError => isThinqError(err) && err.name === 'TokenError';
export const isMalformedResponseError = (err: unknown): err is MalformedResponseError =>
  isThinqError(err) && err.name === 'MalformedResponseError';
export const isConnectApiError = (err: unknown): err is ConnectApiError =>
  isThinqError(err) && hasKind(err, ['ConnectApiError', 'RateLimitedError']);
export const isRateLimitedError = (err: unknown): err is RateLimitedError => isThinqError(err) && err.name === 'RateLimitedError';
export const isControlValidationError = (err: unknown): err is ControlValidationError =>
  isThinqError(err) && err.name === 'ControlValidationError';

/** Maps a v1 `returnCd` (string, or the integers 9000/9003) to the matching typed error. */
export function v1Error(code: unknown, serverMessage: unknown): ThinqApiError {
  const c = typeof code === 'number' ? String(code) : typeof code === 'string' ? code : rawPreview(code, 32);
  const msg = typeof serverMessage === 'string' ? serverMessage : undefined;
  switch (c) {
    case '0102':
    case '9003':
      return new NotLoggedInError(c, msg);
    case '0106':
    case '0111':
      return new NotConnectedError(c, msg);
    case '0100':
      return new FailedRequestError(c, msg);
    case '0110':
      return new TermsNotAgreedError(c, msg, `ThinQ API error 0110: accept the new terms of use in the LG ThinQ app${msg ? ` (${msg})` : ''}`);
    case '9000':
      return new InvalidRequestError(c, msg);
    case '0101':
      return new DeviceNotFoundError(c, msg);
    default:
      return new ThinqApiError(c, msg);
  }
}
