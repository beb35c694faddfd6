/** Turns argv into a command and its typed options and arguments (no Node parseArgs: its messages are not ours). */
import { ConfigError, UsageError } from './errors.js';
import type { CommandSpec, OptionSpec, OptionSpecs, ProgramSpec } from './spec.js';
import { closestMatch } from './suggest.js';
import { convertValue, quote } from './values.js';

export type ParsedCommandLine =
  | { kind: 'help'; command: CommandSpec | undefined; group: string }
  | { kind: 'version' }
  | { kind: 'run'; command: CommandSpec; options: Record<string, unknown>; args: Record<string, unknown>; verbose: boolean; secrets: string[] };

const NEGATIVE_NUMBER = /^-\d+(\.\d+)?$/;

/** Finds the command named by the leading words of argv (`connect ls`); the rest are its tokens. */
function findCommand(program: ProgramSpec, argv: readonly string[]): { command: CommandSpec | undefined; group: string; rest: string[]; error?: string } {
  const commands = program.commands as readonly CommandSpec[];
  const words: string[] = [];
  let i = 0;
  while (i < argv.length && !(argv[i] as string).startsWith('-')) {
    const next = [...words, argv[i] as string].join(' ');
    if (!commands.some((c) => c.name === next || c.name.startsWith(`${next} `))) break;
    words.push(argv[i] as string);
    i += 1;
    if (commands.some((c) => c.name === next)) break;
  }
  const group = words.join(' ');
  const command = commands.find((c) => c.name === group);
  const rest = argv.slice(i);
  if (command !== undefined) return { command, group, rest };
  const first = rest[0];
  if (first === undefined || first.startsWith('-')) return { command: undefined, group, rest };
  const siblings = commands.filter((c) => group === '' || c.name.startsWith(`${group} `)).map((c) => c.name.split(' ')[words.length] as string);
  const hint = closestMatch(first, new Set(siblings));
  const where = group === '' ? program.name : `${program.name} ${group}`;
  return { command: undefined, group, rest, error: `unknown command '${first}' for '${where}'${hint === undefined ? '' : ` (did you mean '${hint}'?)`}` };
}

interface Cursor {
  tokens: readonly string[];
  index: number;
}

function takeValue(cursor: Cursor, label: string, inline: string | undefined): string {
  if (inline !== undefined) return inline;
  const next = cursor.tokens[cursor.index + 1];
  if (next === undefined || (next.startsWith('-') && next !== '-' && !NEGATIVE_NUMBER.test(next))) throw new UsageError(`${label} needs a value`);
  cursor.index += 1;
  return next;
}

function setValue(values: Record<string, unknown>, name: string, spec: OptionSpec, text: string, label: string): void {
  const value = convertValue(spec.type, text, label, spec, (m) => new UsageError(m));
  if (spec.type === 'list') values[name] = [...((values[name] as string[] | undefined) ?? []), ...(value as string[])];
  else values[name] = value;
}

interface Scan {
  values: Record<string, unknown>;
  positionals: string[];
  help: boolean;
  version: boolean;
  verbose: boolean;
}

function readLongOption(cursor: Cursor, token: string, options: OptionSpecs, scan: Scan, where: string): void {
  const eq = token.indexOf('=');
  const name = token.slice(2, eq === -1 ? undefined : eq);
  const inline = eq === -1 ? undefined : token.slice(eq + 1);
  if (name === 'help' || name === 'version' || name === 'verbose') {
    if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
    scan[name] = true;
    return;
  }
  const spec = Object.hasOwn(options, name) ? options[name] : undefined;
  if (spec === undefined) {
    const negated = name.startsWith('no-') ? options[name.slice(3)] : undefined;
    if (negated?.type === 'boolean' && inline === undefined) {
      scan.values[name.slice(3)] = false;
      return;
    }
    const hint = closestMatch(name, Object.keys(options));
    throw new UsageError(`unknown option --${name} for '${where}'${hint === undefined ? '' : ` (did you mean --${hint}?)`}`);
  }
  if (spec.type === 'boolean' && inline === undefined) scan.values[name] = true;
  else setValue(scan.values, name, spec, takeValue(cursor, `--${name}`, inline), `--${name}`);
}

function readShortOptions(cursor: Cursor, token: string, options: OptionSpecs, scan: Scan, where: string): void {
  for (let i = 1; i < token.length; i += 1) {
    const letter = token[i] as string;
    if (letter === 'h') {
      scan.help = true;
      continue;
    }
    const entry = Object.entries(options).find(([, o]) => o.short === letter);
    if (entry === undefined) throw new UsageError(`unknown option -${letter} for '${where}'`);
    const [name, spec] = entry;
    if (spec.type === 'boolean') {
      scan.values[name] = true;
      continue;
    }
    // `-cKR` or `-c KR`: the rest of the token is the value.
    const rest = token.slice(i + 1);
    setValue(scan.values, name, spec, takeValue(cursor, `-${letter}`, rest === '' ? undefined : rest), `--${name}`);
    return;
  }
}

