import PgBoss from 'pg-boss';
import { describe, expect, it } from 'vitest';
import { QUEUES, SCHEMA } from '../../modules/jobs/job-queue.ts';
import { PGBOSS_SCHEMA_SQL, QUEUES_SQL } from './0005-job-queue-sql.ts';

const NEW_MIGRATION =
  'migration 0005 is frozen: a change of pg-boss or of QUEUES needs a new migration that brings existing databases there too (never edit 0005)';

/**
 * What the installed pg-boss would install as its schema, without its own BEGIN/COMMIT (a
 * migration already runs in a transaction).
 */
function installedPgBossSchemaSql(): string {
  const script = PgBoss.getConstructionPlans(SCHEMA);
  const unwrapped = script.replace(/^\s*BEGIN;/, '').replace(/COMMIT;\s*$/, '');
  if (/\b(BEGIN|COMMIT);/.test(unwrapped)) throw new Error('pg-boss schema script has an unexpected shape');
  return unwrapped;
}

/** The queues as today's QUEUES would create them, one statement a line. */
function currentQueuesSql(): string {
  return Object.values(QUEUES)
    .map((q) => {
      const options = {
        policy: 'standard',
        retryLimit: q.retryLimit,
        retryDelay: q.retryDelay,
        retryBackoff: q.retryBackoff,
        expireInSeconds: q.expireInSeconds,
      };
      return `SELECT pgboss.create_queue('${q.name}', '${JSON.stringify(options)}'::json);\n`;
    })
    .join('');
}

describe('migration 0005 (job queue)', () => {
  it('holds the schema SQL the pinned pg-boss generates', () => {
    expect(SCHEMA, NEW_MIGRATION).toBe('pgboss');
    expect(PGBOSS_SCHEMA_SQL, NEW_MIGRATION).toBe(installedPgBossSchemaSql());
  });

  it('holds the queue SQL today’s QUEUES settings generate', () => {
    expect(QUEUES_SQL, NEW_MIGRATION).toBe(currentQueuesSql());
  });
});
