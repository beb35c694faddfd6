/** Runs a program against injectable argv/env/streams and resolves to its exit code. */
import { EXIT_CODES, isUsageError } from './errors.js';
import { formatCommandHelp, formatProgramHelp } from './help.js';
import { type Output, type WritableLike, createOutput } from './output.js';
import { commandPathOf, parseCommandLine } from './parse.js';
import { exitCodeOf, formatError, secretsOf, translateNodeError } from './report.js';
import type { CommandContext, CommandSpec, ProgramSpec } from './spec.js';

/** What {@link run} reads and writes: argv (without `node` and the script), environment, streams, abort signal. */
export interface CliIo {
  argv: readonly string[];
  env?: Readonly<Record<string, string | undefined>>;
  stdout: WritableLike;
  stderr: WritableLike;
  /** Aborted on SIGINT/SIGTERM (by `main`); its reason's `exitCode` (130, 143) becomes the exit code. */
  signal?: AbortSignal;
}

const FALSY = new Set(['', '0', 'false', 'no', 'off']);

/** Exit code of a run that was interrupted: the reason's `exitCode`, else 130. */
function interruptedCode(signal: AbortSignal): number {
  const code = (signal.reason as { exitCode?: unknown } | null | undefined)?.exitCode;
  return typeof code === 'number' && Number.isInteger(code) ? code : EXIT_CODES.sigint;
}

/** An error that only says "you aborted me" (DOMException, @x AbortError, Node's ABORT_ERR). */
function isAbortLike(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code, kind } = error as { name?: unknown; code?: unknown; kind?: unknown };
  return name === 'AbortError' || code === 'ABORT_ERR' || kind === 'AbortError';
}

function checkIo(io: CliIo): void {
  if (typeof io !== 'object' || io === null) throw new TypeError('io must be an object');
  if (!Array.isArray(io.argv) || !io.argv.every((a) => typeof a === 'string')) throw new TypeError('io.argv must be an array of strings');
  if (typeof io.stdout?.write !== 'function') throw new TypeError('io.stdout must have a write method');
  if (typeof io.stderr?.write !== 'function') throw new TypeError('io.stderr must have a write method');
}

async function runCommand(program: ProgramSpec, command: CommandSpec, context: CommandContext, external: AbortSignal | undefined): Promise<number> {
  // A running command is pending work: it holds the event loop even while it only awaits a signal
  // or an unref'd timer, so a CLI can never exit 0 in the middle of its work.
  const keepAlive = setInterval(() => undefined, 2 ** 31 - 1);
  let code: void | number;
  try {
    code = await command.run(context);
  } finally {
    clearInterval(keepAlive);
  }
  if (code === undefined) return external?.aborted === true ? interruptedCode(external) : EXIT_CODES.ok;
  if (!Number.isInteger(code) || code < 0 || code > 255) throw new RangeError(`command "${command.name}" of ${program.name} returned exit code ${String(code)}; expected an integer from 0 to 255`);
  return code;
}

/**
 * Parses `io.argv`, prints help or the version, or runs the command. Never throws for a command's
 * failure: errors become `<program>: error: <message>` on stderr and exit codes 1, 2 or 78.
 */
export async function run(program: ProgramSpec, io: CliIo): Promise<number> {
  checkIo(io);
  const env = io.env ?? {};
  const readerGone = new AbortController();
  const stdout: Output = createOutput(io.stdout, () => readerGone.abort());
  const stderr: Output = createOutput(io.stderr);
  let verbose = !FALSY.has((env.DEBUG ?? '').trim().toLowerCase()) || io.argv.includes('--verbose');
  let secrets = secretsOf(env, program.secretEnv ?? [], []);
  try {
    const parsed = parseCommandLine(program, io.argv, env);
    if (parsed.kind === 'version') {
      stdout.line(program.version);
      return EXIT_CODES.ok;
    }
    if (parsed.kind === 'help') {
      stdout.write(parsed.command === undefined ? formatProgramHelp(program, parsed.group) : formatCommandHelp(program, parsed.command));
      return EXIT_CODES.ok;
    }
    verbose ||= parsed.verbose;
    secrets = secretsOf(env, program.secretEnv ?? [], parsed.secrets);
    const signal = io.signal === undefined ? readerGone.signal : AbortSignal.any([io.signal, readerGone.signal]);
    const commandName = `${program.name} ${parsed.command.name}`;
    const context = { options: parsed.options, args: parsed.args, env, stdout, stderr, signal, commandName, verbose } as CommandContext;
    return await runCommand(program, parsed.command, context, io.signal);
  } catch (thrown) {
    // Once interrupted (a signal, or the reader of stdout left), the abort error is the expected end.
    if (isAbortLike(thrown)) {
      if (io.signal?.aborted === true) return interruptedCode(io.signal);
      if (readerGone.signal.aborted) return EXIT_CODES.ok;
    }
    const error = translateNodeError(thrown);
    const path = commandPathOf(program, io.argv);
    const hint = isUsageError(error) ? `Run '${program.name}${path === '' ? '' : ` ${path}`} --help' for usage.` : undefined;
    stderr.write(formatError(program.name, error, { verbose, secrets, ...(hint === undefined ? {} : { hint }) }));
    return exitCodeOf(error);
  }
}
