/** Asking "really?" before a command moves a machine: on a terminal only; elsewhere `--yes` says so. */
import { createInterface } from 'node:readline/promises';

/** Asks `question`; resolves true for yes. */
export type Confirm = (question: string, signal: AbortSignal) => Promise<boolean>;

/** A prompt on the process's terminal, or undefined when stdin or stderr is not one (scripts, pipes, CI). */
export function terminalConfirm(): Confirm | undefined {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  return async (question, signal) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      const answer = await rl.question(`${question} [y/N] `, { signal });
      return /^y(es)?$/i.test(answer.trim());
    } finally {
      rl.close();
    }
  };
}
