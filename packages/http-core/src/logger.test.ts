import { describe, expect, it } from 'vitest';
import { consoleLogger, isLogger, layerLogger, loggerNamespace, namespacedLogger, silentLogger, type LogFields, type Logger } from './logger.js';
import { lineSink } from './test-support.js';

function recordingLogger(): { logger: Logger; calls: [string, string, LogFields | undefined][] } {
  const calls: [string, string, LogFields | undefined][] = [];
  const at =
    (level: string) =>
    (message: string, fields?: LogFields): void => {
      calls.push([level, message, fields]);
    };
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, calls };
}

describe('namespaced loggers', () => {
  it('a vendor package and the http layer under it print their own namespaces', () => {
    const { lines, sink } = lineSink();
    const root = consoleLogger('debug', sink);
    const vendor = namespacedLogger(root, 'sepl-connector');
    const http = layerLogger(vendor, 'http');
    root.info('plain');
    vendor.warn('reconnecting', { attempt: 2 });
    http.debug('GET /x');
    namespacedLogger(http, 'retry').error('gave up');
    expect(lines).toEqual([
      '[http-core] info plain',
      '[sepl-connector] warn reconnecting {"attempt":2}',
      '[sepl-connector:http] debug GET /x',
      '[sepl-connector:http:retry] error gave up',
    ]);
    expect([loggerNamespace(root), loggerNamespace(vendor), loggerNamespace(http)]).toEqual([undefined, 'sepl-connector', 'sepl-connector:http']);
  });

  it('keeps the level and sink of the logger it namespaces', () => {
    const { lines, sink } = lineSink();
    const logger = namespacedLogger(consoleLogger('warn', sink), 'comap');
    logger.info('dropped');
    logger.warn('kept');
    expect(lines).toEqual(['[comap] warn kept']);
  });

  it('consoleLogger takes a namespace directly', () => {
    const { lines, sink } = lineSink();
    const logger = consoleLogger('info', sink, { namespace: 'thinq' });
    logger.info('hello');
    namespacedLogger(logger, 'v1').info('monitor');
    expect(lines).toEqual(['[thinq] info hello', '[thinq:v1] info monitor']);
    expect(() => consoleLogger('info', sink, { namespace: 'has space' })).toThrow(
      new RangeError(`options.namespace must be letters, digits and @._/- in ':'-separated parts, got "has space"`),
    );
    expect(() => consoleLogger('info', sink, null as never)).toThrow(new TypeError('options must be an object'));
  });

  it('a plain consoleLogger given to the http layer keeps printing [http-core]', () => {
    const { lines, sink } = lineSink();
    const root = consoleLogger('info', sink);
    expect(layerLogger(root, 'http')).toBe(root);
    layerLogger(root, 'http').info('x');
    expect(lines).toEqual(['[http-core] info x']);
  });

  it('other loggers get the namespace as a field, nested the same way', () => {
    const { logger, calls } = recordingLogger();
    expect(layerLogger(logger, 'http')).toBe(logger);
    const vendor = namespacedLogger(logger, 'devicecloud-monitor');
    vendor.info('a', { n: 1 });
    layerLogger(vendor, 'http').error('b');
    namespacedLogger(namespacedLogger(vendor, 'push'), 'frames').debug('c');
    vendor.warn('d');
    expect(calls).toEqual([
      ['info', 'a', { n: 1, namespace: 'devicecloud-monitor' }],
      ['error', 'b', { namespace: 'devicecloud-monitor:http' }],
      ['debug', 'c', { namespace: 'devicecloud-monitor:push:frames' }],
      ['warn', 'd', { namespace: 'devicecloud-monitor' }],
    ]);
  });

  it('silentLogger stays silent and recognisable; a logger of another copy of the package is understood', () => {
    expect(namespacedLogger(silentLogger, 'x')).toBe(silentLogger);
    const { lines, sink } = lineSink();
    const base = consoleLogger('info', sink);
    // What another copy of @x/http-core attaches: the same Symbol.for key.
    const foreign: Logger = { ...base };
    Object.defineProperty(foreign, Symbol.for('@x/http-core.logger.namespacing'), {
      value: { namespace: 'other', relabel: (ns: string) => consoleLogger('info', sink, { namespace: ns }) },
    });
    namespacedLogger(foreign, 'http').info('y');
    expect(lines).toEqual(['[other:http] info y']);
  });

  it('rejects a bad logger or namespace naming the parameter', () => {
    expect(() => namespacedLogger({ info: () => {} } as never, 'x')).toThrow(new TypeError('logger must have debug, info, warn and error methods'));
    expect(() => layerLogger(null as never, 'x')).toThrow(new TypeError('logger must have debug, info, warn and error methods'));
    expect(() => namespacedLogger(silentLogger, '')).toThrow(RangeError);
    expect(() => namespacedLogger(silentLogger, 'a::b')).toThrow(RangeError);
    expect(() => namespacedLogger(silentLogger, 5 as never)).toThrow(new TypeError('namespace must be a string, got number'));
    expect([isLogger(silentLogger), isLogger({}), isLogger(null), isLogger('x')]).toEqual([true, false, false, false]);
  });
});
