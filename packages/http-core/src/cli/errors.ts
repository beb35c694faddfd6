/**
 * The errors a CLI built on the kit throws to pick its exit code. They carry a `Symbol.for`
 * brand, so `instanceof` and the guards work when several copies of @x/http-core are loaded.
 */

/** Exit codes shared by every `@x` CLI (sysexits.h for configuration, 128 + n for signals). */
export const EXIT_CODES = Object.freeze({
  ok: 0,
  failure: 1,
  usage: 2,
  config: 78,
  sigint: 130,
  sigterm: 143,
});

const USAGE_BRAND = Symbol.for('@x/http-core.cli.UsageError');
const CONFIG_BRAND = Symbol.for('@x/http-core.cli.ConfigError');

function branded(value: unknown, brand: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

/** Bad command line (unknown option, missing argument, bad number): exit code 2. */
export class UsageError extends Error {
  readonly code: string = 'USAGE';
  readonly exitCode: number = EXIT_CODES.usage;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    Object.defineProperty(this, USAGE_BRAND, { value: true });
  }

  /** True for a UsageError from any loaded copy of the kit (checked by brand, not prototype). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return branded(value, USAGE_BRAND);
  }
}
Object.defineProperty(UsageError.prototype, 'name', { value: 'UsageError', writable: true, configurable: true });

/** Bad or missing configuration (environment variable, config file, credentials): exit code 78. */
export class ConfigError extends Error {
  readonly code: string = 'CONFIG';
  readonly exitCode: number = EXIT_CODES.config;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    Object.defineProperty(this, CONFIG_BRAND, { value: true });
  }

  /** True for a ConfigError from any loaded copy of the kit (checked by brand, not prototype). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return branded(value, CONFIG_BRAND);
  }
}
Object.defineProperty(ConfigError.prototype, 'name', { value: 'ConfigError', writable: true, configurable: true });

export function isUsageError(value: unknown): value is UsageError {
  return branded(value, USAGE_BRAND);
}

export function isConfigError(value: unknown): value is ConfigError {
  return branded(value, CONFIG_BRAND);
}
