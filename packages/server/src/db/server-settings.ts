import type { Executor } from './database.ts';

/**
 * Reads a server-wide secret (JWT key, CSRF key), creating it on first use. Concurrent first
 * uses by several processes agree: the first insert wins and everyone reads it back.
 */
export async function getOrCreateSetting(db: Executor, name: string, generate: () => string): Promise<string> {
  await db
    .insertInto('server_settings')
    .values({ name, value: generate() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('server_settings').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return row.value;
}
