import type { Dispatcher } from 'undici';
import { ParseError, SizeLimitError } from '../errors.js';
import { PREVIEW_LIMIT, redactText, truncate } from '../redact.js';
import type { CallContext, Redaction } from './context.js';
import { flattenHeaders } from './target.js';
import type { ResponseType } from './types.js';

/** Default cap of a buffered (json/text/bytes) success body. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

type Body = Dispatcher.ResponseData['body'];

function tooLarge(ctx: CallContext, redaction: Redaction, limit: number, bytes: number, announced: boolean): SizeLimitError {
  const size = announced ? `is ${bytes} bytes` : 'exceeds';
  return new SizeLimitError(limit, bytes, `Response body of ${ctx.method} ${redaction.lazyUrl(ctx)} ${size} over maxResponseBytes ${limit}`);
}

/**
 * The body as bytes, at most `limit` of them. A Content-Length within the limit takes undici's own
 * fast path; a larger one fails before reading; an unannounced length is counted while reading.
 * Over the limit the body is destroyed, so the socket is not kept busy reading what nobody wants.
 */
async function readCapped(ctx: CallContext, redaction: Redaction, body: Body, length: string | undefined, limit: number): Promise<Uint8Array> {
  const announced = length === undefined ? Number.NaN : Number(length);
  if (announced > limit) {
    body.destroy();
    throw tooLarge(ctx, redaction, limit, announced, true);
  }
  if (limit === Number.POSITIVE_INFINITY || announced <= limit) return new Uint8Array(await body.arrayBuffer());
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      throw tooLarge(ctx, redaction, limit, size, false);
    }
    chunks.push(chunk);
  }
  // A fresh array (not a view into Buffer's shared pool).
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** The body as text when its announced length is within the cap (undici's fastest path), else undefined. */
export function knownLengthText(res: Dispatcher.ResponseData, limit: number): Promise<string> | undefined {
  const length = res.headers['content-length'];
  return typeof length === 'string' && Number(length) <= limit ? res.body.text() : undefined;
}

async function readText(ctx: CallContext, redaction: Redaction, res: Dispatcher.ResponseData, limit: number): Promise<string> {
  const fast = knownLengthText(res, limit);
  if (fast !== undefined) return fast;
  const length = res.headers['content-length'];
  const bytes = await readCapped(ctx, redaction, res.body, typeof length === 'string' ? length : undefined, limit);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/** `text` parsed as JSON (an empty body is undefined); a ParseError with a redacted preview otherwise. */
export function parseJson(ctx: CallContext, redaction: Redaction, res: Dispatcher.ResponseData, text: string): unknown {
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

/** Decodes a successful body as asked; buffered types are capped at `limit` bytes. */
export async function decodeBody(ctx: CallContext, redaction: Redaction, res: Dispatcher.ResponseData, responseType: ResponseType, limit: number): Promise<unknown> {
  switch (responseType) {
    case 'none':
      await res.body.dump();
      return undefined;
    case 'stream':
      return res.body;
    case 'text':
      return readText(ctx, redaction, res, limit);
    case 'bytes': {
      const length = res.headers['content-length'];
      return readCapped(ctx, redaction, res.body, typeof length === 'string' ? length : undefined, limit);
    }
    case 'json':
      return parseJson(ctx, redaction, res, await readText(ctx, redaction, res, limit));
  }
}
