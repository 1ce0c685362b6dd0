import { Migrator } from 'kysely/migration';
import { getConstructionPlans, PgBoss } from 'pg-boss';
import { describe, expect, inject, it } from 'vitest';
import { QUEUES, SCHEMA } from '../../modules/jobs/job-queue.ts';
import { ENGINES, createScratchPostgresDatabase, describeEngines } from '../../test-support/engines.ts';
import { databaseUrl, dropDatabase } from '../../test-support/postgres-admin.ts';
import { migrateToLatest, openDatabase, type Database, type Engine } from '../database.ts';
import { PGBOSS_SCHEMA_SQL, QUEUES_SQL } from './0006-job-queue-v12-sql.ts';
import { migrations } from './index.ts';

const NEW_MIGRATION =
  'migration 0006 is frozen: a change of pg-boss or of QUEUES needs a new migration that brings existing databases there too (never edit 0006)';

/** The schema version pg-boss 12.38.1 installs; pg-boss refuses to start on any other. */
const SCHEMA_VERSION = 46;

/**
 * What the installed pg-boss would install as its schema, without its own BEGIN/COMMIT (a
 * migration already runs in a transaction).
 */
function installedPgBossSchemaSql(): string {
  const script = getConstructionPlans(SCHEMA);
  const unwrapped = script.replace(/^\s*BEGIN;/, '').replace(/COMMIT;\s*$/, '');
  if (/\b(BEGIN|COMMIT);/.test(unwrapped)) throw new Error('pg-boss schema script has an unexpected shape');
  return unwrapped;
}

/** The queues as today's QUEUES would create them, one statement a line. */
function currentQueuesSql(): string {
  return Object.values(QUEUES)
    .map(({ name, ...options }) => `SELECT pgboss.create_queue('${name}', '${JSON.stringify(options)}'::jsonb);\n`)
    .join('');
}

/** pg-boss's own reading of a database's job schema, without starting it. */
async function inspect(database: Database): Promise<{ version: number | null; drift: Awaited<ReturnType<PgBoss['detectSchemaDrift']>> }> {
  const boss = new PgBoss({ db: { executeSql: (text, values) => database.executeSql(text, values) }, schema: SCHEMA, migrate: false });
  return { version: await boss.schemaVersion(), drift: await boss.detectSchemaDrift() };
}

/** An empty database of `engine`, no migration run; close() throws it away. */
async function openEmptyDatabase(engine: Engine): Promise<{ database: Database; close(): Promise<void> }> {
  if (engine === 'pglite') {
    const database = await openDatabase({});
    return { database, close: () => database.close() };
  }
  const name = await createScratchPostgresDatabase();
  const database = await openDatabase({ databaseUrl: databaseUrl(inject('pgAdminUrl'), name), poolSize: 2 });
  return {
    database,
    close: async () => {
      await database.close();
      await dropDatabase(inject('pgAdminUrl'), name);
    },
  };
}

describe('migration 0006 (job queue on pg-boss 12)', () => {
  it('holds the schema SQL the pinned pg-boss generates', () => {
    expect(SCHEMA, NEW_MIGRATION).toBe('pgboss');
    expect(PGBOSS_SCHEMA_SQL, NEW_MIGRATION).toBe(installedPgBossSchemaSql());
  });

  it('holds the queue SQL today’s QUEUES settings generate', () => {
    expect(QUEUES_SQL, NEW_MIGRATION).toBe(currentQueuesSql());
  });
});

describeEngines('migration 0006 from zero', (ctx) => {
  it('leaves the schema pg-boss 12 expects, with every queue as QUEUES says', async () => {
    const { version, drift } = await inspect(ctx.db);
    expect(version).toBe(SCHEMA_VERSION);
    expect(drift, JSON.stringify(drift)).toMatchObject({ ok: true });
    const { rows } = await ctx.db.executeSql('SELECT name, policy, retry_limit, retry_delay_max, heartbeat_seconds FROM pgboss.queue ORDER BY name');
    expect(rows).toEqual(
      Object.values(QUEUES)
        .map((q) => ({
          name: q.name,
          policy: q.policy,
          retry_limit: q.retryLimit,
          retry_delay_max: 'retryDelayMax' in q ? q.retryDelayMax : null,
          heartbeat_seconds: 'heartbeatSeconds' in q ? q.heartbeatSeconds : null,
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
  });
});

describe.each(ENGINES)('migration 0006 over a database at 0005 [%s]', (engine) => {
  it('carries the unfinished jobs of pg-boss 10 over, and pg-boss 12 runs them', async () => {
    const { database, close } = await openEmptyDatabase(engine);
    try {
      const migrator = new Migrator({ db: database.db, provider: { getMigrations: async () => migrations } });
      const { error } = await migrator.migrateTo('0005-job-queue');
      expect(error).toBeUndefined();
      // Jobs as pg-boss 10 left them: waiting, retrying, held by a worker the upgrade stopped, done.
      await database.executeSql(`
        INSERT INTO pgboss.job (name, data, state, retry_count, started_on, completed_on, start_after) VALUES
          ('webhook.deliver', '{"deliveryId":"waiting"}', 'created', 0, NULL, NULL, now() - interval '1 second'),
          ('webhook.deliver', '{"deliveryId":"retrying"}', 'retry', 2, now(), NULL, now() - interval '1 second'),
          ('delivery.send', '{"requestId":"interrupted"}', 'active', 0, now(), NULL, now() - interval '1 minute'),
          ('delivery.send', '{"requestId":"done"}', 'completed', 0, now(), now(), now() - interval '1 minute'),
          ('invoices.expire', '{}', 'created', 0, NULL, NULL, now());
      `);

      expect(await migrateToLatest(database.db)).toEqual(['0006-job-queue-v12']);
      const { version, drift } = await inspect(database);
      expect(version).toBe(SCHEMA_VERSION);
      expect(drift, JSON.stringify(drift)).toMatchObject({ ok: true });
      const { rows } = await database.executeSql(
        "SELECT name, coalesce(data->>'deliveryId', data->>'requestId') AS key, state, retry_count, retry_limit, heartbeat_seconds FROM pgboss.job ORDER BY key",
      );
      expect(rows).toEqual([
        { name: 'delivery.send', key: 'interrupted', state: 'retry', retry_count: 1, retry_limit: 8, heartbeat_seconds: 10 },
        { name: 'webhook.deliver', key: 'retrying', state: 'retry', retry_count: 2, retry_limit: 5, heartbeat_seconds: 10 },
        { name: 'webhook.deliver', key: 'waiting', state: 'created', retry_count: 0, retry_limit: 5, heartbeat_seconds: 10 },
      ]);
      const { rows: schemas } = await database.executeSql("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'pgboss%'");
      expect(schemas).toEqual([{ nspname: 'pgboss' }]);

      const boss = new PgBoss({
        db: { executeSql: (text, values) => database.executeSql(text, values) },
        schema: SCHEMA,
        migrate: false,
        supervise: false,
        schedule: false,
      });
      await boss.start();
      try {
        const fetched = await boss.fetch<{ deliveryId: string }>('webhook.deliver', { batchSize: 10 });
        expect(fetched.map((job) => job.data.deliveryId).sort()).toEqual(['retrying', 'waiting']);
      } finally {
        await boss.stop({ graceful: false, close: false });
      }
    } finally {
      await close();
    }
  });
});
