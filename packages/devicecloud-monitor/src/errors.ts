/**
 * Errors of @x/devicecloud-monitor. Like every @x error they carry `name`, `code` and `kind` and are
 * recognised by the type guards below rather than `instanceof` (several copies of a package may be
 * loaded at once).
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
export class PushProtocolError extends Error {
  override readonly name = 'PushProtocolError';
  readonly kind = 'ProtocolError';
  readonly code: string;
  /** At most 2 KiB of the offending bytes (hex) or text. */
  readonly rawPreview: string;

  constructor(code: string, message: string, raw?: Uint8Array | string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.rawPreview = rawPreview(raw);
  }
}

/** The push server refused the ConnectionRequest (status other than 200). Reconnecting stops. */
export class PushAuthenticationError extends Error {
  override readonly name = 'PushAuthenticationError';
  readonly kind = 'AuthenticationError';
  readonly code = 'PUSH_CONNECT_REFUSED';
  /** The ConnectionResponse status (200 means accepted; everything else is fatal). */
  readonly status: number;
  readonly monitorId: number;

  constructor(status: number, monitorId: number) {
    super(`push server refused monitor ${monitorId}: ConnectionResponse status ${status}`);
    this.status = status;
    this.monitorId = monitorId;
  }
}

/** The user's handler threw or rejected; the block was not acknowledged. */
export class PushHandlerError extends Error {
  override readonly name = 'PushHandlerError';
  readonly kind = 'HandlerError';
  readonly code = 'PUSH_HANDLER_FAILED';
  readonly blockId: number;

  constructor(blockId: number, cause: unknown) {
    super(`handler failed for data block ${blockId}; block not acknowledged`, { cause });
    this.blockId = blockId;
  }
}

/** The push connection failed or went silent (retried with backoff unless `fatal`). */
export class PushConnectionError extends Error {
  override readonly name = 'PushConnectionError';
  readonly kind = 'NetworkError';
  /** `CONNECT_TIMEOUT`, `IDLE_TIMEOUT`, `CONNECTION_CLOSED`, `TLS_VERIFICATION_FAILED`, or the socket's code (ECONNREFUSED…). */
  readonly code: string;
  /** True when reconnecting cannot help (certificate verification failed). */
  readonly fatal: boolean;

  constructor(code: string, message: string, options?: { cause?: unknown; fatal?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
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
