// Picks the database: PostgreSQL when a URL is given (DATABASE_URL), embedded PGlite otherwise.
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