function scanTokens(tokens: readonly string[], options: OptionSpecs, where: string): Scan {
  const scan: Scan = { values: {}, positionals: [], help: false, version: false, verbose: false };
  const cursor: Cursor = { tokens, index: 0 };
  for (; cursor.index < tokens.length; cursor.index += 1) {
    const token = tokens[cursor.index] as string;
    if (token === '--') {
      scan.positionals.push(...tokens.slice(cursor.index + 1));
      break;
    }
    if (token.startsWith('--')) readLongOption(cursor, token, options, scan, where);
    else if (token.startsWith('-') && token !== '-' && !NEGATIVE_NUMBER.test(token)) readShortOptions(cursor, token, options, scan, where);
    else scan.positionals.push(token);
  }
  return scan;
}

function assignArgs(command: CommandSpec, positionals: readonly string[], where: string): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  const specs = command.args ?? [];
  let i = 0;
  for (const spec of specs) {
    if (spec.variadic === true) {
      args[spec.name] = positionals.slice(i);
      if (spec.required !== false && positionals.length <= i) throw new UsageError(`missing <${spec.name}> for '${where}'`);
      i = positionals.length;
    } else if (i < positionals.length) {
      args[spec.name] = positionals[i];
      i += 1;
    } else if (spec.required !== false) throw new UsageError(`missing <${spec.name}> for '${where}'`);
    else args[spec.name] = undefined;
  }
  if (i < positionals.length) throw new UsageError(`unexpected argument ${quote(positionals[i] as string)} for '${where}'`);
  return args;
}

/** Fills options from the environment and defaults; collects the secret values to scrub. */
function completeOptions(options: OptionSpecs, values: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>, where: string, secrets: string[]): void {
  for (const [name, spec] of Object.entries(options)) {
    const fromEnv = spec.env === undefined ? undefined : env[spec.env];
    if (spec.secret === true && fromEnv !== undefined) secrets.push(fromEnv);
    if (values[name] === undefined && fromEnv !== undefined && fromEnv !== '') {
      // A bad environment value is a configuration error (78), not a usage error.
      values[name] = convertValue(spec.type, fromEnv, spec.env as string, spec, (m) => new ConfigError(m));
    }
    if (spec.secret === true && typeof values[name] === 'string') secrets.push(values[name]);
    if (values[name] === undefined && spec.default !== undefined) values[name] = spec.default;
    if (values[name] === undefined && spec.type === 'boolean') values[name] = false;
    if (values[name] === undefined && spec.required === true) {
      throw new UsageError(`missing --${name} for '${where}'${spec.env === undefined ? '' : ` (or set ${spec.env})`}`);
    }
  }
}

/** The command (or group) path argv names, `''` for none: for the `--help` hint of an error. */
export function commandPathOf(program: ProgramSpec, argv: readonly string[]): string {
  return findCommand(program, argv).group;
}

/** Parses argv against the program: help, version, or a command to run. */
export function parseCommandLine(program: ProgramSpec, argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ParsedCommandLine {
  const found = findCommand(program, argv);
  const where = found.group === '' ? program.name : `${program.name} ${found.group}`;
  const options: OptionSpecs = { ...program.options, ...found.command?.options };
  const end = found.rest.indexOf('--');
  const asksHelp = (end === -1 ? found.rest : found.rest.slice(0, end)).some((t) => t === '--help' || t === '-h');
  // Help wins over every other mistake on the line: it is what a confused user asks for.
  if (asksHelp) return { kind: 'help', command: found.command, group: found.group };
  if (found.error !== undefined) throw new UsageError(found.error);
  const scan = scanTokens(found.rest, found.command === undefined ? (program.options ?? {}) : options, where);
  if (scan.help) return { kind: 'help', command: found.command, group: found.group };
  if (scan.version && found.group === '') return { kind: 'version' };
  if (found.command === undefined) {
    if (scan.version) throw new UsageError(`unknown option --version for '${where}'`);
    throw new UsageError(found.group === '' ? `missing command for '${where}'` : `missing subcommand for '${where}'`);
  }
  if (scan.version) throw new UsageError(`--version is a program option: run '${program.name} --version'`);
  const args = assignArgs(found.command, scan.positionals, where);
  const secrets: string[] = [];
  completeOptions(options, scan.values, env, where, secrets);
  return { kind: 'run', command: found.command, options: scan.values, args, verbose: scan.verbose, secrets };
}
