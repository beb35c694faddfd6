#!/usr/bin/env node
/** The `sepl-connector` bin: the program run as this process (exit codes 0/1/2/78, 130 on SIGINT, 143 on SIGTERM). */
import { main } from '@x/http-core/cli';
import { seplProgram } from './cli/program.js';

main(seplProgram()).catch((error: unknown) => {
  process.stderr.write(`sepl-connector: error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
