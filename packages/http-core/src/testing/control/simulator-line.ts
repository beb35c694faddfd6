/** The one JSON line `simulate` prints, and the CA file TLS simulators point to. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The shared fields of a `simulate` line (see {@link simulatorLine}). */
export interface SimulatorLineExtras {
  /** The control API base URL (`http://127.0.0.1:PORT/control`). */
  control: string;
  /** TLS simulators: the CA file to trust (e.g. `NODE_EXTRA_CA_CERTS`). */
  caPath?: string;
}

/**
 * The `simulate` line as a string (with the newline): the vendor's fields (URLs, credentials),
 * then `control` and, for TLS simulators, `caPath`. Print it once, when the simulator is ready.
 */
export function simulatorLine(fields: Record<string, unknown>, extras: SimulatorLineExtras): string {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) throw new TypeError('fields must be an object');
  if (typeof extras?.control !== 'string' || !/^https?:\/\/[^/]+\/control$/.test(extras.control)) throw new TypeError(`extras.control must be the control URL (http://host:port/control), got ${String(extras?.control)}`);
  if (extras.caPath !== undefined && (typeof extras.caPath !== 'string' || extras.caPath === '')) throw new TypeError('extras.caPath must be a non-empty string');
  for (const key of ['control', 'caPath']) if (Object.hasOwn(fields, key)) throw new TypeError(`fields must not set ${key}: pass it in extras`);
  return `${JSON.stringify({ ...fields, control: extras.control, ...(extras.caPath === undefined ? {} : { caPath: extras.caPath }) })}\n`;
}

/** A CA file written by {@link writeCaFile}. */
export interface CaFile {
  path: string;
  /** Deletes the file and its temporary folder. */
  remove(): Promise<void>;
}

/** Writes `pem` to a new private temporary folder (`ca.pem`, mode 0600); `remove()` deletes the folder. */
export async function writeCaFile(pem: string): Promise<CaFile> {
  if (typeof pem !== 'string' || !pem.includes('-----BEGIN CERTIFICATE-----')) throw new TypeError('pem must be a PEM certificate');
  const dir = await mkdtemp(join(tmpdir(), 'x-sim-ca-'));
  const path = join(dir, 'ca.pem');
  await writeFile(path, pem, { mode: 0o600 });
  return { path, remove: () => rm(dir, { recursive: true, force: true }) };
}
