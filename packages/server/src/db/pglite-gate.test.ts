import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGLITE_OPTIONS } from './database.ts';
import { createPgliteGate, type PgliteGate } from './pglite-gate.ts';

describe('PGlite gate', () => {
  let pglite: PGlite;
  let gate: PgliteGate;
  beforeAll(async () => {
    pglite = await PGlite.create({ ...PGLITE_OPTIONS });
    gate = createPgliteGate(pglite);
    await gate.executeSql('CREATE TABLE gate_t (n int PRIMARY KEY)');
  });
  afterAll(async () => {
    await pglite.close();
  });

  it('rolls back the transaction a failing script opened, so the next caller is not inside it', async () => {
    await expect(gate.executeSql('BEGIN; INSERT INTO gate_t VALUES (1); SELECT 1/0; COMMIT;')).rejects.toThrow(/division by zero/);
    expect(pglite.isInTransaction()).toBe(false);
    const { rows } = await gate.executeSql('SELECT count(*)::int AS n FROM gate_t');
    expect(rows).toEqual([{ n: 0 }]);
  });

  it('rolls back the statements before the BEGIN too, which PostgreSQL folds into its transaction', async () => {
    await expect(gate.executeSql('INSERT INTO gate_t VALUES (2); BEGIN; INSERT INTO gate_t VALUES (2);')).rejects.toThrow(/duplicate key/);
    expect(pglite.isInTransaction()).toBe(false);
    const { rows } = await gate.executeSql('SELECT count(*)::int AS n FROM gate_t');
    expect(rows).toEqual([{ n: 0 }]);
  });

  it('commits a script that succeeds and answers with the rows of all its statements', async () => {
    const { rows } = await gate.executeSql('BEGIN; INSERT INTO gate_t VALUES (4) RETURNING n; COMMIT;');
    expect(rows).toEqual([{ n: 4 }]);
    expect(pglite.isInTransaction()).toBe(false);
  });

  it('keeps the error of the statement that failed', async () => {
    const err = await gate.executeSql('BEGIN; SELECT * FROM no_such_table; COMMIT;').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: '42P01' });
  });

  it('does not touch the transaction of a Kysely connection holding the gate', async () => {
    const client = await gate.pool.connect();
    try {
      await client.query('BEGIN', []);
      await client.query('INSERT INTO gate_t VALUES (3)', []);
      await expect(client.query('SELECT 1/0', [])).rejects.toThrow(/division by zero/);
      // The owner of the transaction decides; Kysely sends ROLLBACK itself.
      expect(pglite.isInTransaction()).toBe(true);
      await client.query('ROLLBACK', []);
    } finally {
      client.release();
    }
  });
});
