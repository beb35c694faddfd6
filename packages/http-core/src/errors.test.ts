import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  AbortError,
  HttpError,
  NetworkError,
  ParseError,
  ProtocolError,
  SizeLimitError,
  TimeoutError,
  XError,
  isAbortError,
  isHttpError,
  isNetworkError,
  isParseError,
  isProtocolError,
  isSizeLimitError,
  isTimeoutError,
  isXError,
} from './errors.js';

class ComapError extends HttpError {}

describe('errors', () => {
  it('are recognised by kind through the guards, also for subclasses and foreign copies', () => {
    const http = new HttpError({ status: 404, method: 'GET', url: 'https://x/y' });
    const comap = new ComapError({ status: 400, method: 'POST', url: 'https://x/z', vendor: { code: 'E1', message: 'bad' } });
    expect(isHttpError(http)).toBe(true);
    expect(isXError(http)).toBe(true);
    expect(isHttpError(comap)).toBe(true);
    expect(comap.name).toBe('ComapError');
    expect(comap.message).toBe('HTTP 400: POST https://x/z (bad)');
    expect(http.name).toBe('HttpError');
    expect(http.code).toBe('HTTP_404');
    // A copy of the class from another bundle only shares the kind.
    const foreign = Object.assign(new Error('x'), { kind: 'TimeoutError', phase: 'connect' });
    expect(isTimeoutError(foreign)).toBe(true);
    expect(isHttpError({ kind: 'HttpError' })).toBe(false);
    expect(isXError(new Error('plain'))).toBe(false);
    expect(isXError(null)).toBe(false);
  });

  it('every class has its own guard, name and code', () => {
    const cases: [Error, (e: unknown) => boolean, string, string][] = [
      [new NetworkError({ code: 'ECONNRESET', method: 'GET', url: 'u' }), isNetworkError, 'NetworkError', 'ECONNRESET'],
      [new TimeoutError({ phase: 'headers' }), isTimeoutError, 'TimeoutError', 'TIMEOUT_HEADERS'],
      [new AbortError('why'), isAbortError, 'AbortError', 'ABORTED'],
      [new ParseError({ rawPreview: '{' }), isParseError, 'ParseError', 'PARSE_ERROR'],
      [new ProtocolError('bad frame', 'ff00'), isProtocolError, 'ProtocolError', 'PROTOCOL_ERROR'],
      [new SizeLimitError(10, 11), isSizeLimitError, 'SizeLimitError', 'SIZE_LIMIT'],
      [new XError('base'), isXError, 'XError', 'X_ERROR'],
    ];
    for (const [error, guard, name, code] of cases) {
      expect(guard(error)).toBe(true);
      expect(isXError(error)).toBe(true);
      expect(error.name).toBe(name);
      expect((error as XError).code).toBe(code);
      expect(isHttpError(error)).toBe(false);
    }
    expect(new AbortError('why').cause).toBe('why');
    expect(Object.hasOwn(new AbortError(), 'cause')).toBe(true);
    expect(new TimeoutError({ phase: 'body', timeoutInMs: 5, method: 'GET', url: 'http://h/' }).message).toBe('Timed out (body) after 5 ms: GET http://h/');
    expect(new SizeLimitError(10, 11).message).toBe('Body exceeds the limit of 10 bytes (11 bytes)');
  });

  it('keeps request and response out of JSON.stringify and util.inspect', () => {
    const error = new HttpError({
      status: 500,
      method: 'GET',
      url: 'https://x/',
      request: { method: 'GET', url: 'https://x/', headers: { 'x-marker': 'REQUEST-MARKER' } },
      response: { status: 500, headers: { 'x-marker': 'RESPONSE-MARKER' } },
    });
    expect(error.request?.headers['x-marker']).toBe('REQUEST-MARKER');
    expect(JSON.stringify(error)).not.toContain('MARKER');
    expect(inspect(error)).not.toContain('MARKER');
    expect(Object.keys(error)).not.toContain('request');
    expect(Object.keys(error)).not.toContain('kind');
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'HttpError',
      code: 'HTTP_500',
      category: 'transient',
      status: 500,
      headers: {},
      bodyPreview: '',
      method: 'GET',
      url: 'https://x/',
      attempts: 1,
    });
  });

  it('leaves unset optional fields absent instead of own properties holding undefined', () => {
    const http = new HttpError({ status: 500, method: 'GET', url: 'https://x/' });
    expect(Object.keys(http)).toEqual(['code', 'category', 'name', 'status', 'headers', 'bodyPreview', 'body', 'method', 'url', 'attempts']);
    expect(inspect(http)).not.toContain('retryAfterInMs');
    expect(inspect(http)).not.toContain('vendor');
    const hinted = new HttpError({ status: 429, method: 'GET', url: 'https://x/', retryAfterInMs: 2000, vendor: { code: 'SLOW' } });
    expect([hinted.retryAfterInMs, hinted.vendor]).toEqual([2000, { code: 'SLOW' }]);
    expect(Object.keys(new TimeoutError({ phase: 'deadline' }))).toEqual(['code', 'category', 'name', 'phase', 'attempts']);
    expect(Object.keys(new ParseError({ rawPreview: '{' }))).toEqual(['code', 'category', 'name', 'rawPreview']);
  });
});
