import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { openDatabase, PGLITE_OPTIONS, type Database, type Engine } from '../db/database.ts';
import { createDatabase, databaseUrl, dropDatabase } from './postgres-admin.ts';

/** PGlite always; PostgreSQL when global-setup reached it (CI requires it). */
export const ENGINES: Engine[] = inject('pgTemplate') === null ? ['pglite'] : ['pglite', 'postgres'];

/** A migrated, private database; close() throws it away. */
export async function createTestDatabase(engine: Engine): Promise<Database> {
  return engine === 'pglite' ? createPgliteDatabase() : createPostgresDatabase();
}

async function createPgliteDatabase(): Promise<Database> {
  const dump = await readFile(inject('pgliteDumpPath'));
  const pglite = await PGlite.create({
    loadDataDir: new Blob([dump], { type: 'application/x-gzip' }),
    ...PGLITE_OPTIONS,
  });
  return openDatabase({ pglite });
}

async function createPostgresDatabase(): Promise<Database> {
  const template = inject('pgTemplate');
  if (template === null) throw new Error('PostgreSQL is not available in this run');
  const adminUrl = inject('pgAdminUrl');
  const name = await createScratchPostgresDatabase(template);
  const database = await openDatabase({ databaseUrl: databaseUrl(adminUrl, name), poolSize: 5 });
  let closed: Promise<void> | undefined;
  return {
    engine: database.engine,
    db: database.db,
    executeSql: (text, values) => database.executeSql(text, values),
    executePrepared: (name, text, values) => database.executePrepared(name, text, values),
    poolStats: () => database.poolStats(),
    close: () =>
      (closed ??= (async () => {
        await database.close();
        await dropDatabase(adminUrl, name);
      })()),
  };
}

/**
 * A new PostgreSQL database named with this run's prefix (so teardown drops it if a test file
 * could not), cloned from `template` or empty. Returns its name.
 */
export async function createScratchPostgresDatabase(template?: string): Promise<string> {
  const name = `${inject('pgTestDatabasePrefix')}${randomBytes(5).toString('hex')}`;
  await createDatabase(inject('pgAdminUrl'), name, template);
  return name;
}

export interface EngineContext {
  readonly engine: Engine;
  /** Open between the suite's beforeAll and afterAll; read it inside hooks and tests only. */
  readonly db: Database;
}

/** `describe` once per engine, each with its own migrated database for the whole suite. */
export function describeEngines(name: string, fn: (ctx: EngineContext) => void): void {
  describe.each(ENGINES)(`${name} [%s]`, (engine) => {
    let database: Database | undefined;
    beforeAll(async () => {
      database = await createTestDatabase(engine);
    });
    afterAll(async () => {
      await database?.close();
    });
    fn({
      engine,
      get db() {
        if (database === undefined) throw new Error('the test database opens in beforeAll; use ctx.db inside tests and hooks');
        return database;
      },
    });
  });
}

/**
 * A migrated scratch PostgreSQL database that other processes can open too (a worker spawned by
 * the test): the Database, and the URL to give them. close() closes ours and drops it, ending any
 * session a killed child left behind.
 */
export async function createPostgresTestDatabaseWithUrl(): Promise<{ database: Database; url: string; close(): Promise<void> }> {
  const template = inject('pgTemplate');
  if (template === null) throw new Error('PostgreSQL is not available in this run');
  const adminUrl = inject('pgAdminUrl');
  const name = await createScratchPostgresDatabase(template);
  const url = databaseUrl(adminUrl, name);
  const database = await openDatabase({ databaseUrl: url, poolSize: 5 });
  let closed: Promise<void> | undefined;
  return {
    database,
    url,
    close: () =>
      (closed ??= (async () => {
        await database.close();
        await dropDatabase(adminUrl, name, { force: true });
      })()),
  };
}
