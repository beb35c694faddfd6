/** Time flags (`--start`, `--end`) of the read commands: ISO 8601 or epoch milliseconds. */
import { UsageError } from '@x/http-core/cli';

export function timeFlag(value: string | undefined, flag: string): Date | undefined {
  if (value === undefined) return undefined;
  const t = /^-?\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(t)) throw new UsageError(`--${flag} must be an ISO 8601 time or epoch milliseconds, got "${value}"`);
  return new Date(t);
}

/** `--start` and `--end` as the read commands declare them. */
export const TIME_WINDOW_FLAGS = {
  start: { type: 'string', description: 'inclusive lower bound (ISO 8601 or epoch ms)' },
  end: { type: 'string', description: 'exclusive upper bound (ISO 8601 or epoch ms)' },
} as const;
