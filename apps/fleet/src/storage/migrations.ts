// Versioned schema migrations, the same SQL on PGlite and PostgreSQL. Applied in order, each once,
// inside one transaction under an advisory lock, so several collectors starting together against
// one PostgreSQL never race. Never edit a released migration: add the next version.
import type { Queryable, SqlDriver } from './driver.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'devices, readings, latest values, commands, state',
    sql: `
      CREATE TABLE devices (
        id text PRIMARY KEY,
        vendor text NOT NULL,
        vendor_id text NOT NULL,
        name text NOT NULL,
        kind text NOT NULL,
        model text,
        online boolean NOT NULL DEFAULT false,
        primary_metric text,
        commands jsonb NOT NULL DEFAULT '[]'::jsonb,
        last_seen bigint,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        UNIQUE (vendor, vendor_id)
      );
      CREATE TABLE readings (
        device_id text NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
        metric text NOT NULL,
        ts bigint NOT NULL,
        value_type text NOT NULL CHECK (value_type IN ('number', 'string', 'boolean')),
        value_num double precision,
        value_text text,
        unit text,
        PRIMARY KEY (device_id, metric, ts)
      );
      CREATE INDEX readings_ts ON readings (ts);
      CREATE TABLE latest (
        device_id text NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
        metric text NOT NULL,
        ts bigint NOT NULL,
        value_type text NOT NULL,
        value_num double precision,
        value_text text,
        unit text,
        PRIMARY KEY (device_id, metric)
      );
      CREATE TABLE commands (
        id text PRIMARY KEY,
        device_id text NOT NULL,
        command text NOT NULL,
        params jsonb NOT NULL,
        source text NOT NULL,
        status text NOT NULL,
        result jsonb,
        error text,
        requested_at bigint NOT NULL,
        completed_at bigint
      );
      CREATE INDEX commands_requested_at ON commands (requested_at);
      CREATE TABLE state (
        key text PRIMARY KEY,
        value jsonb NOT NULL,
        updated_at bigint NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'collectors, shard leases, event outbox',
    sql: `
      CREATE TABLE collectors (
        id text PRIMARY KEY,
        name text NOT NULL,
        started_at bigint NOT NULL,
        expires_at bigint NOT NULL
      );
      CREATE TABLE shard_leases (
        shard integer PRIMARY KEY,
        owner text,
        since bigint,
        expires_at bigint
      );
      CREATE TABLE event_outbox (
        id bigserial PRIMARY KEY,
        body text NOT NULL,
        created_at bigint NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'room on the latest values\' pages for in-place updates',
    // Every batch rewrites a row of latest per (device, metric). With the pages full (fillfactor
    // 100) each new row version goes to another page and adds an index entry; with room left on
    // the page PostgreSQL updates in place (a HOT update: no index entry), and prunes old versions.
    sql: `ALTER TABLE latest SET (fillfactor = 50);`,
  },
];

/** An arbitrary constant naming the fleet's migration lock (pg_advisory_xact_lock key). */
const MIGRATION_LOCK = 781_400_0001;

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

/**
 * Brings the schema up to the newest version; returns the versions it applied. A database written
 * by a newer fleet (unknown versions present) is refused rather than touched.
 */
export async function migrate(db: SqlDriver, migrations: readonly Migration[] = MIGRATIONS, now = Date.now()): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)',
    );
    const applied = new Set((await tx.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version));
    const known = new Set(migrations.map((m) => m.version));
    const unknown = [...applied].filter((v) => !known.has(v));
    if (unknown.length > 0) {
      throw new MigrationError(`database schema version ${Math.max(...unknown)} is newer than this fleet knows (${Math.max(0, ...known)}); upgrade the app`);
    }
    const done: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(m.version)) continue;
      await applyOne(tx, m, now);
      done.push(m.version);
    }
    return done;
  });
}

async function applyOne(tx: Queryable, m: Migration, now: number): Promise<void> {
  for (const statement of splitStatements(m.sql)) await tx.query(statement);
  await tx.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, now]);
}

/** Splits a migration on `;` at line ends (migrations hold no procedural code). */
export function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
