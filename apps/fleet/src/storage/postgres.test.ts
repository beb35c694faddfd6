// node-postgres driver: a connection that dies in the middle of a transaction (database restarted,
// network cut) fails that transaction, never the process with an uncaught 'error' event.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable, startPostgresCluster, type PostgresCluster } from '../test-support/postgres-cluster.js';
import type { SqlDriver } from './driver.js';
import { openPostgres } from './postgres.js';

describe.skipIf(!postgresAvailable())('openPostgres', () => {
  let cluster: PostgresCluster;
  let db: SqlDriver;
  const reported: string[] = [];

  beforeAll(async () => {
    cluster = await startPostgresCluster();
    db = await openPostgres(cluster.url, { onError: (err) => reported.push(err.message) });
  }, 60_000);
  afterAll(async () => {
    try {
      await db?.close();
    } finally {
      await cluster?.stop();
    }
  });

  it('fails a transaction whose connection is terminated between two statements, and reports it', async () => {
    const failed = db.transaction(async (tx) => {
      const [{ pid } = { pid: 0 }] = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await db.query('SELECT pg_terminate_backend($1)', [pid]);
      await new Promise((resolve) => setTimeout(resolve, 200)); // the termination arrives while no query runs
      return tx.query('SELECT 1');
    });
    await expect(failed).rejects.toThrow();
    expect(reported).toContain('terminating connection due to administrator command');
    // The pool carries on with a fresh connection.
    expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });
});
