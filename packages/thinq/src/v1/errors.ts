/** Errors of the ThinQ v1 API (`lgedmRoot.returnCd`, token refresh, rti monitoring). */
import { rawPreview, type ErrorCategory } from '@x/http-core';
import { ThinqError } from '../errors.js';

/** The category of each known v1 code: what a caller can do about it. */
const V1_CATEGORIES: Readonly<Record<string, ErrorCategory>> = {
  '0102': 'auth',
  '9003': 'auth',
  '0110': 'auth',
  '0106': 'transient',
  '0111': 'transient',
  '0100': 'input',
  '9000': 'input',
  '0101': 'not-found',
};

/** ThinQ v1 `returnCd` error (`lgedmRoot.returnCd != "0000"`). `code` is the returned code as a string. */
export class ThinqApiError extends ThinqError {
  override name = 'ThinqApiError';
  /** `returnMsg` from the server, if any. */
  readonly serverMessage: string | undefined;
  constructor(code: string, serverMessage: string | undefined, message?: string) {
    super(message ?? `ThinQ API error ${code}${serverMessage ? `: ${serverMessage}` : ''}`, code, { category: V1_CATEGORIES[code] ?? 'protocol' });
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
    // Refused credentials: retrying cannot help, a new login can.
    super(message, 'TOKEN', { category: 'auth' });
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


/** Maps a v1 `returnCd` (string, or the integers 9000/9003) to the matching typed error. */
export function v1Error(code: unknown, serverMessage: unknown): ThinqApiError {
  const c = typeof code === 'number' ? String(code) : typeof code === 'string' ? code : rawPreview(code, { maxLength: 32 });
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
