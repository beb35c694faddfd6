/** `--help` text generated from the specs, so it never drifts from what the parser accepts. */
import type { ArgSpec, CommandSpec, OptionSpec, OptionSpecs, ProgramSpec } from './spec.js';

const BUILT_IN: OptionSpecs = {
  help: { type: 'boolean', short: 'h', description: 'show this help' },
  verbose: { type: 'boolean', description: 'print stack traces of errors (also DEBUG=1)' },
};

function columns(rows: readonly (readonly [string, string])[]): string {
  const width = Math.min(32, Math.max(...rows.map(([left]) => left.length)));
  return rows.map(([left, right]) => (left.length > width ? `  ${left}\n  ${' '.repeat(width)}  ${right}` : `  ${left.padEnd(width)}  ${right}`)).join('\n');
}

function placeholder(spec: OptionSpec): string {
  if (spec.valueName !== undefined) return `<${spec.valueName}>`;
  if (spec.choices !== undefined) return `<${spec.choices.join('|')}>`;
  return spec.type === 'list' ? '<a,b,...>' : `<${spec.type}>`;
}

function optionRow(name: string, spec: OptionSpec): [string, string] {
  const flag = `${spec.short === undefined ? '    ' : `-${spec.short}, `}--${name}${spec.type === 'boolean' ? '' : ` ${placeholder(spec)}`}`;
  const notes: string[] = [];
  if (spec.required === true) notes.push('required');
  if (spec.default !== undefined && spec.default !== false) notes.push(`default: ${Array.isArray(spec.default) ? spec.default.join(',') : String(spec.default)}`);
  if (spec.env !== undefined) notes.push(`env: ${spec.env}`);
  return [flag, `${spec.description}${notes.length === 0 ? '' : ` (${notes.join('; ')})`}`];
}

function argUsage(arg: ArgSpec): string {
  const inner = `<${arg.name}>${arg.variadic === true ? '...' : ''}`;
  return arg.required === false ? `[${inner}]` : inner;
}

function optionsSection(options: OptionSpecs): string {
  return `Options:\n${columns(Object.entries({ ...options, ...BUILT_IN }).map(([name, spec]) => optionRow(name, spec)))}\n`;
}

/** Help of one command: usage line, description, arguments, options (the program's included), examples. */
export function formatCommandHelp(program: ProgramSpec, command: CommandSpec): string {
  const args = command.args ?? [];
  const parts = [`Usage: ${program.name} ${command.name}${args.map((a) => ` ${argUsage(a)}`).join('')} [options]\n`, `${command.description ?? command.summary}\n`];
  if (args.length > 0) parts.push(`Arguments:\n${columns(args.map((a) => [argUsage(a), a.description]))}\n`);
  parts.push(optionsSection({ ...program.options, ...command.options }));
  if (command.examples !== undefined && command.examples.length > 0) parts.push(`Examples:\n${command.examples.map((e) => `  ${e}`).join('\n')}\n`);
  return parts.join('\n');
}

/** Help of the program (or of a command group such as `thinq connect`): its commands and options. */
export function formatProgramHelp(program: ProgramSpec, group = ''): string {
  const prefix = group === '' ? '' : `${group} `;
  const commands = (program.commands as readonly CommandSpec[]).filter((c) => c.name.startsWith(prefix));
  const usage = `Usage: ${program.name} ${prefix}<command> [options]\n`;
  const parts = [usage, `${program.summary}\n`, `Commands:\n${columns(commands.map((c) => [c.name, c.summary]))}\n`];
  const options = { ...program.options, ...(group === '' ? { version: { type: 'boolean', description: 'print the version' } as OptionSpec } : {}) };
  parts.push(optionsSection(options));
  const env = Object.entries(program.environment ?? {});
  if (env.length > 0) parts.push(`Environment:\n${columns(env)}\n`);
  parts.push(`Run '${program.name} ${prefix}<command> --help' for a command's arguments and options.\n`);
  return parts.join('\n');
}
