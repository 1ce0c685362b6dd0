import { sql, type Kysely } from 'kysely';
import { PGBOSS_SCHEMA_SQL, QUEUES_SQL } from './0005-job-queue-sql.ts';

/**
 * pg-boss's own schema, at the version of pg-boss we pin, installed with the rest of ours: one
 * migration history, one moment a database is ready, and no start-up race between gateway
 * processes creating it. The queues' retry settings live here too: changing them is a
 * migration, and so is upgrading pg-boss (with its migration plans). Both texts are frozen
 * beside this file rather than built from live code, so that neither can change what a fresh
 * database gets.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(PGBOSS_SCHEMA_SQL).execute(db);
  await sql.raw(QUEUES_SQL).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('DROP SCHEMA pgboss CASCADE').execute(db);
}
