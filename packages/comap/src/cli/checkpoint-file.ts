/** `comap history --checkpoint FILE`: where a long export got to, kept in a file between runs. */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { UsageError } from '@x/http-core/cli';
import type { HistoryCheckpoint } from '../history.js';

/** The checkpoint saved in `file`, or undefined when there is none yet; a file that is not one is a usage error. */
export function loadCheckpoint(file: string): HistoryCheckpoint | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as HistoryCheckpoint;
    if (typeof parsed !== 'object' || parsed === null || typeof parsed.values !== 'object' || parsed.values === null) throw new TypeError('no values');
    return parsed;
  } catch {
    throw new UsageError(`--checkpoint ${file} is not a history checkpoint (delete it to start over)`);
  }
}

/** Writes the checkpoint atomically (a temporary file renamed), so a crash never leaves half of one. */
export function saveCheckpoint(file: string, checkpoint: HistoryCheckpoint): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(checkpoint)}\n`, { mode: 0o600 });
  renameSync(temp, file);
}
