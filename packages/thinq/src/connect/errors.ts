/** Errors of the ThinQ Connect API: LG's codes, their names and categories, and the typed errors. */
import { HttpError, httpStatusCategory, type ErrorCategory, type HttpErrorInit } from '@x/http-core';
import { ThinqError } from '../errors.js';

/** ThinQ Connect error codes and names (LG pythinqconnect `ThinQAPIErrorCodes`, keyed by code; 1314 from issue #10). */
export const CONNECT_ERROR_CODES: Readonly<Record<string, string>> = {
  '0000': 'UNKNOWN_ERROR',
  '1000': 'BAD_REQUEST',
  '1101': 'MISSING_PARAMETERS',
  '1102': 'UNACCEPTABLE_PARAMETERS',
  '1103': 'INVALID_TOKEN',
  '1104': 'INVALID_MESSAGE_ID',
  '1201': 'NOT_REGISTERED_ADMIN',
  '1202': 'NOT_REGISTERED_USER',
  '1203': 'NOT_REGISTERED_SERVICE',
  '1204': 'NOT_SUBSCRIBED_EVENT',
  '1205': 'NOT_EXIST_DEVICE',
  '1206': 'NOT_SUBSCRIBED_PUSH',
  '1207': 'ALREADY_SUBSCRIBED_PUSH',
  '1208': 'NOT_REGISTERED_SERVICE_BY_ADMIN',
  '1209': 'NOT_REGISTERED_USER_IN_SERVICE',
  '1210': 'NOT_REGISTERED_DEVICE_IN_SERVICE',
  '1211': 'NOT_REGISTERED_DEVICE_BY_USER',
  '1212': 'NOT_OWNED_DEVICE',
  '1213': 'NOT_REGISTERED_DEVICE',
  '1214': 'NOT_SUBSCRIBABLE_DEVICE',
  '1216': 'INCORRECT_HEADER',
  '1217': 'ALREADY_DEVICE_DELETED',
  '1218': 'INVALID_TOKEN_AGAIN',
  '1219': 'NOT_SUPPORTED_MODEL',
  '1220': 'NOT_SUPPORTED_FEATURE',
  '1221': 'NOT_SUPPORTED_PRODUCT',
  '1222': 'NOT_CONNECTED_DEVICE',
  '1223': 'INVALID_STATUS_DEVICE',
  '1224': 'INVALID_DEVICE_ID',
  '1225': 'DUPLICATE_DEVICE_ID',
  '1301': 'INVALID_SERVICE_KEY',
  '1302': 'NOT_FOUND_TOKEN',
  '1303': 'NOT_FOUND_USER',
  '1304': 'NOT_ACCEPTABLE_TERMS',
  '1305': 'NOT_ALLOWED_API',
  '1306': 'EXCEEDED_API_CALLS',
  '1307': 'NOT_SUPPORTED_COUNTRY',
  '1308': 'NO_CONTROL_AUTHORITY',
  '1309': 'NOT_ALLOWED_API_AGAIN',
  '1310': 'NOT_SUPPORTED_DOMAIN',
  '1311': 'BAD_REQUEST_FORMAT',
  '1312': 'EXCEEDED_NUMBER_OF_EVENT_SUBSCRIPTION',
  '1314': 'EXCEEDED_USER_API_CALLS',
  '2000': 'INTERNAL_SERVER_ERROR',
  '2101': 'NOT_SUPPORTED_MODEL_AGAIN',
  '2201': 'NOT_PROVIDED_FEATURE',
  '2202': 'NOT_SUPPORTED_PRODUCT_AGAIN',
  '2203': 'NOT_EXISTENT_MODEL_JSON',
  '2205': 'INVALID_DEVICE_STATUS',
  '2207': 'INVALID_COMMAND_ERROR',
  '2208': 'FAIL_DEVICE_CONTROL',
  '2209': 'DEVICE_RESPONSE_DELAY',
  '2210': 'RETRY_REQUEST',
  '2212': 'SYNCING',
  '2213': 'RETRY_AFTER_DELETING_DEVICE',
  '2214': 'FAIL_REQUEST',
  '2301': 'COMMAND_NOT_SUPPORTED_IN_REMOTE_OFF',
  '2302': 'COMMAND_NOT_SUPPORTED_IN_STATE',
  '2303': 'COMMAND_NOT_SUPPORTED_IN_ERROR',
  '2304': 'COMMAND_NOT_SUPPORTED_IN_POWER_OFF',
  '2305': 'COMMAND_NOT_SUPPORTED_IN_MODE',
};

/** Codes that mean "too many calls": the client backs off and retries. */
export const CONNECT_RATE_LIMIT_CODES: readonly string[] = ['1306', '1314'];

/** The typed error for a Connect error answer. */
export function connectError(
  init: Omit<ConnectErrorInit, 'errorName'>,
  options?: { cause?: unknown },
): ConnectApiError {
  const errorName = CONNECT_ERROR_CODES[init.code] ?? 'UNKNOWN_ERROR';
  const full = { ...init, errorName };
  return CONNECT_RATE_LIMIT_CODES.includes(init.code) ? new RateLimitedError(full, options) : new ConnectApiError(full, options);
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
      category: init.category ?? connectCategory(init.code, init.status),
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
    super(`${property}: ${message}`, 'INVALID_CONTROL', { category: 'input' });
    this.property = property;
  }
}


/** Codes after which retrying cannot help: the credentials or the client were refused. */
export const CONNECT_AUTH_CODES: readonly string[] = ['1103', '1218', '1301', '1302', '1303', '1304', '1305', '1309'];
const NOT_FOUND_CODES = new Set(['1205', '1213', '1217', '1224']);
// 1222: the device is offline now; it may come back.
const TRANSIENT_CODES = new Set(['1222', '2000', '2209', '2210', '2212']);

/** The category of a Connect error answer: by LG's code first, else by the HTTP status. */
export function connectCategory(code: string, status: number): ErrorCategory {
  if (CONNECT_AUTH_CODES.includes(code)) return 'auth';
  if (CONNECT_RATE_LIMIT_CODES.includes(code)) return 'throttled';
  if (NOT_FOUND_CODES.has(code)) return 'not-found';
  if (TRANSIENT_CODES.has(code)) return 'transient';
  return httpStatusCategory(status);
}
