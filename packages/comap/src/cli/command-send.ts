/**
 * `comap command` without `--wait`: send once and print the answer. A lost answer (the unit may
 * have acted) gets its own exit code so a script can tell it from a command that surely failed.
 */
import type { Output } from '@x/http-core/cli';
import type { ComapCommand } from '../command.js';
import { commandEffect } from '../command-effect.js';
import { ComapCommandOutcomeUnknownError } from '../errors.js';
import type { WSV } from '../wsv.js';

/** Exit code when the command went out but its answer was lost: it may have been executed. */
export const EXIT_OUTCOME_UNKNOWN = 4;

interface Io {
  stdout: Output;
  stderr: Output;
  signal: AbortSignal;
}

/**
 * Sends `command` once. Prints `{ unitGuid, status, body }` and returns 0 when answered; on a lost
 * answer prints the error with how to read the unit (nothing on stdout, nothing sent again) and
 * returns EXIT_OUTCOME_UNKNOWN. Any other error is thrown (exit 1 through the CLI kit).
 */
export async function sendOnce(client: WSV, unitGuid: string, command: ComapCommand, { stdout, stderr, signal }: Io): Promise<number> {
  try {
    stdout.json({ unitGuid, ...(await client.command(unitGuid, command, { signal })) });
    return 0;
  } catch (error) {
    if (!(error instanceof ComapCommandOutcomeUnknownError)) throw error;
    const effect = commandEffect(command);
    const read = `comap values ${unitGuid}${effect === undefined ? '' : ` --guids ${effect.valueGuid}`}`;
    stderr.line(`comap: error: ${error.message}; not sent again (outcome unknown, exit ${EXIT_OUTCOME_UNKNOWN}): \`${read}\` shows whether it acted [${error.code}]`);
    return EXIT_OUTCOME_UNKNOWN;
  }
}
