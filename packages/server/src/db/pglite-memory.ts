import { PGlite } from '@electric-sql/pglite';

/**
 * PostgreSQL settings for the embedded database, given to PGlite on every start (they override
 * the data folder's postgresql.conf, which initdb wrote with PostgreSQL's server defaults).
 *
 * Why: PGlite's WebAssembly memory only grows, and everything PostgreSQL touches in it stays
 * resident for the life of the process. The server defaults are sized for a machine shared by
 * many connections; PGlite is one session, and its biggest item, shared_buffers (128 MB), was
 * most of the gateway's idle memory.
 *
 * Trade-off: a smaller page cache. Pages that do not fit are read again from the operating
 * system's file cache (a copy, not a disk read, while the machine has memory to spare), which
 * costs little for a gateway's working set (recent invoices and their indexes). None of these
 * settings touches durability: fsync, synchronous_commit and full_page_writes keep their
 * defaults, so an acknowledged write is on disk exactly as before.
 */
export const PGLITE_MEMORY_SETTINGS: Readonly<Record<string, string>> = {
  shared_buffers: '16MB',
};

/** PGlite's own start parameters (which a `startParams` option replaces, not extends) plus ours. */
export const PGLITE_START_PARAMS: readonly string[] = [
  ...PGlite.defaultStartParams,
  ...Object.entries(PGLITE_MEMORY_SETTINGS).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
];
