#!/usr/bin/env node
/**
 * The devicecloud-monitor bin: `simulate`, `create`, `list`, `delete`, `listen` (src/cli/).
 * Exit codes: 0 ok, 1 failure, 2 usage, 78 configuration, 130 SIGINT, 143 SIGTERM.
 */
import { main } from '@x/http-core/cli';
import { program } from './cli/program.js';

void main(program);
