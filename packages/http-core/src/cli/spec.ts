/** Declarative command specs: options, positional arguments and the program that groups commands. */
import type { Output } from './output.js';
import type { OptionType, OptionTypeMap } from './values.js';

/** One `--option` of a command or program: its type, help text, default, environment variable and limits. */
export interface OptionSpec<T extends OptionType = OptionType> {
  type: T;
  /** One line for `--help`. */
  description: string;
  /** One letter: `-f` for `--format`. */
  short?: string;
  required?: boolean;
  default?: OptionTypeMap[T];
  /** Environment variable read when the option is not on the command line. */
  env?: string;
  /** Allowed values (for `list`, of every item). */
  choices?: readonly string[];
  /** Lowest and highest number (durations: in milliseconds). */
  min?: number;
  max?: number;
  /** Its value (and its environment variable's) is scrubbed from every error message. */
  secret?: boolean;
  /** Placeholder in `--help` (`--out <dir>`); default the type or the choices. */
  valueName?: string;
}

/** One positional argument of a command (`name` is shown in the usage line). */
export interface ArgSpec {
  name: string;
  description: string;
  /** Default true. */
  required?: boolean;
  /** Takes every remaining positional (only the last argument). */
  variadic?: boolean;
}

/** A command's options by their long name (`format` for `--format`). */
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** Options as the command receives them: required or defaulted ones are always set. */
export type OptionValues<O extends OptionSpecs> = {
  -readonly [K in keyof O]: O[K] extends { type: infer T extends OptionType }
    ? O[K] extends { required: true } | { default: unknown } | { type: 'boolean' }
      ? OptionTypeMap[T]
      : OptionTypeMap[T] | undefined
    : never;
};

/** Positional arguments by name: variadic ones are arrays, optional ones may be undefined. */
export type ArgValues<A extends readonly ArgSpec[]> = {
  [S in A[number] as S['name']]: S extends { variadic: true } ? string[] : S extends { required: false } ? string | undefined : string;
};

/** What a command's `run` gets. */
export interface CommandContext<O extends OptionSpecs = OptionSpecs, A extends readonly ArgSpec[] = readonly ArgSpec[]> {
  options: OptionValues<O>;
  args: ArgValues<A>;
  env: Readonly<Record<string, string | undefined>>;
  stdout: Output;
  stderr: Output;
  /** Aborted on SIGINT/SIGTERM and when stdout's reader goes away (EPIPE): stop and return. */
  signal: AbortSignal;
  /** `comap values`: the program and command path, for messages. */
  commandName: string;
  /** `--verbose` was given (or DEBUG is set). */
  verbose: boolean;
}

/** One command: its name, help texts, options, arguments and `run` (see {@link defineCommand}). */
export interface CommandSpec<O extends OptionSpecs = OptionSpecs, A extends readonly ArgSpec[] = readonly ArgSpec[]> {
  /** One word, or words separated by spaces for a group (`connect ls`). */
  name: string;
  summary: string;
  /** Paragraph under the usage line of `--help`. */
  description?: string;
  args?: A;
  options?: O;
  /** Extra lines at the end of `--help` (examples). */
  examples?: readonly string[];
  /** Resolves to the exit code (default 0). */
  run(context: CommandContext<O, A>): void | number | Promise<void | number>;
}

/** A whole CLI: its name, version, shared options and commands (see {@link defineProgram}). */
export interface ProgramSpec {
  name: string;
  version: string;
  summary: string;
  /** Every command gets these too (e.g. `--base-url`). */
  options?: OptionSpecs;
  commands: readonly CommandSpec<never, never>[];
  /** Environment variables described in the program's `--help`: name → description. */
  environment?: Readonly<Record<string, string>>;
  /** Names of further environment variables whose values are scrubbed from error messages. */
  secretEnv?: readonly string[];
}

