/** How a failed command is told to the user: one redacted line, the stack only when asked for. */
import { isSensitiveName, redactText } from '../redact.js';
import { EXIT_CODES, UsageError, isConfigError, isUsageError } from './errors.js';

/** Node's own parseArgs errors (a command may still call it) become usage errors in our words. */
export function translateNodeError(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) return error;
  const message = (error as Error).message;
  const option = /'(-[^' ]+)/.exec(message)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UsageError(`unknown option ${option ?? ''}`.trim());
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return new UsageError(/argument missing/.test(message) ? `${option ?? 'an option'} needs a value` : `${option ?? 'an option'} takes no value`);
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UsageError(`unexpected argument ${/'([^']*)'/.exec(message)?.[0] ?? ''}`.trim());
    default:
      return new UsageError('invalid command line');
  }
}

/** Exit code for an error: its own `exitCode` for the kit's errors, else 1. */
export function exitCodeOf(error: unknown): number {
  if (isUsageError(error)) return EXIT_CODES.usage;
  if (isConfigError(error)) return EXIT_CODES.config;
  return EXIT_CODES.failure;
}

/** Values to scrub: the given ones, the program's secret variables and every variable whose name looks secret. */
export function secretsOf(env: Readonly<Record<string, string | undefined>>, secretEnv: readonly string[], extra: readonly string[]): string[] {
  const out = [...extra];
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value !== '' && (secretEnv.includes(name) || isSensitiveName(name))) out.push(value);
  }
  return out;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const message = error.message === '' ? error.name : error.message;
  const code = (error as { code?: unknown }).code;
  const shown = typeof code === 'string' && code !== '' && code !== 'USAGE' && code !== 'CONFIG' && !message.includes(code);
  return shown ? `${message} [${code}]` : message;
}

function stackOf(error: unknown): string {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth += 1) {
    lines.push(depth === 0 ? (current.stack ?? describe(current)) : `Caused by: ${current.stack ?? describe(current)}`);
    current = current.cause;
  }
  return lines.join('\n');
}

/** `comap: error: <message> [CODE]` (plus the redacted stack when verbose), ending with a newline. */
export function formatError(program: string, error: unknown, options: { verbose: boolean; secrets: readonly string[]; hint?: string }): string {
  let text = `${program}: error: ${describe(error)}\n`;
  if (options.hint !== undefined) text += `${options.hint}\n`;
  if (options.verbose && !isUsageError(error)) text += `${stackOf(error)}\n`;
  return redactText(text, options.secrets);
}
