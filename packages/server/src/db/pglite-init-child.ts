import { PGlite } from '@electric-sql/pglite';
import { migrateToLatest, openDatabase, PGLITE_OPTIONS } from './database.ts';

/**
 * `node pglite-init-child <dataDir>`, started by pglite-init.ts: initdb and the migrations on a
 * new data folder, then exit. The parent holds the folder's lock and waits.
 */
async function initialise(dataDir: string): Promise<void> {
  // Opened without dataDir in openDatabase's options: the lock is the parent's.
  const database = await openDatabase({ pglite: await PGlite.create({ dataDir, ...PGLITE_OPTIONS }) });
  try {
    await migrateToLatest(database.db);
  } finally {
    await database.close();
  }
}

// Orphaned (the parent was killed), it must not go on writing a folder nobody holds the lock of.
process.on('disconnect', () => process.exit(1));

const dataDir = process.argv[2];
if (dataDir === undefined) {
  process.stderr.write('usage: pglite-init-child <dataDir>\n');
  process.exit(2);
}
initialise(dataDir).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
