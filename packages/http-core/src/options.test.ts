import { Agent } from 'undici';
import { describe, expect, it } from 'vitest';
import { systemClock } from './clock.js';
import { consoleLogger } from './logger.js';
import { type CallOptions, type ClientOptionsBase, validateCallOptions, validateClientOptionsBase } from './options.js';

const OWNER = 'ComapClient options';

describe('validateClientOptionsBase', () => {
  it('accepts every valid option and returns the options', async () => {
    const dispatcher = new Agent();
    const options: ClientOptionsBase & { apiKey: string } = {
      apiKey: 'k',
      logger: consoleLogger('warn'),
      clock: systemClock,
      random: () => 0.5,
      dispatcher,
      tls: { ca: ['pem', Buffer.from('pem')], cert: 'c', key: Buffer.from('k'), rejectUnauthorized: true, servername: 'h' },
      userAgent: 'my-app/1.0',
      retry: { maxAttempts: 5, classify: () => undefined, respectRetryAfter: false },
      timeoutInMs: 0,
      deadlineInMs: 2 ** 31 - 1,
    };
    expect(validateClientOptionsBase(options, OWNER)).toBe(options);
    expect(validateClientOptionsBase({ retry: false }, OWNER)).toEqual({ retry: false });
    expect(validateClientOptionsBase(undefined, OWNER)).toEqual({});
    await dispatcher.close();
  });

  it('names the offending parameter', () => {
    const cases: [unknown, Error][] = [
      [null, new TypeError('ComapClient options must be an object')],
      [[], new TypeError('ComapClient options must be an object')],
      [{ logger: console.log }, new TypeError('ComapClient options.logger must have debug, info, warn and error methods')],
      [{ clock: { now: () => 0 } }, new TypeError('ComapClient options.clock must have now, setTimeout and clearTimeout methods')],
      [{ random: 0.5 }, new TypeError('ComapClient options.random must be a function')],
      [{ dispatcher: {} }, new TypeError('ComapClient options.dispatcher must be an undici Dispatcher')],
      [{ tls: 'pem' }, new TypeError('ComapClient options.tls must be an object')],
      [{ tls: { ca: [1] } }, new TypeError('ComapClient options.tls.ca must be a PEM string or Buffer, or an array of them')],
      [{ tls: { cert: 1 } }, new TypeError('ComapClient options.tls.cert must be a PEM string or Buffer')],
      [{ tls: { key: 1 } }, new TypeError('ComapClient options.tls.key must be a PEM string or Buffer')],
      [{ tls: { rejectUnauthorized: 'no' } }, new TypeError('ComapClient options.tls.rejectUnauthorized must be a boolean')],
      [{ tls: { servername: 1 } }, new TypeError('ComapClient options.tls.servername must be a string')],
      [{ userAgent: 1 }, new TypeError('ComapClient options.userAgent must be a string, got number')],
      [{ userAgent: 'a\r\nX-Injected: 1' }, new RangeError('ComapClient options.userAgent must be a non-empty header value without control characters')],
      [{ userAgent: ' ' }, new RangeError('ComapClient options.userAgent must be a non-empty header value without control characters')],
      [{ retry: true }, new TypeError('ComapClient options.retry must be an object or false')],
      [{ retry: { classify: 'x' } }, new TypeError('ComapClient options.retry.classify must be a function')],
      [{ retry: { respectRetryAfter: 1 } }, new TypeError('ComapClient options.retry.respectRetryAfter must be a boolean')],
      [{ retry: { maxAttempts: 0 } }, new RangeError('ComapClient options.retry.maxAttempts must be an integer >= 1, got 0')],
      [{ retry: { baseDelayInMs: -1 } }, new RangeError('ComapClient options.retry.baseDelayInMs must be a number >= 0, got -1')],
      [{ timeoutInMs: '5' }, new TypeError('ComapClient options.timeoutInMs must be a number of milliseconds, got string')],
      [{ timeoutInMs: -1 }, new RangeError('ComapClient options.timeoutInMs must be from 0 to 2147483647 ms (about 24.8 days), got -1')],
      [{ deadlineInMs: Infinity }, new RangeError('ComapClient options.deadlineInMs must be from 0 to 2147483647 ms (about 24.8 days), got Infinity')],
      [{ deadlineInMs: 2 ** 31 }, new RangeError('ComapClient options.deadlineInMs must be from 0 to 2147483647 ms (about 24.8 days), got 2147483648')],
    ];
    for (const [options, error] of cases) {
      expect(() => validateClientOptionsBase(options as ClientOptionsBase, OWNER)).toThrow(error);
    }
  });
});

describe('validateCallOptions', () => {
  it('accepts every valid option and returns the options', () => {
    const options: CallOptions & { page: number } = { signal: new AbortController().signal, timeoutInMs: 1000, deadlineInMs: 5000, page: 2 };
    expect(validateCallOptions(options, 'listUnits() options')).toBe(options);
    expect(validateCallOptions(undefined, 'listUnits() options')).toEqual({});
    // A signal of another realm (or a polyfill) passes by shape.
    const lookalike = { aborted: false, addEventListener: () => {}, removeEventListener: () => {} } as unknown as AbortSignal;
    expect(validateCallOptions({ signal: lookalike }, 'w').signal).toBe(lookalike);
  });

  it('names the offending parameter', () => {
    const where = 'getUnit() options';
    const cases: [unknown, Error][] = [
      ['fast', new TypeError('getUnit() options must be an object')],
      [{ signal: {} }, new TypeError('getUnit() options.signal must be an AbortSignal')],
      [{ signal: null }, new TypeError('getUnit() options.signal must be an AbortSignal')],
      [{ timeoutInMs: NaN }, new TypeError('getUnit() options.timeoutInMs must be a number of milliseconds, got NaN')],
      [{ timeoutInMs: 2 ** 31 }, new RangeError('getUnit() options.timeoutInMs must be from 0 to 2147483647 ms (about 24.8 days), got 2147483648')],
      [{ deadlineInMs: -5 }, new RangeError('getUnit() options.deadlineInMs must be from 0 to 2147483647 ms (about 24.8 days), got -5')],
    ];
    for (const [options, error] of cases) {
      expect(() => validateCallOptions(options as CallOptions, where)).toThrow(error);
    }
  });
});
