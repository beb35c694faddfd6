/** `<unit>` on the command line: a unit GUID, or a part of a unit's name. */
import type { ComapClient } from '../client.js';
import { ComapNotFoundError } from '../errors.js';

const GUID = /^genset[0-9a-f]{32}$/i;

export const UNIT_ARG = { name: 'unit', description: 'unit GUID (genset + 32 hex digits) or a part of its name' } as const;

/** The GUID of `unit`: as given when it is one, else the first unit whose name contains it. */
export async function resolveUnit(client: ComapClient, unit: string, signal: AbortSignal): Promise<string> {
  if (GUID.test(unit)) return unit;
  const guid = await client.getUnitGuid(unit, { signal });
  if (guid === undefined) throw new ComapNotFoundError(`no unit name contains ${JSON.stringify(unit)}`);
  return guid;
}

/** Runs `body` with a client that is closed afterwards, however it ended. */
export async function withClient<T>(client: ComapClient, body: (client: ComapClient) => Promise<T>): Promise<T> {
  try {
    return await body(client);
  } finally {
    await client.close();
  }
}
