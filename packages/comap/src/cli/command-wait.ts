/**
 * `comap command --wait`: send, then read the unit until the command shows. A lost answer is not
 * a reason to send again (the unit may have acted): the wait finds out instead.
 */
import type { Output } from '@x/http-core/cli';
import type { ComapCommand } from '../command.js';
import { waitForEffect } from '../command-effect.js';
import { ComapCommandOutcomeUnknownError } from '../errors.js';
import type { WSV } from '../wsv.js';

/** Exit code when the effect did not show within `--timeout` (1 stays "the call failed"). */
export const EXIT_EFFECT_NOT_SEEN = 3;

interface Io {
  stdout: Output;
  stderr: Output;
  signal: AbortSignal;
}

/**
 * Sends `command` once and waits up to `waitInMs` for its effect. Prints one JSON line
 * `{ unitGuid, status?, body?, answer: 'received'|'lost', effect: { seen, expected, value, reads, elapsedInMs } }`.
 * Exit 0 when the effect shows (also after a lost answer), 3 when it does not.
 */
export async function sendAndWait(client: WSV, unitGuid: string, command: ComapCommand, waitInMs: number, { stdout, stderr, signal }: Io): Promise<number> {
  let answer: Record<string, unknown>;
  try {
    answer = { ...(await client.command(unitGuid, command, { signal })), answer: 'received' };
  } catch (error) {
    if (!(error instanceof ComapCommandOutcomeUnknownError)) throw error;
    stderr.line(`comap: warning: ${error.message}; not sending it again, reading the unit instead`);
    answer = { answer: 'lost' };
  }
  const effect = await waitForEffect(client, unitGuid, command, { waitInMs, signal });
  stdout.json({ unitGuid, ...answer, effect });
  if (effect.seen) return 0;
  const why = answer.answer === 'lost' ? 'the command may not have reached the unit' : 'the unit accepted the command but has not acted on it';
  stderr.line(`comap: error: ${effect.expected} not seen within ${Math.round(waitInMs / 1000)} s (last value ${JSON.stringify(effect.value ?? null)}): ${why}`);
  return EXIT_EFFECT_NOT_SEEN;
}
