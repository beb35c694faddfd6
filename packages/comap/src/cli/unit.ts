/** `<unit>` on the command line: a unit GUID, or a unit's full name or the unique prefix of one. */
import { UsageError } from '@x/http-core/cli';
import type { WSV } from '../wsv.js';
import { ComapAmbiguousUnitError } from '../errors.js';

const GUID = /^genset[0-9a-f]{32}$/i;

export const UNIT_ARG = { name: 'unit', description: 'unit GUID (genset + 32 hex digits), or its name or the start of it (must match one unit)' } as const;

/**
 * The GUID of `unit`: as given when it is one, else the one unit it names (see `findUnit`). A text
 * that could mean several units is a usage error listing them, so nothing is sent.
 */
export async function resolveUnit(client: WSV, unit: string, signal: AbortSignal): Promise<string> {
  if (GUID.test(unit)) return unit;
  try {
    return (await client.findUnit(unit, { signal })).unitGuid;
  } catch (error) {
    if (error instanceof ComapAmbiguousUnitError) throw new UsageError(error.message);
    throw error;
  }
}

/** Runs `body` with a client that is closed afterwards, however it ended. */
export async function withClient<T>(client: WSV, body: (client: WSV) => Promise<T>): Promise<T> {
  try {
    return await body(client);
  } finally {
    await client.close();
  }
}
