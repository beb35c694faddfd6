import { ProtocolError, XError } from '@x/http-core';

/**
 * Errors of @x/devicecloud-monitor. They extend the @x/http-core family (`name`, `code`, `kind`;
 * PushProtocolError satisfies `isProtocolError`) and are recognised by the type guards below rather
 * than `instanceof` (several copies of a package may be loaded at once).
 */

const PREVIEW_BYTES = 2048;

/** Hex preview of at most 2 KiB of raw bytes (never the whole buffer). */
export function rawPreview(bytes: Uint8Array | string | undefined): string {
  if (bytes === undefined) return '';
  if (typeof bytes === 'string') return bytes.length > PREVIEW_BYTES ? `${bytes.slice(0, PREVIEW_BYTES)}…` : bytes;
  const slice = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, PREVIEW_BYTES));
  return slice.toString('hex') + (bytes.byteLength > PREVIEW_BYTES ? '…' : '');
}

/** Bad data from the push server or from an HTTP monitor delivery (framing, compression, document). */
export class PushProtocolError extends ProtocolError {
  override name = 'PushProtocolError';

  constructor(code: string, message: string, raw?: Uint8Array | string, options?: { cause?: unknown }) {
    super(message, rawPreview(raw), { code, cause: options?.cause });
  }
}

/** The push server refused the ConnectionRequest (status other than 200). Reconnecting stops. */
export class PushAuthenticationError extends XError {
  override name = 'PushAuthenticationError';
  /** The ConnectionResponse status (200 means accepted; everything else is fatal). */
  readonly status: number;
  readonly monitorId: number;

  constructor(status: number, monitorId: number) {
    super(`push server refused monitor ${monitorId}: ConnectionResponse status ${status}`, { code: 'PUSH_CONNECT_REFUSED' });
    this.status = status;
    this.monitorId = monitorId;
  }
}

/** The user's handler threw or rejected; the block was not acknowledged. */
export class PushHandlerError extends XError {
  override name = 'PushHandlerError';
  readonly blockId: number;

  constructor(blockId: number, cause: unknown) {
    super(`handler failed for data block ${blockId}; block not acknowledged`, { code: 'PUSH_HANDLER_FAILED', cause });
    this.blockId = blockId;
  }
}

/** The push connection failed or went silent (retried with backoff unless `fatal`). */
export class PushConnectionError extends XError {
  override name = 'PushConnectionError';
  /** True when reconnecting cannot help (certificate verification failed). */
  readonly fatal: boolean;

  /** `code`: `CONNECT_TIMEOUT`, `IDLE_TIMEOUT`, `CONNECTION_CLOSED`, `TLS_VERIFICATION_FAILED`, `STOPPED`, or the socket's (ECONNREFUSED…). */
  constructor(code: string, message: string, options?: { cause?: unknown; fatal?: boolean }) {
    super(message, { code, cause: options?.cause });
    this.fatal = options?.fatal ?? false;
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
