/** The `sepl-connector` program on @x/http-core's CLI kit. */
import { defineProgram, type ProgramSpec } from '@x/http-core/cli';
import { VERSION } from '../version.js';
import { averageCommand } from './average-command.js';
import { eventCommand } from './event-command.js';
import { runCommand } from './run-command.js';
import { simulateCommand } from './simulate-command.js';

export function seplProgram(): ProgramSpec {
  return defineProgram({
    name: 'sepl-connector',
    version: VERSION,
    summary: 'A SEPL / SENERGY gateway from the command line: run a connector, send events, query averages; and a simulator.',
    secretEnv: ['CONNECTOR_PASSWORD'],
    environment: {
      CONNECTOR_LOOKUP_URL: 'lookup endpoint that answers the websocket URL',
      CONNECTOR_DEVICE_REGISTRATION_PATH: 'G1 registration path (default discovery)',
      CONNECTOR_HTTPS: 'true: https:/wss: even when the lookup says ws:',
      CONNECTOR_USER: 'platform user',
      CONNECTOR_PASSWORD: 'platform password (never printed)',
      LOGLEVEL: 'debug, info, warning, error or critical',
    },
    commands: [simulateCommand, runCommand, eventCommand, averageCommand],
  });
}
