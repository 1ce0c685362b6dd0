import pg from 'pg';

/**
 * Database-level chores on the test PostgreSQL server (create, clone, drop), each on a short-lived
 * connection to the admin database: a connection left open to a template would make every
 * CREATE DATABASE ... TEMPLATE fail.
 */

export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

export async function withAdminClient<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>, connectionTimeoutMillis = 10_000): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Why PostgreSQL cannot be used, or null when it can. */
export async function unreachableReason(adminUrl: string): Promise<string | null> {
  try {
    await withAdminClient(adminUrl, (client) => client.query('SELECT 1'), 2_000);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message || err.name : String(err);
  }
}

/** Names come from our own code, never from input; the check keeps it that way. */
function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`unexpected database name ${name}`);
  return `"${name}"`;
}

export async function createDatabase(adminUrl: string, name: string, template?: string): Promise<void> {
  const text = template ? `CREATE DATABASE ${ident(name)} TEMPLATE ${ident(template)}` : `CREATE DATABASE ${ident(name)}`;
  // 55006: someone is connected to the template. PostgreSQL already waits 5 s for such sessions
  // to go; the retry covers a session that is still closing after that.
  for (let attempt = 1; ; attempt++) {
    try {
      await withAdminClient(adminUrl, (client) => client.query(text));
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== '55006' || attempt >= 3) throw err;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}

/**
 * Without `force`, PostgreSQL waits up to 5 s for sessions that are still closing (pg's
 * pool.end() resolves before its backends have exited), so a clean close drops quietly.
 * `force` ends sessions that a crashed test file left behind (PostgreSQL 13+).
 */
export async function dropDatabase(adminUrl: string, name: string, opts: { force?: boolean } = {}): Promise<void> {
  const force = opts.force ? ' WITH (FORCE)' : '';
  await withAdminClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${ident(name)}${force}`));
}

export async function listDatabases(adminUrl: string, prefix: string): Promise<string[]> {
  return withAdminClient(adminUrl, async (client) => {
    const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY datname`, [prefix]);
    return rows.map((row) => row.datname);
  });
}
