import { describe, expect, it } from 'vitest';
import { errorCategory, errorCodeCategory } from './error-category.js';
import {
  AbortError,
  ERROR_CATEGORIES,
  HttpError,
  NetworkError,
  ParseError,
  ProtocolError,
  SizeLimitError,
  TimeoutError,
  XError,
  httpStatusCategory,
  isErrorCategory,
  isHttpError,
  networkErrorCategory,
} from './errors.js';

const http = (status: number, extra: Partial<ConstructorParameters<typeof HttpError>[0]> = {}): HttpError =>
  new HttpError({ status, method: 'GET', url: 'https://h/', ...extra });

describe('error categories', () => {
  it('HttpError defaults by status', () => {
    const statuses = [401, 403, 429, 408, 500, 501, 502, 503, 504, 599, 404, 410, 409, 412, 400, 405, 422, 451, 302, 204];
    expect(statuses.map((s) => [s, http(s).category])).toEqual([
      [401, 'auth'],
      [403, 'auth'],
      [429, 'throttled'],
      [408, 'transient'],
      [500, 'transient'],
      [501, 'protocol'],
      [502, 'transient'],
      [503, 'transient'],
      [504, 'transient'],
      [599, 'protocol'],
      [404, 'not-found'],
      [410, 'not-found'],
      [409, 'conflict'],
      [412, 'conflict'],
      [400, 'input'],
      [405, 'input'],
      [422, 'input'],
      [451, 'input'],
      [302, 'protocol'],
      [204, 'protocol'],
    ]);
    expect(statuses.map(httpStatusCategory)).toEqual(statuses.map((s) => http(s).category));
  });

  it('every class has its default, and an explicit category overrides it', () => {
    expect([
      new NetworkError({ code: 'ECONNRESET', method: 'GET', url: 'u' }).category,
      new NetworkError({ code: 'CERT_HAS_EXPIRED', method: 'GET', url: 'u' }).category,
      new NetworkError({ code: 'ERR_TLS_CERT_ALTNAME_INVALID', method: 'GET', url: 'u' }).category,
      new TimeoutError({ phase: 'deadline' }).category,
      new AbortError().category,
      new ParseError({ rawPreview: '' }).category,
      new ProtocolError('bad').category,
      new SizeLimitError(1, 2).category,
      new XError('base').category,
    ]).toEqual(['transient', 'protocol', 'protocol', 'timeout', 'aborted', 'protocol', 'protocol', 'protocol', 'protocol']);
    // A vendor "token expired" code in a 400 answer is an auth failure.
    const expired = http(400, { category: 'auth', vendor: { code: 'TOKEN_EXPIRED' } });
    expect([expired.category, expired.code, expired.kind, isHttpError(expired)]).toEqual(['auth', 'HTTP_400', 'HttpError', true]);
    expect(new NetworkError({ code: 'EPROTO', method: 'GET', url: 'u', category: 'protocol' }).category).toBe('protocol');
    expect(new TimeoutError({ phase: 'connect', category: 'transient' }).category).toBe('transient');
    expect(new AbortError('r', 'stopped', { category: 'timeout' }).category).toBe('timeout');
    expect(new ParseError({ rawPreview: '', category: 'input' }).category).toBe('input');
    expect(new ProtocolError('frame', '', { category: 'auth', code: 'E_AUTH' }).category).toBe('auth');
    const limited = new SizeLimitError(1, 2, undefined, { category: 'input', cause: 'why' });
    expect([limited.category, limited.cause]).toEqual(['input', 'why']);
    expect(new XError('m', { category: 'conflict' }).category).toBe('conflict');
    class VendorError extends XError {
      constructor() {
        super('vendor', { code: 'V1', category: 'throttled' });
      }
    }
    expect([new VendorError().category, new VendorError().code]).toEqual(['throttled', 'V1']);
  });

  it('refuses a category that is not one', () => {
    expect(() => new XError('m', { category: 'fatal' as never })).toThrow(
      new TypeError('category must be one of auth, throttled, transient, timeout, protocol, input, not-found, conflict, aborted, got fatal'),
    );
    expect(ERROR_CATEGORIES).toEqual(['auth', 'throttled', 'transient', 'timeout', 'protocol', 'input', 'not-found', 'conflict', 'aborted']);
    expect(ERROR_CATEGORIES.every(isErrorCategory)).toBe(true);
    expect([isErrorCategory('client'), isErrorCategory(undefined)]).toEqual([false, false]);
    expect([networkErrorCategory('ECONNREFUSED'), networkErrorCategory('DEPTH_ZERO_SELF_SIGNED_CERT')]).toEqual(['transient', 'protocol']);
  });
});

