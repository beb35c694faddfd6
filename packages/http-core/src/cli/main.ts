/** The process wiring of a CLI: real argv/env/streams, SIGINT/SIGTERM, and `process.exitCode`. */
import { EXIT_CODES } from './errors.js';
import { type CliIo, run } from './run.js';
import type { ProgramSpec } from './spec.js';

const SIGNAL_CODES = { SIGINT: EXIT_CODES.sigint, SIGTERM: EXIT_CODES.sigterm } as const;

/** The abort reason `main` uses: which signal stopped the command, and the exit code it means. */
export class Interrupted extends Error {
  readonly code: string;
  readonly exitCode: number;

  constructor(signal: keyof typeof SIGNAL_CODES) {
    super(`interrupted by ${signal}`);
    this.name = 'AbortError';
    this.code = signal;
    this.exitCode = SIGNAL_CODES[signal];
  }
}

/** Options of {@link main}: stand-ins for the process's argv, env and streams (tests), and the process itself. */
export interface MainOptions extends Partial<CliIo> {
  /** The process to wire (tests pass a stand-in); default the real one. */
  process?: Pick<NodeJS.Process, 'on' | 'off' | 'exit' | 'argv' | 'env' | 'stdout' | 'stderr'> & { exitCode?: NodeJS.Process['exitCode'] };
}

/**
 * Runs the program as the process: the first SIGINT/SIGTERM aborts the command's signal (exit
 * code 130/143 once it returned), a second one exits at once. Sets `process.exitCode` and lets
 * Node exit by itself, so pending output is flushed; never calls `process.exit` otherwise.
 */
export async function main(program: ProgramSpec, options: MainOptions = {}): Promise<number> {
  const proc = options.process ?? process;
  const controller = new AbortController();
  const onSignal = (signal: keyof typeof SIGNAL_CODES): void => {
    if (controller.signal.aborted) {
      proc.exit(SIGNAL_CODES[signal]);
      return;
    }
    controller.abort(new Interrupted(signal));
  };
  const onInt = (): void => onSignal('SIGINT');
  const onTerm = (): void => onSignal('SIGTERM');
  proc.on('SIGINT', onInt);
  proc.on('SIGTERM', onTerm);
  const external = options.signal;
  const signal = external === undefined ? controller.signal : AbortSignal.any([external, controller.signal]);
  try {
    const code = await run(program, {
      argv: options.argv ?? proc.argv.slice(2),
      env: options.env ?? proc.env,
      stdout: options.stdout ?? proc.stdout,
      stderr: options.stderr ?? proc.stderr,
      signal,
    });
    proc.exitCode = code;
    return code;
  } finally {
    proc.off('SIGINT', onInt);
    proc.off('SIGTERM', onTerm);
  }
}
