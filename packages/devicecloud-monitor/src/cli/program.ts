/** The devicecloud-monitor program: its commands on the @x/http-core CLI kit. */
import { defineProgram } from '@x/http-core/cli';
import { VERSION } from '../version.js';
import { ENVIRONMENT } from './client-from-env.js';
import { deletePointsCommand, deleteStreamCommand } from './data-delete.js';
import { historyCommand } from './history.js';
import { inventoryCommand } from './inventory.js';
import { listenCommand, pushClientCommand } from './listen.js';
import { createCommand, deleteCommand, listCommand } from './monitors.js';
import { pointsCommand } from './points.js';
import { simulateCommand } from './simulate.js';

export const program = defineProgram({
  name: 'devicecloud-monitor',
  version: VERSION,
  summary: 'Digi Device Cloud / Remote Manager monitors: REST, TCP/TLS push, and a simulator.',
  environment: ENVIRONMENT,
  secretEnv: ['DC_PASSWORD'],
  commands: [simulateCommand, createCommand, listCommand, deleteCommand, listenCommand, pushClientCommand, pointsCommand, historyCommand, inventoryCommand, deletePointsCommand, deleteStreamCommand],
});
