import { createRequire } from 'node:module';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import * as local from './errors.js';
import type * as api from './index.js';

// A second, separately evaluated copy of the module (as when two versions of @x/http-core are
// installed side by side): its classes are different objects with their own prototypes.
const copyPath = './errors.js?second-copy';
const other = (await import(/* @vite-ignore */ copyPath)) as typeof local;

class ComapLikeError extends local.HttpError {}
class OtherComapLikeError extends other.HttpError {}

describe('error brand across copies of the package', () => {
  it('the second copy really is another module instance', () => {
    expect(other.HttpError).not.toBe(local.HttpError);
    expect(Object.getPrototypeOf(new other.HttpError({ status: 500, method: 'GET', url: 'u' }))).not.toBe(local.HttpError.prototype);
  });

  it('instanceof a core class and the guards work both ways across copies', () => {
    const fromOther = new other.HttpError({ status: 503, method: 'GET', url: 'https://h/' });
    const fromLocal = new local.NetworkError({ code: 'ECONNRESET', method: 'GET', url: 'https://h/' });
    expect(fromOther instanceof local.HttpError).toBe(true);
    expect(fromOther instanceof local.XError).toBe(true);
    expect(fromOther instanceof local.NetworkError).toBe(false);
    expect(fromOther instanceof Error).toBe(true);
    expect(fromLocal instanceof other.NetworkError).toBe(true);
    expect(fromLocal instanceof other.XError).toBe(true);
    expect(fromLocal instanceof other.HttpError).toBe(false);
    expect(local.isHttpError(fromOther)).toBe(true);
    expect(other.isNetworkError(fromLocal)).toBe(true);
    expect(local.isXError(fromOther)).toBe(true);
  });

  it('every core class answers instanceof for its family only', () => {
    const samples = [
      new other.XError('x'),
      new other.HttpError({ status: 400, method: 'GET', url: 'u' }),
      new other.NetworkError({ code: 'ECONNREFUSED', method: 'GET', url: 'u' }),
      new other.TimeoutError({ phase: 'headers' }),
      new other.AbortError(),
      new other.ParseError({ rawPreview: '' }),
      new other.ProtocolError('p'),
      new other.SizeLimitError(1, 2),
    ];
    const classes = [
      local.XError,
      local.HttpError,
      local.NetworkError,
      local.TimeoutError,
      local.AbortError,
      local.ParseError,
      local.ProtocolError,
      local.SizeLimitError,
    ];
    const table = samples.map((sample) => classes.map((cls) => sample instanceof cls));
    // Row i: sample i; column j: class j. XError (column 0) matches everything; the rest the diagonal.
    expect(table).toEqual(samples.map((_s, i) => classes.map((_c, j) => j === 0 || j === i)));
  });

  it('a vendor subclass keeps an exact prototype check, and is still its core family everywhere', () => {
    const mine = new ComapLikeError({ status: 400, method: 'GET', url: 'u' });
    const theirs = new OtherComapLikeError({ status: 400, method: 'GET', url: 'u' });
    expect(mine instanceof ComapLikeError).toBe(true);
    expect(theirs instanceof ComapLikeError).toBe(false);
    expect(new local.HttpError({ status: 400, method: 'GET', url: 'u' }) instanceof ComapLikeError).toBe(false);
    expect(theirs instanceof OtherComapLikeError).toBe(true);
    expect(mine instanceof OtherComapLikeError).toBe(false);
    expect(theirs instanceof local.HttpError).toBe(true);
    expect(mine instanceof other.HttpError).toBe(true);
    expect(local.isHttpError(theirs)).toBe(true);
    expect(theirs.name).toBe('OtherComapLikeError');
  });

  it('the built CommonJS copy and the ESM source understand each other (the dual-package case)', () => {
    // CI builds before testing (the README test runs the built package too).
    const cjs = createRequire(import.meta.url)('../dist/index.cjs') as typeof api;
    expect(cjs.HttpError).not.toBe(local.HttpError);
    const fromCjs = new cjs.HttpError({ status: 401, method: 'GET', url: 'u' });
    expect([fromCjs instanceof local.HttpError, fromCjs instanceof local.XError, fromCjs instanceof local.TimeoutError]).toEqual([true, true, false]);
    expect(new local.AbortError() instanceof cjs.AbortError).toBe(true);
    expect([local.isHttpError(fromCjs), cjs.isAbortError(new local.AbortError()), fromCjs.category]).toEqual([true, true, 'auth']);
    expect(cjs.errorCategory(new local.TimeoutError({ phase: 'body' }))).toBe('timeout');
  });

  it('instanceof is false for look-alikes and non-objects', () => {
    expect(Object.assign(new Error('x'), { kind: 'HttpError' }) instanceof local.HttpError).toBe(false);
    expect({ [local.X_ERROR_BRAND]: 'Unknown' } instanceof local.XError).toBe(false);
    expect((null as unknown) instanceof local.XError).toBe(false);
    expect(('HttpError' as unknown) instanceof local.HttpError).toBe(false);
    expect(local.X_ERROR_BRAND).toBe(Symbol.for('@x/http-core.error'));
  });

  it('the brand is hidden from JSON and util.inspect', () => {
    const error = new local.TimeoutError({ phase: 'connect' });
    expect(Object.getOwnPropertySymbols(error)).toEqual([local.X_ERROR_BRAND]);
    expect(Object.getOwnPropertyDescriptor(error, local.X_ERROR_BRAND)?.enumerable).toBe(false);
    expect(inspect(error)).not.toContain('@x/http-core.error');
    expect(JSON.stringify(error)).toBe('{"code":"TIMEOUT_CONNECT","category":"timeout","name":"TimeoutError","phase":"connect","attempts":1}');
  });
});
