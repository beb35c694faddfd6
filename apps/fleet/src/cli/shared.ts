// What the `fleet` commands share: the hooks of the process or test that runs them, the
// configuration options, and the parsing of times.
import { UsageError } from '@x/http-core/cli';
import type { FleetApp } from '../app.js';
import { loadConfig, type FleetConfig } from '../config.js';
import { parseTime } from '../http/params.js';
import type { ProgressStream } from '../progress.js';
import type { DataDirLockedError } from '../storage/data-lock.js';

/** What the program needs beyond argv, env and streams (tests pass their own). */
export interface ProgramHooks {
  /** Folder the default fleet.config.json is looked for in (default the process's). */
  cwd?: string | undefined;
  /** Called with the running app (tests use it to reach the server). */
  onStarted?: ((app: FleetApp) => void) | undefined;
  /** Where `backfill` draws its progress bar (default the command's stderr, as lines). */
  progress?: ProgressStream | undefined;
}

export const CONFIG_OPTION = {
  config: { type: 'string', env: 'FLEET_CONFIG', valueName: 'file', description: 'configuration file (default ./fleet.config.json)' },
} as const;

export const DATA_DIR_OPTION = {
  'data-dir': { type: 'string', valueName: 'dir', description: 'embedded database folder (default ./.fleet-data; DATABASE_URL uses PostgreSQL)' },
} as const;

export const TIME_HELP = 'Times are ISO-8601 (2026-01-31, 2026-01-31T12:00:00Z) or epoch milliseconds.';

/** An ISO-8601 time or epoch milliseconds given as `--<name>`; a usage error otherwise. */
function optionTime(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseTime(`--${name}`, text);
  } catch {
    throw new UsageError(`--${name}: expected an ISO-8601 time or epoch milliseconds, got ${JSON.stringify(text)}`);
  }
}

/** `--from`/`--to` as a range (`to` defaults to `now`); a usage error when they are bad or reversed. */
export function timeRange(from: string | undefined, to: string | undefined, now: number): { from: number | undefined; to: number } {
  const range = { from: optionTime('from', from), to: optionTime('to', to) ?? now };
  if (range.from !== undefined && range.from > range.to) throw new UsageError('--from must not be after --to');
  return range;
}

export async function configFor(file: string | undefined, env: Readonly<Record<string, string | undefined>>, hooks: ProgramHooks): Promise<FleetConfig> {
  const { config } = await loadConfig({ file, env: { ...env }, ...(hooks.cwd === undefined ? {} : { cwd: hooks.cwd }) });
  return config;
}

/** A data folder held by another process: its one-line error and the distinct exit code (75, EX_TEMPFAIL). */
export function lockedExit(stderr: { line(text: string): void }, err: DataDirLockedError): number {
  stderr.line(`fleet: error: ${err.message}`);
  return err.exitCode;
}
