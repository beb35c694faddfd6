#!/usr/bin/env node
/**
 * devicecloud-monitor CLI on the @x/http-core CLI kit: `simulate`, `create`, `list`, `delete`,
 * `listen`. Exit codes: 0 ok, 1 failure, 2 usage, 78 configuration, 130/143 interrupted.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineProgram, main } from '@x/http-core/cli';
import { ENVIRONMENT } from './cli/client-from-env.js';
import { listenCommand } from './cli/listen.js';
import { createCommand, deleteCommand, listCommand } from './cli/monitors.js';
import { simulateCommand } from './cli/simulate.js';
import { VERSION } from './version.js';

export const program = defineProgram({
  name: 'devicecloud-monitor',
  version: VERSION,
  summary: 'Digi Device Cloud / Remote Manager monitors: REST, TCP/TLS push, and a simulator.',
  environment: ENVIRONMENT,
  secretEnv: ['DC_PASSWORD'],
  commands: [simulateCommand, createCommand, listCommand, deleteCommand, listenCommand],
});

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) void main(program);
