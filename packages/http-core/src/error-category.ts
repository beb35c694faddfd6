/**
 * `errorCategory(error)`: the one question apps ask of a failure ("what does it mean?"), answered
 * for errors of any copy of @x/http-core, for errors of packages built on it, and for the plain
 * errors Node, undici and the platform throw (by `code`, and AbortSignal's DOMExceptions by name).
 */
import { type ErrorCategory, type XErrorKind, X_ERROR_BRAND, httpStatusCategory, isErrorCategory, networkErrorCategory } from './errors.js';

/** Codes of Node and undici errors, by what they mean. */
const CODE_CATEGORY: ReadonlyMap<string, ErrorCategory> = new Map<string, ErrorCategory>([
  ...(
    [
      'ECONNREFUSED',
      'ECONNRESET',
      'ECONNABORTED',
      'EPIPE',
      'ENOTFOUND',
      'EAI_AGAIN',
      'EHOSTUNREACH',
      'EHOSTDOWN',
      'ENETUNREACH',
      'ENETDOWN',
      'ENETRESET',
      'EADDRNOTAVAIL',
      'UND_ERR_SOCKET',
      'UND_ERR_CLOSED',
      'UND_ERR_DESTROYED',
      'UND_ERR_INFO',
    ] as const
  ).map((code) => [code, 'transient'] as const),
  ...(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ERR_TLS_HANDSHAKE_TIMEOUT'] as const).map(
    (code) => [code, 'timeout'] as const,
  ),
  ...(['ABORT_ERR', 'UND_ERR_ABORTED', 'UND_ERR_ABORT'] as const).map((code) => [code, 'aborted'] as const),
  ...(['UND_ERR_INVALID_ARG', 'ERR_INVALID_ARG_TYPE', 'ERR_INVALID_ARG_VALUE', 'ERR_INVALID_URL', 'ERR_OUT_OF_RANGE'] as const).map(
    (code) => [code, 'input'] as const,
  ),
  ...(['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'UND_ERR_RES_EXCEEDED_MAX_SIZE', 'HPE_INVALID_CONSTANT', 'UND_ERR_NOT_SUPPORTED'] as const).map(
    (code) => [code, 'protocol'] as const,
  ),
]);

// How deep to follow `cause` (fetch() wraps the socket error in a TypeError).
const MAX_CAUSE_DEPTH = 4;

/** The category an `@x` error of an older copy implies by its kind alone (no `category` field). */
function categoryOfKind(error: { kind?: unknown; status?: unknown; code?: unknown }): ErrorCategory | undefined {
  const kind = error.kind as XErrorKind | undefined;
  switch (kind) {
    case 'HttpError':
      return typeof error.status === 'number' ? httpStatusCategory(error.status) : undefined;
    case 'NetworkError':
      return typeof error.code === 'string' ? networkErrorCategory(error.code) : 'transient';
    case 'TimeoutError':
      return 'timeout';
    case 'AbortError':
      return 'aborted';
    case 'ParseError':
    case 'ProtocolError':
    case 'SizeLimitError':
    case 'XError':
      return 'protocol';
    default:
      return undefined;
  }
}

/** The category of a Node/undici error code (`ECONNRESET`, `UND_ERR_HEADERS_TIMEOUT` …), or undefined. */
export function errorCodeCategory(code: string): ErrorCategory | undefined {
  return CODE_CATEGORY.get(code) ?? (networkErrorCategory(code) === 'protocol' ? 'protocol' : undefined);
}

/**
 * What a failure means: the `category` of an `@x` error (any copy, any vendor subclass), or for a
 * plain error the category its `code` implies (`ECONNREFUSED` transient, `UND_ERR_HEADERS_TIMEOUT`
 * timeout, `ABORT_ERR` aborted …), `AbortError`/`TimeoutError` DOMExceptions (what an aborted
 * signal and `AbortSignal.timeout()` throw) as aborted/timeout, following `cause` a few levels
 * (fetch's `TypeError: fetch failed`). Undefined when nothing is known: treat it as a bug, not as
 * a condition to retry.
 */
export function errorCategory(error: unknown): ErrorCategory | undefined {
  let current = error;
  for (let depth = 0; depth <= MAX_CAUSE_DEPTH; depth += 1) {
    if (typeof current !== 'object' || current === null) return undefined;
    const found = ownCategory(current as Record<PropertyKey, unknown>);
    if (found !== undefined) return found;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function ownCategory(error: Record<PropertyKey, unknown>): ErrorCategory | undefined {
  if (error[X_ERROR_BRAND] !== undefined || (error instanceof Error && typeof error.kind === 'string')) {
    const category = isErrorCategory(error.category) ? error.category : categoryOfKind(error);
    if (category !== undefined) return category;
  }
  if (typeof DOMException === 'function' && error instanceof DOMException) {
    if (error.name === 'AbortError') return 'aborted';
    if (error.name === 'TimeoutError') return 'timeout';
  }
  return typeof error.code === 'string' ? errorCodeCategory(error.code) : undefined;
}
