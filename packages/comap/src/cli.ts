#!/usr/bin/env node
/** The `comap` bin: the program run as this process (exit codes 0/1/2/78, 130 on SIGINT, 143 on SIGTERM). */
import { main } from '@x/http-core/cli';
import { terminalConfirm } from './cli/confirm.js';
import { comapProgram } from './cli/program.js';

const confirm = terminalConfirm();

main(comapProgram({}, { ...(confirm ? { confirm } : {}) })).catch((error: unknown) => {
  process.stderr.write(`comap: error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
