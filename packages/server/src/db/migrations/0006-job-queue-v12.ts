import { sql, type Kysely } from 'kysely';
import { PGBOSS_SCHEMA_SQL as PGBOSS_V10_SCHEMA_SQL, QUEUES_SQL as QUEUES_V10_SQL } from './0005-job-queue-sql.ts';
import { DROP_V10_SQL, MOVE_JOBS_SQL, PGBOSS_SCHEMA_SQL, QUEUES_SQL, SET_ASIDE_V10_SQL } from './0006-job-queue-v12-sql.ts';

/**
 * pg-boss 10 → 12: the job queue's schema at the version of pg-boss we now pin, its queues with
 * pg-boss 12's settings (retry cap, heartbeats, an exclusive expiry sweep), and every unfinished
 * job carried over. One transaction, like every migration: a database is on one version or the
 * other, never between. Every process of the old version must be stopped first: its workers
 * cannot run against the new schema.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(SET_ASIDE_V10_SQL).execute(db);
  await sql.raw(PGBOSS_SCHEMA_SQL).execute(db);
  await sql.raw(QUEUES_SQL).execute(db);
  await sql.raw(MOVE_JOBS_SQL).execute(db);
  await sql.raw(DROP_V10_SQL).execute(db);
}

/** Back to pg-boss 10's empty schema and queues: jobs not yet run are lost. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('DROP SCHEMA pgboss CASCADE').execute(db);
  await sql.raw(PGBOSS_V10_SCHEMA_SQL).execute(db);
  await sql.raw(QUEUES_V10_SQL).execute(db);
}
