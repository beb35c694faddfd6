/** @x/http-core/cli: the command-line kit every `@x` CLI is built on (no undici in this entry). */
export { ConfigError, EXIT_CODES, UsageError, isConfigError, isUsageError } from './errors.js';
export { defineCommand, defineProgram } from './spec.js';
export type { ArgSpec, ArgValues, CommandContext, CommandSpec, OptionSpec, OptionSpecs, OptionValues, ProgramSpec } from './spec.js';
export { convertValue, parseDuration } from './values.js';
export type { OptionType, OptionTypeMap, ValueRules } from './values.js';
export { createOutput, csvField } from './output.js';
export type { Output, WritableLike } from './output.js';
export { formatCommandHelp, formatProgramHelp } from './help.js';
export { run } from './run.js';
export type { CliIo } from './run.js';
export { Interrupted, main } from './main.js';
export type { MainOptions } from './main.js';
