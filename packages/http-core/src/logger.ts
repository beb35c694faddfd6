/** Structured fields of a log line. The client only ever passes redacted values. */
export type LogFields = Record<string, unknown>;

/** A pluggable logger; the client is silent by default. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const noop = (): void => {};

/** Drops everything (the default). */
export const silentLogger: Logger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/**
 * Writes `level` and above to the console as one line each: `[http-core] warn message {json}`.
 * `sink` defaults to `console` (tests pass their own).
 */
export function consoleLogger(
  level: LogLevel = 'info',
  sink: Pick<Console, 'debug' | 'info' | 'warn' | 'error'> = console,
): Logger {
  const min = LEVELS.indexOf(level);
  if (min === -1) throw new RangeError(`level must be one of ${LEVELS.join(', ')}, got ${String(level)}`);
  const make =
    (lvl: LogLevel) =>
    (message: string, fields?: LogFields): void => {
      if (LEVELS.indexOf(lvl) < min) return;
      sink[lvl](fields === undefined ? `[http-core] ${lvl} ${message}` : `[http-core] ${lvl} ${message} ${safeJson(fields)}`);
    };
  return { debug: make('debug'), info: make('info'), warn: make('warn'), error: make('error') };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return '"[unserialisable]"';
  }
}
