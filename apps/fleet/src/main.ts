// The `fleet` command line (start, demo, devices, export, backfill, help) as a function:
// `main(argv, io)` runs the program of src/cli/program.ts in-process (tests use it); cli.ts runs it
// as the process.
import { run } from '@x/http-core/cli';
import type { FleetApp } from './app.js';
import { createFleetProgram } from './cli/program.js';
import type { ProgressStream } from './progress.js';

export { createFleetProgram } from './cli/program.js';
export type { ProgramHooks } from './cli/program.js';

export interface CliIo {
  stdout: ProgressStream;
  stderr: ProgressStream;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Aborted on SIGINT/SIGTERM: a running server stops and main resolves. */
  signal?: AbortSignal;
  /** Called with the running app (tests use it to reach the server). */
  onStarted?: (app: FleetApp) => void;
}

/** Runs the CLI; resolves with the exit code (0 ok, 1 failure, 2 usage, 78 configuration). */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const program = createFleetProgram({ cwd: io.cwd, onStarted: io.onStarted, progress: io.stderr });
  return run(program, {
    argv,
    env: io.env ?? process.env,
    stdout: io.stdout,
    stderr: io.stderr,
    ...(io.signal === undefined ? {} : { signal: io.signal }),
  });
}
