/** `comap command`: sends one command to a unit (validated first; never retried). */
import { UsageError, defineCommand, type CommandSpec } from '@x/http-core/cli';
import { validateCommand, type ComapCommand } from '../command.js';
import { CREDENTIAL_OPTIONS, clientFor, type ClientDefaults } from './credentials.js';
import { UNIT_ARG, resolveUnit, withClient } from './unit.js';

interface CommandFlags {
  json: string | undefined;
  mode: string | undefined;
  index: number | undefined;
  action: string | undefined;
  value: string | undefined;
  guid: string | undefined;
  timer: string | undefined;
}

function parseJson(text: string, option: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UsageError(`--${option} must be a JSON object`);
  }
}

function parseValue(text: string): number | string {
  return text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
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
    if (flags.value !== undefined) input.value = name === 'extValue' ? Number(flags.value) : parseValue(flags.value);
    if (flags.timer !== undefined) input.action = parseJson(flags.timer, 'timer');
  }
  try {
    validateCommand(input);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return input as unknown as ComapCommand;
}

export function commandCommand(defaults: ClientDefaults): CommandSpec<never, never> {
  return defineCommand({
    name: 'command',
    summary: 'Send a command to a unit (start, stop, changeMode, ...); prints the API\'s answer.',
    description: 'Commands are never retried (a genset must not start twice). Success means the API accepted the command.',
    args: [UNIT_ARG, { name: 'name', required: false, description: 'start, stop, faultReset, changeMcb, changeGcb, changeMode, userButton, remoteSwitch, extValue, setTimer, changeSetpoint' }],
    options: {
      ...CREDENTIAL_OPTIONS,
      json: { type: 'string', description: 'the whole command as JSON ({"command":"start"})' },
      mode: { type: 'string', description: 'changeMode: the mode (OFF, MAN, AUT, ...)' },
      index: { type: 'integer', min: 1, description: 'userButton, remoteSwitch, extValue, setTimer: which one' },
      action: { type: 'string', description: 'userButton: start|stop|toggle|pulse; remoteSwitch: start|stop' },
      value: { type: 'string', description: 'extValue, changeSetpoint: the value' },
      guid: { type: 'string', description: 'changeSetpoint: the setpoint\'s value GUID' },
      timer: { type: 'string', valueName: 'json', description: 'setTimer: the timer as JSON' },
    },
    examples: ['comap command Westport start', 'comap command Westport changeMode --mode man', 'comap command Westport --json \'{"command":"userButton","index":2,"action":"pulse"}\''],
    run: ({ options, args, stdout, signal }) => {
      const command = commandFromFlags(args.name, options);
      return withClient(clientFor(options, defaults), async (client) => {
        const guid = await resolveUnit(client, args.unit, signal);
        stdout.json({ unitGuid: guid, ...(await client.command(guid, command, { signal })) });
      });
    },
  });
}
