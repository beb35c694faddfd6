#!/usr/bin/env node
// The `fleet` binary: the program on the real process (argv, env, streams, SIGINT/SIGTERM).
import { main } from '@x/http-core/cli';
import { createFleetProgram } from './cli/program.js';

await main(createFleetProgram({ progress: process.stderr }));
