// PostgreSQL (or a compatible cluster) through node-postgres, when DATABASE_URL is set.
import pg from 'pg';
import type { Queryable, SqlDriver } from './driver.js';

const INT8_OID = 20;

/** Epoch-millisecond columns are bigint: parse them as numbers (they fit in 2^53). */
const parseInt8 = (v: string): number => Number(v);
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
    oid === INT8_OID && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export interface PostgresOptions {
  max?: number;
  onError?: (err: Error) => void;
}

export async function openPostgres(connectionString: string, options: PostgresOptions = {}): Promise<SqlDriver> {
  const pool = new pg.Pool({ connectionString, max: options.max ?? 5, types, application_name: 'x-fleet' });
  // An idle client losing its connection must not crash the process.
  pool.on('error', (err) => options.onError?.(err));
  // Fail fast on a wrong URL or a server that is down.
  const probe = await pool.connect().catch(async (err: unknown) => {
    await pool.end();
    throw err;
  });
  probe.release();
  const run = async <T>(q: pg.Pool | pg.PoolClient, sql: string, params?: readonly unknown[]): Promise<T[]> =>
    (await q.query(sql, params ? [...params] : undefined)).rows as T[];
  return {
    kind: 'postgres',
    query: (sql, params) => run(pool, sql, params),
    async transaction(fn) {
      const client = await pool.connect();
      // A connection lost between two statements is reported on the client, not on a query (the
      // next query fails anyway): without a listener it would be an uncaught 'error' event.
      const onLost = (err: Error): void => options.onError?.(err);
      client.on('error', onLost);
      try {
        await client.query('BEGIN');
        const q: Queryable = { query: (sql, params) => run(client, sql, params) };
        const result = await fn(q);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.off('error', onLost);
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
