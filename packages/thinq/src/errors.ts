/**
 * The shared errors of @x/thinq (both APIs), built on @x/http-core's error families, and the guards
 * that recognise every thinq error by `name` (several loaded copies of the package agree on names).
 * The v1 errors live in `v1/errors.ts`, the Connect errors in `connect/errors.ts`; every error has a
 * `category` (`errorCategory(err)`) for decisions.
 */
import { ParseError, XError, isXError, rawPreview, type ErrorCategory } from '@x/http-core';
import type { ConnectApiError, ControlValidationError, RateLimitedError } from './connect/errors.js';
import type { FailedRequestError, InvalidRequestError, MonitorError, NotConnectedError, NotLoggedInError, ThinqApiError, TokenError } from './v1/errors.js';

const PREVIEW_LIMIT = 512;

/** Base class of the ThinQ protocol errors (an `XError`; `code` is the vendor or library code, e.g. `"0102"`). */
export class ThinqError extends XError {
  override name = 'ThinqError';
  constructor(message: string, code: string, options?: { cause?: unknown; category?: ErrorCategory }) {
    super(message, { code, cause: options?.cause, category: options?.category ?? 'protocol' });
  }
}

/** The server sent data we cannot interpret (a `ParseError`). `rawPreview` is bounded. */
export class MalformedResponseError extends ParseError {
  override name = 'MalformedResponseError';
  constructor(message: string, raw: unknown, options?: { cause?: unknown }) {
    super({ message, rawPreview: rawPreview(raw, { maxLength: PREVIEW_LIMIT }), cause: options?.cause });
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

