import { ProtocolError, XError, rawPreview, type ErrorCategory, type Redactor } from '@x/http-core';

/**
 * Errors of @x/devicecloud-monitor. They extend the @x/http-core family (`name`, `code`,
 * `category`, the cross-copy brand; PushProtocolError satisfies `isProtocolError`). Apps decide by
 * `category` (`errorCategory(err)`); the type guards below still work across package copies.
 */

/** Bad data from the push server or from an HTTP monitor delivery (framing, compression, document). */
export class PushProtocolError extends ProtocolError {
  override name = 'PushProtocolError';

  /**
   * `raw` is kept only as a bounded preview (≤ 2 KiB) redacted by the shared rules, plus the extra
   * secrets of `redactor` when given (an HTTP monitor's transport token).
   */
  constructor(code: string, message: string, raw?: Uint8Array | string, options?: { cause?: unknown; redactor?: Redactor }) {
    const preview = raw === undefined ? '' : options?.redactor ? options.redactor.preview(raw) : rawPreview(raw);
    super(message, preview, { code, cause: options?.cause, category: 'protocol' });
  }
}

/** The push server refused the ConnectionRequest (status other than 200): category `auth`, ends the session. */
export class PushAuthenticationError extends XError {
  override name = 'PushAuthenticationError';
  /** The ConnectionResponse status (200 means accepted; everything else is fatal). */
  readonly status: number;
  readonly monitorId: number;

  constructor(status: number, monitorId: number) {
    super(`push server refused monitor ${monitorId}: ConnectionResponse status ${status}`, { code: 'PUSH_CONNECT_REFUSED', category: 'auth' });
    this.status = status;
    this.monitorId = monitorId;
  }
}

/** The user's handler threw, rejected or returned `false`; the block was not acknowledged (category `input`: the app's own failure). */
export class PushHandlerError extends XError {
  override name = 'PushHandlerError';
  readonly blockId: number;

  /** `notHandled`: the handler returned `false` (code `PUSH_NOT_HANDLED`) rather than failing. */
  constructor(blockId: number, cause: unknown, options?: { notHandled?: boolean }) {
    const notHandled = options?.notHandled === true;
    super(
      notHandled ? `handler did not handle data block ${blockId} (returned false); block not acknowledged` : `handler failed for data block ${blockId}; block not acknowledged`,
      { code: notHandled ? 'PUSH_NOT_HANDLED' : 'PUSH_HANDLER_FAILED', cause, category: 'input' },
    );
    this.blockId = blockId;
  }
}

function connectionCategory(code: string, fatal: boolean): ErrorCategory {
  if (fatal) return 'protocol';
  if (code === 'CONNECT_TIMEOUT' || code === 'IDLE_TIMEOUT' || code === 'ETIMEDOUT') return 'timeout';
  if (code === 'STOPPED') return 'aborted';
  return 'transient';
}

/** The push connection failed or went silent (retried with backoff unless `fatal`). */
export class PushConnectionError extends XError {
  override name = 'PushConnectionError';
  /** True when reconnecting cannot help (certificate verification failed); ends the session. */
  readonly fatal: boolean;

  /** `code`: `CONNECT_TIMEOUT`, `IDLE_TIMEOUT`, `CONNECTION_CLOSED`, `TLS_VERIFICATION_FAILED`, `STOPPED`, or the socket's (ECONNREFUSED…). */
  constructor(code: string, message: string, options?: { cause?: unknown; fatal?: boolean }) {
    const fatal = options?.fatal ?? false;
    super(message, { code, cause: options?.cause, category: connectionCategory(code, fatal) });
    this.fatal = fatal;
  }
}

function hasName(err: unknown, name: string): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === name;
}

export const isPushProtocolError = (err: unknown): err is PushProtocolError => hasName(err, 'PushProtocolError');
export const isPushAuthenticationError = (err: unknown): err is PushAuthenticationError =>
  hasName(err, 'PushAuthenticationError');
export const isPushHandlerError = (err: unknown): err is PushHandlerError => hasName(err, 'PushHandlerError');
export const isPushConnectionError = (err: unknown): err is PushConnectionError => hasName(err, 'PushConnectionError');
