import type { Readable } from 'node:stream';
import type { Clock } from '../clock.js';
import { AbortError, HttpError, NetworkError, TimeoutError, type VendorErrorInfo, isXError } from '../errors.js';
import { PREVIEW_LIMIT, redactJson, redactText, truncate } from '../redact.js';
import { parseRetryAfter } from '../retry.js';
import type { CallContext, Redaction } from './context.js';
import type { VendorErrorParser } from './types.js';

const UNDICI_TIMEOUT_PHASE: Readonly<Record<string, 'connect' | 'headers' | 'body'>> = {
  UND_ERR_CONNECT_TIMEOUT: 'connect',
  UND_ERR_HEADERS_TIMEOUT: 'headers',
  UND_ERR_BODY_TIMEOUT: 'body',
};

const INVALID_ARG_CODES: ReadonlySet<string> = new Set(['UND_ERR_INVALID_ARG', 'ERR_INVALID_ARG_TYPE', 'ERR_INVALID_ARG_VALUE', 'ERR_INVALID_URL']);

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** Turns whatever undici (or a wait) threw into one of our typed errors. */
export function mapError(error: unknown, ctx: CallContext, redaction: Redaction): Error {
  if (ctx.scope.userAborted) return new AbortError(ctx.scope.userSignal?.reason);
  if (!ctx.scope.deadlineHit && isXError(error)) return error;
  const secrets = redaction.secretsOf(ctx);
  const url = redaction.url(ctx, secrets);
  const common = { method: ctx.method, url, attempts: ctx.attempt, request: redaction.requestInfo(ctx, secrets), cause: error };
  if (ctx.scope.deadlineHit) return new TimeoutError({ phase: 'deadline', timeoutInMs: ctx.deadlineInMs, ...common });
  const code = errorCode(error);
  const phase = code === undefined ? undefined : UNDICI_TIMEOUT_PHASE[code];
  if (phase !== undefined) return new TimeoutError({ phase, timeoutInMs: ctx.timeoutInMs, ...common });
  if (code !== undefined && INVALID_ARG_CODES.has(code)) {
    const message = error instanceof Error ? error.message : String(error);
    return new TypeError(redactText(`Invalid request: ${message}`, secrets));
  }
  const causeCode = errorCode((error as { cause?: unknown } | undefined)?.cause);
  const netCode = code === 'UND_ERR_SOCKET' && causeCode ? causeCode : code ?? (error instanceof Error ? error.name.toUpperCase() : 'UNKNOWN');
  const detail = error instanceof Error && error.message ? ` (${redactText(error.message, secrets)})` : '';
  return new NetworkError({ code: netCode, message: `Network error ${netCode}: ${ctx.method} ${url}${truncate(detail, 300)}`, ...common });
}

/** Reads at most `limit` bytes of a body (discarding the rest) as UTF-8 text. */
export async function readBounded(body: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (size + chunk.length > limit) {
      chunks.push(chunk.subarray(0, limit - size));
      size = limit;
      break; // leaving the loop destroys the rest of the body
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

function parseJsonOrText(text: string): { parsed: unknown; isJson: boolean } {
  if (text.length === 0) return { parsed: undefined, isJson: false };
  try {
    return { parsed: JSON.parse(text) as unknown, isJson: true };
  } catch {
    return { parsed: undefined, isJson: false };
  }
}

function vendorInfo(parse: VendorErrorParser | undefined, body: unknown, status: number, headers: Record<string, string>, secrets: readonly string[]): VendorErrorInfo | undefined {
  let vendor: VendorErrorInfo | undefined;
  try {
    vendor = parse?.(body, status, headers);
  } catch {
    return undefined;
  }
  if (!vendor) return undefined;
  return {
    ...(vendor.code !== undefined ? { code: redactText(String(vendor.code), secrets) } : {}),
    ...(vendor.message !== undefined ? { message: truncate(redactText(String(vendor.message), secrets), 500) } : {}),
  };
}

export interface HttpErrorSettings {
  redaction: Redaction;
  clock: Clock;
  maxErrorBodyBytes: number;
  parseVendorError: VendorErrorParser | undefined;
}

/** The HttpError of a status the caller did not accept, with a bounded, redacted body preview. */
export async function httpError(ctx: CallContext, res: { statusCode: number; body: Readable | undefined }, headers: Record<string, string>, settings: HttpErrorSettings): Promise<HttpError> {
  const { redaction } = settings;
  let text = '';
  try {
    text = ctx.method === 'HEAD' || res.body === undefined ? '' : await readBounded(res.body, settings.maxErrorBodyBytes);
  } catch (error) {
    // The status is what matters; a broken error body only loses the preview.
    if (ctx.scope.userAborted || ctx.scope.deadlineHit) throw mapError(error, ctx, redaction);
  }
  const { parsed, isJson } = parseJsonOrText(text);
  const secrets = redaction.secretsOf(ctx);
  const vendor = vendorInfo(ctx.options.parseVendorError ?? settings.parseVendorError, isJson ? parsed : text, res.statusCode, headers, secrets);
  const body = isJson ? redactJson(parsed, redaction.extraBodyKeys, secrets) : undefined;
  const retryAfterInMs = parseRetryAfter(headers['retry-after'], settings.clock.now());
  const safeHeaders = redaction.headers(headers, secrets);
  return new HttpError({
    status: res.statusCode,
    statusText: STATUS_TEXT[res.statusCode] ?? '',
    headers: safeHeaders,
    bodyPreview: truncate(isJson ? JSON.stringify(body) : redactText(text, secrets), PREVIEW_LIMIT),
    body,
    ...(vendor ? { vendor } : {}),
    method: ctx.method,
    url: redaction.url(ctx, secrets),
    attempts: ctx.attempt,
    ...(retryAfterInMs !== undefined ? { retryAfterInMs } : {}),
    request: redaction.requestInfo(ctx, secrets),
    response: { status: res.statusCode, headers: safeHeaders },
  });
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};
