import { sql, type Kysely } from 'kysely';
import { jobQueueSchemaSql, QUEUES, SCHEMA } from '../../modules/jobs/job-queue.ts';

/**
 * pg-boss's own schema, at the version of pg-boss we pin, installed with the rest of ours: one
 * migration history, one moment a database is ready, and no start-up race between gateway
 * processes creating it. The queues' retry settings live here too: changing them is a migration. Upgrading pg-boss means a new migration with its migration plans.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(jobQueueSchemaSql()).execute(db);
  // The queues too (each is a partition of pgboss.job): sending needs them, and API processes
  // never start pg-boss, they only send.
  for (const q of Object.values(QUEUES)) {
    const options = { policy: 'standard', retryLimit: q.retryLimit, retryDelay: q.retryDelay, retryBackoff: q.retryBackoff, expireInSeconds: q.expireInSeconds };
    await sql`SELECT pgboss.create_queue(${q.name}, ${JSON.stringify(options)}::json)`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`DROP SCHEMA ${SCHEMA} CASCADE`).execute(db);
}