describe('errorCategory', () => {
  it('reads the category of @x errors, also from an older copy that only has a kind', () => {
    expect(errorCategory(http(429))).toBe('throttled');
    expect(errorCategory(http(400, { category: 'auth' }))).toBe('auth');
    const older = (kind: string, fields: Record<string, unknown> = {}): Error => Object.assign(new Error('old'), { kind, ...fields });
    expect([
      errorCategory(older('HttpError', { status: 404 })),
      errorCategory(older('HttpError')),
      errorCategory(older('NetworkError', { code: 'ECONNRESET' })),
      errorCategory(older('NetworkError')),
      errorCategory(older('TimeoutError')),
      errorCategory(older('AbortError')),
      errorCategory(older('ParseError')),
      errorCategory(older('ProtocolError')),
      errorCategory(older('SizeLimitError')),
      errorCategory(older('XError')),
      errorCategory(older('Whatever')),
    ]).toEqual(['not-found', undefined, 'transient', 'transient', 'timeout', 'aborted', 'protocol', 'protocol', 'protocol', 'protocol', undefined]);
  });

  it('classifies plain Node and undici errors by code, following cause', () => {
    const coded = (code: string): Error => Object.assign(new Error(code), { code });
    expect(
      ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ABORT_ERR', 'UND_ERR_ABORTED', 'ERR_INVALID_ARG_TYPE', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'SELF_SIGNED_CERT_IN_CHAIN', 'ENOENT'].map((code) =>
        errorCategory(coded(code)),
      ),
    ).toEqual(['transient', 'transient', 'transient', 'transient', 'transient', 'timeout', 'timeout', 'timeout', 'timeout', 'aborted', 'aborted', 'input', 'protocol', 'protocol', undefined]);
    // fetch() wraps the socket error: TypeError('fetch failed', { cause }).
    expect(errorCategory(new TypeError('fetch failed', { cause: coded('ECONNREFUSED') }))).toBe('transient');
    expect(errorCategory(new Error('a', { cause: new Error('b', { cause: http(503) }) }))).toBe('transient');
    expect(errorCodeCategory('UND_ERR_CLOSED')).toBe('transient');
    expect(errorCodeCategory('NOPE')).toBeUndefined();
  });

  it('classifies what an aborted signal and AbortSignal.timeout() throw', async () => {
    const controller = new AbortController();
    controller.abort();
    expect(errorCategory(controller.signal.reason)).toBe('aborted');
    const timeout = AbortSignal.timeout(1);
    await new Promise((resolve) => timeout.addEventListener('abort', resolve));
    expect(errorCategory(timeout.reason)).toBe('timeout');
    const { setTimeout: wait } = await import('node:timers/promises');
    const reason = await wait(1, undefined, { signal: controller.signal }).catch((error: unknown) => error);
    expect(errorCategory(reason)).toBe('aborted');
    expect(errorCategory(new DOMException('x', 'DataCloneError'))).toBeUndefined();
  });

  it('knows nothing about plain bugs and non-errors', () => {
    expect([errorCategory(new TypeError('x is not a function')), errorCategory('ECONNRESET'), errorCategory(undefined), errorCategory(null), errorCategory(42)]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    // A cause chain deeper than 4 levels is not followed.
    let deep: Error = Object.assign(new Error('root'), { code: 'ECONNRESET' });
    for (let i = 0; i < 5; i += 1) deep = new Error(`wrap ${i}`, { cause: deep });
    expect(errorCategory(deep)).toBeUndefined();
  });
});
