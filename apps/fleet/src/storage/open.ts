// Picks the database: PostgreSQL when a URL is given (DATABASE_URL), embedded PGlite otherwise.
import { acquireDataDirLock, type DataDirLock } from './data-lock.js';
import type { SqlDriver } from './driver.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';
import { FleetStore } from './store.js';

export interface StorageOptions {
  /** postgres://… ; when set, PGlite is not used. */
  databaseUrl?: string | undefined;
  /** PGlite data folder; undefined = in memory (tests only). */
  dataDir?: string | undefined;
  now?: () => number;
  onError?: (err: Error) => void;
}

export async function openStorage(options: StorageOptions): Promise<FleetStore> {
  const driver: SqlDriver = options.databaseUrl
    ? await openPostgres(options.databaseUrl, { onError: options.onError })
    : await openPglite(options.dataDir);
  try {
    return await FleetStore.open(driver, options.now);
  } catch (err) {
    await driver.close().catch(() => {});
    throw err;
  }
}

/** The folder of an embedded database on disk; undefined for PostgreSQL and in-memory PGlite (nothing to lock). */
export function embeddedDataDir(options: Pick<StorageOptions, 'databaseUrl' | 'dataDir'>): string | undefined {
  if (options.databaseUrl || options.dataDir === undefined || options.dataDir.startsWith('memory://')) return undefined;
  return options.dataDir;
}

/** Locks the embedded database's folder for this process (DataDirLockedError when another holds it); undefined when there is nothing to lock. */
export async function lockStorage(options: Pick<StorageOptions, 'databaseUrl' | 'dataDir'>, command: string): Promise<DataDirLock | undefined> {
  const dir = embeddedDataDir(options);
  return dir === undefined ? undefined : acquireDataDirLock(dir, command);
}
