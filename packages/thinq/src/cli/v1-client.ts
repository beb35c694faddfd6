/** Opens the v1 client of a command from its state file, and saves the state back. */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { ConfigError, type Output } from '@x/http-core/cli';
import { V1Client } from '../v1/client.js';
import type { V1ClientOptions } from '../v1/options.js';

export interface V1Flags {
  state: string;
  'gateway-url'?: string | undefined;
  country?: string | undefined;
  language?: string | undefined;
  ca?: string | undefined;
}

/** Runs `work` with the client of the state file; the state is saved and the client closed afterwards. */
export async function withV1Client<T>(flags: V1Flags, stderr: Output, work: (client: V1Client) => Promise<T>): Promise<T> {
  const file = flags.state;
  let ca: string | undefined;
  if (flags.ca) {
    try {
      ca = await readFile(flags.ca, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read CA file ${flags.ca}: ${(err as Error).message}`);
    }
  }
  const options: V1ClientOptions = {
    ...(ca ? { tls: { ca } } : {}),
    ...(flags['gateway-url'] ? { gatewayUrl: flags['gateway-url'] } : {}),
    ...(flags.country ? { country: flags.country } : {}),
    ...(flags.language ? { language: flags.language } : {}),
    onWarning: (m) => stderr.line(`warning: ${m}`),
  };
  let state: unknown;
  try {
    state = JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new ConfigError(`cannot read state file ${file}: ${(err as Error).message}`);
  }
  const client = state === undefined ? new V1Client(options) : V1Client.load(state, options);
  try {
    return await work(client);
  } finally {
    // The state keeps refreshed tokens and model JSON: written even after a failure.
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(client.dump(), null, 2)}\n`, { mode: 0o600 })
      .then(() => rename(tmp, file))
      .catch(() => undefined);
    await client.close();
  }
}

/** A client that is logged in (a usage error otherwise). */
export function requireLogin(client: V1Client): V1Client {
  if (!client.hasTokens) throw new ConfigError('not logged in: run "thinq login" first');
  return client;
}
