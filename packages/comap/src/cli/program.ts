/** The `comap` program: every command, built on @x/http-core's CLI kit. */
import { defineProgram, type ProgramSpec } from '@x/http-core/cli';
import { VERSION } from '../version.js';
import { archiveCommand } from './archive-command.js';
import { commandCommand } from './command-command.js';
import type { ClientDefaults, CliSettings } from './credentials.js';
import { downloadCommand } from './download-command.js';
import { historyCommand } from './history-command.js';
import { pollCommand } from './poll-command.js';
import { readCommands } from './read-commands.js';
import { simulateCommand } from './simulate-command.js';
import { tokenCommand } from './token-command.js';

/** The program; `defaults` go into every client it makes (tests: `{ rateLimit: false }`); `settings`: prompt. */
export function comapProgram(defaults: ClientDefaults = {}, settings: CliSettings = {}): ProgramSpec {
  return defineProgram({
    name: 'comap',
    version: VERSION,
    summary: 'ComAp WebSupervisor PRO from the command line: units, values, history, files, commands; and a simulator.',
    secretEnv: ['COMAP_KEY', 'COMAP_SECRET', 'COMAP_TOKEN'],
    environment: {
      COMAP_KEY: 'APIM subscription key',
      COMAP_CLIENT_ID: 'application (client) id',
      COMAP_SECRET: 'application secret',
      COMAP_LOGIN_ID: 'WebSupervisor login',
      COMAP_BASE_URL: 'API origin (default https://api.websupervisor.net)',
      COMAP_TOKEN: 'a bearer token to use as is',
      COMAP_TOKEN_CACHE: 'false: do not keep the token between invocations',
      COMAP_CACHE_DIR: 'where the token is kept (default: the user\'s cache directory)',
    },
    commands: [simulateCommand, ...readCommands(defaults), historyCommand(defaults), downloadCommand(defaults), archiveCommand(defaults), pollCommand(defaults), commandCommand(defaults, settings), tokenCommand(defaults)],
  });
}
