import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../../test-support/engines.ts';
import { eventually } from '../../test-support/eventually.ts';
import { createJobQueue, type JobQueue } from './job-queue.ts';

/** The job queue wrapper on each engine: transactional sends, per-job failure, and a clean stop. */
describeEngines('job queue', (ctx) => {
  let queue: JobQueue;
  const errors: unknown[] = [];

  beforeAll(async () => {
    queue = await createJobQueue({ database: ctx.db, onError: (err) => errors.push(err), schedule: false });
  });

  /** Jobs of `name` not yet finished (created, retry or active). */
  async function pending(name: string): Promise<number> {
    const { rows } = await ctx.db.executeSql("SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state <= 'active'", [name]);
    return rows[0].n as number;
  }
  afterAll(() => queue.stop());

  it('a job sent in a transaction exists only if the transaction commits', async () => {
    const before = await pending('webhook.deliver');
    await ctx.db.db.transaction().execute(async (trx) => {
      await queue.send('webhook.deliver', { deliveryId: 'committed' }, { db: trx });
    });
    await ctx.db.db
      .transaction()
      .execute(async (trx) => {
        await queue.send('webhook.deliver', { deliveryId: 'rolled-back' }, { db: trx });
        throw new Error('roll back');
      })
      .catch(() => undefined);
    expect(await pending('webhook.deliver')).toBe(before + 1);
    const { rows } = await ctx.db.executeSql("SELECT data->>'deliveryId' AS id FROM pgboss.job WHERE name = 'webhook.deliver' ORDER BY created_on");
    expect(rows.map((r) => r.id)).toContain('committed');
    expect(rows.map((r) => r.id)).not.toContain('rolled-back');
  });

  it('runs every job once; a job that throws fails alone; stop() waits for the handlers in hand', async () => {
    await ctx.db.executeSql("DELETE FROM pgboss.job WHERE name = 'delivery.send'");
    const seen: string[] = [];
    let finishedSlow = false;
    await queue.start();
    await queue.work<{ requestId: string }>(
      'delivery.send',
      async (job) => {
        seen.push(job.data.requestId);
        if (job.data.requestId === 'boom' && job.retryCount === 0) throw new Error('boom');
        if (job.data.requestId === 'slow') {
          await new Promise((resolve) => setTimeout(resolve, 400));
          finishedSlow = true;
        }
      },
      { concurrency: 4, batch: 2 },
    );
    for (const id of ['a', 'b', 'boom', 'c']) await queue.send('delivery.send', { requestId: id });
    queue.notify('delivery.send');
    await eventually(async () => (['a', 'b', 'c', 'boom'].every((id) => seen.includes(id)) ? true : undefined));
    expect(seen.filter((id) => id === 'a')).toHaveLength(1);
    expect(errors.some((e) => e instanceof Error && e.message === 'boom')).toBe(true);
    const { rows } = await ctx.db.executeSql(
      "SELECT data->>'requestId' AS id, state FROM pgboss.job WHERE name = 'delivery.send' AND data->>'requestId' = 'boom'",
    );
    expect(rows[0].state).toMatch(/^(retry|active|completed)$/);

    await queue.send('delivery.send', { requestId: 'slow' });
    queue.notify('delivery.send');
    await eventually(async () => (seen.includes('slow') ? true : undefined));
    await queue.stop();
    expect(finishedSlow).toBe(true);
    // Nothing of pg-boss's is still running against the database: a query now is the only one.
    const after = await ctx.db.executeSql("SELECT state FROM pgboss.job WHERE name = 'delivery.send' AND data->>'requestId' = 'slow'");
    expect(after.rows[0].state).toBe('completed');
  });
});
