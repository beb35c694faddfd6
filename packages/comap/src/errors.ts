/**
 * Errors of @x/comap. HTTP failures are @x/http-core's typed errors: an `HttpError` whose
 * `vendor.message` is ComAp's `errorMessage` (or APIM's `message`), `NetworkError`,
 * `TimeoutError`, `AbortError`. Data of the wrong shape in a 2xx answer is a ComapResponseError.
 */
import { ProtocolError, type VendorErrorInfo, redactJson } from '@x/http-core';

const PREVIEW_LIMIT = 2048;

function preview(raw: unknown): string {
  let text: string;
  if (typeof raw === 'string') text = raw;
  else {
    try {
      text = JSON.stringify(redactJson(raw)) ?? String(raw);
    } catch {
      text = String(raw);
    }
  }
  return text.length > PREVIEW_LIMIT ? `${text.slice(0, PREVIEW_LIMIT)}…` : text;
}

/**
 * The server answered 2xx with data that does not have the documented shape (guard:
 * `isComapResponseError`; it is also a ProtocolError for `isProtocolError`). `rawPreview` holds at
 * most 2 KiB of what was sent, secret-looking fields redacted.
 */
export class ComapResponseError extends ProtocolError {
  constructor(message: string, raw: unknown) {
    super(message, preview(raw), { code: 'COMAP_BAD_RESPONSE' });
  }
}
Object.defineProperty(ComapResponseError.prototype, 'name', { value: 'ComapResponseError', writable: true, configurable: true, enumerable: false });

export function isComapResponseError(e: unknown): e is ComapResponseError {
  return e instanceof Error && e.name === 'ComapResponseError' && (e as { code?: unknown }).code === 'COMAP_BAD_RESPONSE';
}

/**
 * Reads ComAp's error bodies: `{ "errorMessage": "..." }` from the API and the Identity service,
 * `{ "statusCode": 401, "message": "..." }` from the API gateway. Used as `parseVendorError`.
 */
export function parseComapError(body: unknown): VendorErrorInfo | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as { errorMessage?: unknown; message?: unknown; statusCode?: unknown };
  if (typeof b.errorMessage === 'string') return { message: b.errorMessage };
  if (typeof b.message === 'string') return typeof b.statusCode === 'number' ? { code: String(b.statusCode), message: b.message } : { message: b.message };
  return undefined;
}
