// Embedded PostgreSQL (PGlite, WASM) in a data folder: the default, nothing to install.
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import type { Queryable, SqlDriver } from './driver.js';

/** `dataDir`: a folder, or undefined / 'memory://' for a throw-away in-memory database. */
export async function openPglite(dataDir: string | undefined): Promise<SqlDriver> {
  if (dataDir !== undefined && !dataDir.startsWith('memory://')) await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const run = async <T>(q: Pick<PGlite, 'query'>, sql: string, params?: readonly unknown[]): Promise<T[]> =>
    (await q.query<T>(sql, params ? [...params] : undefined)).rows;
  return {
    kind: 'pglite',
    query: (sql, params) => run(db, sql, params),
    transaction: (fn) =>
      db.transaction((tx) => {
        const q: Queryable = { query: (sql, params) => run(tx, sql, params) };
        return fn(q);
      }),
    close: () => db.close(),
  };
}
