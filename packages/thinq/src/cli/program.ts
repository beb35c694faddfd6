/** The `thinq` program: v1 and Connect commands (also as `thinq v1 …` / `thinq connect …`) and `simulate`. */
import { createInterface } from 'node:readline/promises';
import { defineCommand, defineProgram, type CommandSpec, type ProgramSpec } from '@x/http-core/cli';
import { VERSION } from '../version.js';
import { connectCommands, listConnectDevices } from './connect-commands.js';
import { CONNECT_OPTIONS, V1_OPTIONS } from './options.js';
import { simulateCommand } from './simulate-command.js';
import { listV1Devices, v1Commands, type ReadLine } from './v1-commands.js';

/** Reads one line from stdin (the prompt goes to stderr); undefined at end of input. */
const readStdinLine: ReadLine = async (prompt) => {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(prompt);
  } catch {
    return undefined;
  } finally {
    rl.close();
  }
};

function lsCommands(): CommandSpec<never, never>[] {
  return [
    defineCommand({
      name: 'ls',
      summary: 'List devices: Connect when a PAT is given (--pat/THINQ_PAT), else v1.',
      options: { ...V1_OPTIONS, ...CONNECT_OPTIONS },
      async run({ options, stdout, stderr, signal }) {
        if (options.pat) await listConnectDevices(options, stdout, signal);
        else await listV1Devices(options, stdout, stderr, signal);
      },
    }),
    defineCommand({
      name: 'v1 ls',
      summary: 'List the devices of the v1 account.',
      options: V1_OPTIONS,
      async run({ options, stdout, stderr, signal }) {
        await listV1Devices(options, stdout, stderr, signal);
      },
    }),
    defineCommand({
      name: 'connect ls',
      summary: 'List the devices of the Connect account.',
      options: CONNECT_OPTIONS,
      async run({ options, stdout, signal }) {
        await listConnectDevices(options, stdout, signal);
      },
    }),
  ];
}

export interface ThinqProgramOptions {
  /** Reads the callback URL of `login` (default: a line of stdin). */
  readLine?: ReadLine;
}

/** The program (run it with `main` from @x/http-core/cli, or `run` in tests). */
export function thinqProgram(options: ThinqProgramOptions = {}): ProgramSpec {
  const readLine = options.readLine ?? readStdinLine;
  return defineProgram({
    name: 'thinq',
    version: VERSION,
    summary: 'LG ThinQ v1 (wideq state file) and ThinQ Connect from the command line.',
    secretEnv: ['THINQ_PAT'],
    environment: {
      THINQ_PAT: 'ThinQ Connect personal access token (--pat)',
      THINQ_COUNTRY: 'account country (--country)',
      THINQ_CLIENT_ID: 'Connect client id (--client-id)',
      THINQ_CONNECT_URL: 'Connect API base URL, e.g. a simulator (--connect-url)',
    },
    commands: [
      simulateCommand(),
      ...lsCommands(),
      ...v1Commands('', readLine),
      ...v1Commands('v1 ', readLine),
      ...connectCommands(''),
      ...connectCommands('connect '),
    ],
  });
}
