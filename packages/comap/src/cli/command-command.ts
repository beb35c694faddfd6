/** `comap command`: sends one command to a unit (validated first; confirmed; never retried). */
import { UsageError, defineCommand, type CommandSpec } from '@x/http-core/cli';
import { validateCommand, type ComapCommand } from '../command.js';
import { commandEffect } from '../command-effect.js';
import { ComapCommandRefusedError } from '../errors.js';
import { sendOnce } from './command-send.js';
import { sendAndWait } from './command-wait.js';
import type { WSV } from '../wsv.js';
import type { Confirm } from './confirm.js';
import { CREDENTIAL_OPTIONS, clientFor, type ClientDefaults, type CliSettings } from './credentials.js';
import { UNIT_ARG, resolveUnit, withClient } from './unit.js';

interface CommandFlags {
  json: string | undefined;
  mode: string | undefined;
  index: number | undefined;
  action: string | undefined;
  value: string | undefined;
  number: boolean;
  guid: string | undefined;
  timer: string | undefined;
}

/** A decimal number as people type it (no hex, no empty string, no "Infinity"). */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function parseJson(text: string, option: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UsageError(`--${option} must be a JSON object`);
  }
}

/** `--value` as typed: text unless a number is needed (`extValue`) or asked for (`--number`). */
function parseValue(name: string, text: string, asNumber: boolean): number | string {
  if (text.trim() === '') throw new UsageError('--value must not be empty');
  if (name !== 'extValue' && !asNumber) return text;
  if (!DECIMAL.test(text.trim())) throw new UsageError(`--value must be a decimal number ${name === 'extValue' ? 'for extValue' : 'with --number'}, got ${JSON.stringify(text.slice(0, 40))}`);
  return Number(text.trim());
}

/** The command the flags describe, validated (a mistake is a usage error: nothing is sent). */
export function commandFromFlags(name: string | undefined, flags: CommandFlags): ComapCommand {
  let input: Record<string, unknown>;
  if (flags.json !== undefined) input = parseJson(flags.json, 'json') as Record<string, unknown>;
  else if (name === undefined) throw new UsageError('missing command name (start, stop, changeMode, ...) or --json');
  else {
    input = { command: name };
    if (flags.mode !== undefined) input.mode = flags.mode;
    if (flags.index !== undefined) input.index = flags.index;
    if (flags.action !== undefined) input.action = flags.action;
    if (flags.guid !== undefined) input.guid = flags.guid;
    if (flags.value !== undefined) input.value = parseValue(name, flags.value, flags.number);
    if (flags.timer !== undefined) input.action = parseJson(flags.timer, 'timer');
  }
  try {
    return validateCommand(input) as unknown as ComapCommand;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Goes ahead with `--yes`, after a "yes" on a terminal, and never without one of them. */
async function confirmed(what: string, yes: boolean, confirm: Confirm | undefined, signal: AbortSignal): Promise<boolean> {
  if (yes) return true;
  if (confirm === undefined) throw new UsageError(`${what}: confirm with --yes (no terminal to ask on), or see the request with --dry-run`);
  return confirm(`${what}?`, signal);
}

/** The command as the unit allows it (changeMode: an available mode, with control permission); a mode it lacks is a usage error. */
async function checked(client: WSV, guid: string, command: ComapCommand, signal: AbortSignal): Promise<ComapCommand> {
  try {
    return await client.checkCommand(guid, command, { signal });
  } catch (error) {
    if (error instanceof ComapCommandRefusedError && error.category === 'input') throw new UsageError(error.message);
    throw error;
  }
}

export function commandCommand(defaults: ClientDefaults, settings: CliSettings): CommandSpec<never, never> {
  return defineCommand({
    name: 'command',
    summary: 'Send a command to a unit (start, stop, changeMode, ...); prints the API\'s answer.',
    description:
      'Commands are never retried (a genset must not start twice). Success means the API accepted the command; a lost answer (the unit may have acted) exits 4 and is not sent again. The unit must be named unambiguously; on a terminal you are asked to confirm, elsewhere --yes is required.',
    args: [UNIT_ARG, { name: 'name', required: false, description: 'start, stop, faultReset, changeMcb, changeGcb, changeMode, userButton, remoteSwitch, extValue, setTimer, changeSetpoint' }],
    options: {
      ...CREDENTIAL_OPTIONS,
      json: { type: 'string', description: 'the whole command as JSON ({"command":"start"})' },
      mode: { type: 'string', description: 'changeMode: the mode (OFF, MAN, AUT, ...)' },
      index: { type: 'integer', min: 1, description: 'userButton, remoteSwitch, extValue, setTimer: which one' },
      action: { type: 'string', description: 'userButton: start|stop|toggle|pulse; remoteSwitch: start|stop' },
      value: { type: 'string', description: 'extValue, changeSetpoint: the value, sent as the text typed (extValue: a number)' },
      number: { type: 'boolean', default: false, description: 'changeSetpoint: send --value as a number' },
      guid: { type: 'string', description: 'changeSetpoint: the setpoint\'s value GUID' },
      timer: { type: 'string', valueName: 'json', description: 'setTimer: the timer as JSON' },
      yes: { type: 'boolean', short: 'y', default: false, description: 'send without asking (required when not on a terminal)' },
      'dry-run': { type: 'boolean', default: false, description: 'print the request that would be sent, send nothing' },
      wait: { type: 'boolean', default: false, description: 'changeMode, start, stop: read the unit until the mode or engine state shows the command (exit 3 if not within --timeout)' },
      timeout: { type: 'duration', default: 60_000, description: 'with --wait: how long to wait for the effect' },
    },
    examples: ['comap command "Westport Hospital 1" start --wait --timeout 2m', 'comap command Westport changeMode --mode man --yes', 'comap command Westport --json \'{"command":"userButton","index":2,"action":"pulse"}\' --dry-run'],
    run: ({ options, env, args, stdout, stderr, signal }) => {
      const flagged = commandFromFlags(args.name, options);
      if (options.wait && commandEffect(flagged) === undefined) throw new UsageError(`--wait: ${flagged.command} has no effect to wait for (changeMode, start and stop have)`);
      return withClient(clientFor(options, defaults, env), async (client) => {
        const guid = await resolveUnit(client, args.unit, signal);
        const command = await checked(client, guid, flagged, signal);
        if (options['dry-run']) {
          stdout.json({ dryRun: true, method: 'POST', path: `/v1.1/${encodeURIComponent(client.loginId)}/units/${guid}/command`, body: command });
          return;
        }
        if (!(await confirmed(`send ${JSON.stringify(command)} to ${args.unit === guid ? guid : `${JSON.stringify(args.unit)} (${guid})`}`, options.yes, settings.confirm, signal))) {
          stderr.line('not sent');
          return 1;
        }
        if (!options.wait) {
          return sendOnce(client, guid, command, { stdout, stderr, signal });
        }
        return sendAndWait(client, guid, command, options.timeout, { stdout, stderr, signal });
      });
    },
  });
}
