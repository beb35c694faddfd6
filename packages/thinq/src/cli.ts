#!/usr/bin/env node
/** The `thinq` bin: exit codes 0/1/2/78, 130 on SIGINT, 143 on SIGTERM (see `thinq --help`). */
import { main } from '@x/http-core/cli';
import { thinqProgram } from './cli/program.js';

main(thinqProgram()).catch((error: unknown) => {
  process.stderr.write(`thinq: error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