/** Keeps the option and argument types of a command (call it per command; `run` is checked against them). */
export function defineCommand<const O extends OptionSpecs = Record<never, never>, const A extends readonly ArgSpec[] = readonly []>(
  spec: CommandSpec<O, A>,
): CommandSpec<never, never> {
  checkCommand(spec);
  return spec as unknown as CommandSpec<never, never>;
}

const RESERVED = new Set(['help', 'version', 'verbose']);
const OPTION_NAME = /^[a-z][a-z0-9-]*$/;
const COMMAND_WORD = /^[a-z][a-z0-9-]*$/;

/** Checks a program's commands and options once, so a mistake in a spec fails at startup, not on a user. */
export function defineProgram<const P extends ProgramSpec>(spec: P): P {
  if (typeof spec !== 'object' || spec === null) throw new TypeError('program must be an object');
  if (typeof spec.name !== 'string' || !COMMAND_WORD.test(spec.name)) throw new TypeError(`program name must be a lower-case word, got ${String(spec.name)}`);
  if (typeof spec.version !== 'string' || spec.version === '') throw new TypeError('program version must be a non-empty string');
  if (!Array.isArray(spec.commands) || spec.commands.length === 0) throw new TypeError('program commands must be a non-empty array');
  checkOptions(spec.options ?? {}, 'program options');
  const names = new Set<string>();
  for (const command of spec.commands as readonly CommandSpec[]) {
    checkCommand(command);
    if (names.has(command.name)) throw new TypeError(`command "${command.name}" is defined twice`);
    names.add(command.name);
    for (const name of Object.keys(command.options ?? {})) {
      if (spec.options && Object.hasOwn(spec.options, name)) throw new TypeError(`option --${name} of "${command.name}" is also a program option`);
    }
  }
  for (const name of names) {
    if (names.has(name.split(' ')[0] as string) && name.includes(' ')) throw new TypeError(`command "${name.split(' ')[0]}" is also the group of "${name}"`);
  }
  return spec;
}

function checkCommand(spec: CommandSpec): void {
  if (typeof spec !== 'object' || spec === null) throw new TypeError('command must be an object');
  const words = typeof spec.name === 'string' ? spec.name.split(' ') : [];
  if (words.length === 0 || !words.every((w) => COMMAND_WORD.test(w))) throw new TypeError(`command name must be lower-case words, got ${String(spec.name)}`);
  if (typeof spec.run !== 'function') throw new TypeError(`command "${spec.name}" needs a run function`);
  checkOptions(spec.options ?? {}, `options of "${spec.name}"`);
  const args = spec.args ?? [];
  args.forEach((arg, i) => {
    if (!OPTION_NAME.test(arg.name)) throw new TypeError(`argument name of "${spec.name}" must be a lower-case word, got ${String(arg.name)}`);
    if (arg.variadic === true && i !== args.length - 1) throw new TypeError(`variadic argument <${arg.name}> of "${spec.name}" must be the last`);
    const previous = args[i - 1];
    if (arg.required !== false && previous?.required === false) throw new TypeError(`required argument <${arg.name}> of "${spec.name}" follows an optional one`);
  });
}

function checkOptions(options: OptionSpecs, where: string): void {
  const shorts = new Set<string>(['h']);
  for (const [name, option] of Object.entries(options)) {
    if (!OPTION_NAME.test(name)) throw new TypeError(`${where}: option name must be lower-case (--like-this), got ${name}`);
    if (RESERVED.has(name)) throw new TypeError(`${where}: --${name} is built in`);
    if (!['string', 'number', 'integer', 'boolean', 'duration', 'list'].includes(option.type)) throw new TypeError(`${where}: --${name} has an unknown type ${String(option.type)}`);
    if (option.required === true && option.default !== undefined) throw new TypeError(`${where}: --${name} is required and has a default`);
    if (option.short !== undefined) {
      if (!/^[a-zA-Z]$/.test(option.short) || shorts.has(option.short)) throw new TypeError(`${where}: -${option.short} of --${name} must be one unused letter`);
      shorts.add(option.short);
    }
  }
}
