/** Structured fields of a log line. The client only ever passes redacted values. */
export type LogFields = Record<string, unknown>;

/** A pluggable logger; the client is silent by default. */
export interface Logger {
  /** Detail for troubleshooting (each attempt, each wait). */
  debug(message: string, fields?: LogFields): void;
  /** Normal events worth knowing (a session connected). */
  info(message: string, fields?: LogFields): void;
  /** Something went wrong and is being handled (a retry, a reconnect). */
  warn(message: string, fields?: LogFields): void;
  /** Something failed for good. */
  error(message: string, fields?: LogFields): void;
}

/** The four levels of a {@link Logger}, least severe first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Options of {@link consoleLogger}. */
export interface ConsoleLoggerOptions {
  /** The label of every line, e.g. `sepl-connector`. Default: none, printed as `http-core`. */
  namespace?: string;
}

/**
 * How a logger made by this package is namespaced again, under a `Symbol.for` key so that a
 * logger from one loaded copy of @x/http-core is understood by another.
 */
const NAMESPACING = Symbol.for('@x/http-core.logger.namespacing');

interface Namespacing {
  namespace: string | undefined;
  /** The same logger, labelled `namespace` (already joined with this one's). */
  relabel(namespace: string): Logger;
}

function attach<T extends Logger>(logger: T, namespacing: Namespacing): T {
  Object.defineProperty(logger, NAMESPACING, { value: namespacing, enumerable: false });
  return logger;
}

function namespacingOf(logger: Logger): Namespacing | undefined {
  const value = (logger as unknown as Record<symbol, unknown>)[NAMESPACING];
  return typeof value === 'object' && value !== null && typeof (value as Namespacing).relabel === 'function' ? (value as Namespacing) : undefined;
}

const noop = (): void => {};

/** Drops everything (the default). */
export const silentLogger: Logger = Object.freeze(
  attach({ debug: noop, info: noop, warn: noop, error: noop }, { namespace: undefined, relabel: () => silentLogger }),
);

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
const DEFAULT_LABEL = 'http-core';
const NAMESPACE = /^[A-Za-z0-9@._/-]+(:[A-Za-z0-9@._/-]+)*$/;

function assertNamespace(namespace: unknown, name: string): asserts namespace is string {
  if (typeof namespace !== 'string') throw new TypeError(`${name} must be a string, got ${typeof namespace}`);
  if (!NAMESPACE.test(namespace)) {
    throw new RangeError(`${name} must be letters, digits and @._/- in ':'-separated parts, got ${JSON.stringify(namespace)}`);
  }
}

/** True for an object with the four logging methods. */
export function isLogger(value: unknown): value is Logger {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return LEVELS.every((level) => typeof candidate[level] === 'function');
}

/**
 * Writes `level` and above to the console as one line each: `[namespace] warn message {json}`
 * (`[http-core]` without a namespace). `sink` defaults to `console` (tests pass their own).
 */
export function consoleLogger(
  level: LogLevel = 'info',
  sink: Pick<Console, 'debug' | 'info' | 'warn' | 'error'> = console,
  options: ConsoleLoggerOptions = {},
): Logger {
  const min = LEVELS.indexOf(level);
  if (min === -1) throw new RangeError(`level must be one of ${LEVELS.join(', ')}, got ${String(level)}`);
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  if (options.namespace !== undefined) assertNamespace(options.namespace, 'options.namespace');
  const prefix = `[${options.namespace ?? DEFAULT_LABEL}] `;
  const make =
    (lvl: LogLevel) =>
    (message: string, fields?: LogFields): void => {
      if (LEVELS.indexOf(lvl) < min) return;
      sink[lvl](fields === undefined ? `${prefix}${lvl} ${message}` : `${prefix}${lvl} ${message} ${safeJson(fields)}`);
    };
  return attach(
    { debug: make('debug'), info: make('info'), warn: make('warn'), error: make('error') },
    { namespace: options.namespace, relabel: (namespace) => consoleLogger(level, sink, { namespace }) },
  );
}

/** Any other logger: the namespace travels as a `namespace` field of every line. */
function fieldLogger(base: Logger, namespace: string): Logger {
  const make =
    (lvl: LogLevel) =>
    (message: string, fields?: LogFields): void => {
      base[lvl](message, { ...fields, namespace });
    };
  return attach(
    { debug: make('debug'), info: make('info'), warn: make('warn'), error: make('error') },
    { namespace, relabel: (next) => fieldLogger(base, next) },
  );
}

/**
 * `logger` labelled with `namespace`, nested under the namespace it already has: a
 * `consoleLogger()` namespaced `sepl-connector` prints `[sepl-connector] …`, and that one
 * namespaced `http` prints `[sepl-connector:http] …`. Loggers from elsewhere get a `namespace`
 * field on every line instead. `silentLogger` stays silent.
 */
export function namespacedLogger(logger: Logger, namespace: string): Logger {
  if (!isLogger(logger)) throw new TypeError('logger must have debug, info, warn and error methods');
  assertNamespace(namespace, 'namespace');
  const namespacing = namespacingOf(logger);
  if (namespacing === undefined) return fieldLogger(logger, namespace);
  const parent = namespacing.namespace;
  return namespacing.relabel(parent === undefined ? namespace : `${parent}:${namespace}`);
}

/**
 * The logger for a layer below a package (http-core under a vendor client): `logger` namespaced
 * `layer` when it already has a namespace, else `logger` as it is (so a plain `consoleLogger()`
 * given straight to `createHttpClient` keeps printing `[http-core]`).
 */
export function layerLogger(logger: Logger, layer: string): Logger {
  if (!isLogger(logger)) throw new TypeError('logger must have debug, info, warn and error methods');
  return loggerNamespace(logger) === undefined ? logger : namespacedLogger(logger, layer);
}

/** The namespace a logger made by `consoleLogger`/`namespacedLogger` prints, or undefined. */
export function loggerNamespace(logger: Logger): string | undefined {
  return namespacingOf(logger)?.namespace;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return '"[unserialisable]"';
  }
}
