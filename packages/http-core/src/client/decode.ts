import { ParseError, SizeLimitError } from '../errors.js';
import { PREVIEW_LIMIT, redactText, truncate } from '../redact.js';
import type { CallContext, Redaction } from './context.js';
import { flattenHeaders } from './target.js';

/** Default cap of a buffered (json/text/bytes) success body. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** The error of a body over `maxResponseBytes` (announced by Content-Length, or counted while reading). */
export function tooLarge(ctx: CallContext, redaction: Redaction, limit: number, bytes: number, announced: boolean): SizeLimitError {
  const size = announced ? `is ${bytes} bytes` : 'exceeds';
  return new SizeLimitError(limit, bytes, `Response body of ${ctx.method} ${redaction.lazyUrl(ctx)} ${size} over maxResponseBytes ${limit}`);
}

/** The answer's status and headers, as the error of an unparsable body reports them. */
interface Answer {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
}

/** UTF-8 text of a body, without a byte order mark (as undici's `text()`). */
function utf8(bytes: Buffer): string {
  const start = bytes.length > 2 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  return bytes.toString('utf8', start);
}

/** `text` parsed as JSON (an empty body is undefined); a ParseError with a redacted preview otherwise. */
export function parseJson(ctx: CallContext, redaction: Redaction, res: Answer, text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const secrets = redaction.secretsOf(ctx);
    const url = redaction.url(ctx, secrets);
    throw new ParseError({
      message: `Response body is not valid JSON: ${ctx.method} ${url} (HTTP ${res.statusCode})`,
      rawPreview: truncate(redactText(text, secrets), PREVIEW_LIMIT),
      method: ctx.method,
      url,
      response: { status: res.statusCode, headers: redaction.headers(flattenHeaders(res.headers), secrets) },
      cause: error,
    });
  }
}

/** Decodes a collected successful body as asked. */
export function decodeBuffered(ctx: CallContext, redaction: Redaction, res: Answer & { bytes: Buffer }, responseType: 'json' | 'text' | 'bytes' | 'none'): unknown {
  switch (responseType) {
    case 'none':
      return undefined;
    case 'text':
      return utf8(res.bytes);
    case 'bytes':
      // A fresh array (not a view into a socket chunk or Buffer's shared pool).
      return new Uint8Array(res.bytes);
    case 'json':
      return parseJson(ctx, redaction, res, utf8(res.bytes));
  }
}
